package io.mcppool.bench.gateway;

import io.mcppool.bench.BenchText;
import io.mcppool.bench.ChildProcess;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A gateway in a process of its own, called over Streamable HTTP by {@link McpHttpClient}s: one MCP session and
 * one connection per client. The clients are opened before a level starts and kept for the next levels, so
 * the 64 clients of the last level include the 16 of the one before.
 */
final class HttpTarget implements Target {
    /** How many sessions are opened at once: each may start an upstream JVM (supergateway), on two cores. */
    private static final int OPEN_PARALLELISM = 4;
    private static final int CALL_TIMEOUT_MILLIS = 30_000;
    private static final int OPEN_TIMEOUT_MILLIS = 90_000;

    private final GatewayScenario.Kind kind;
    private final ChildProcess process;
    private final URI mcpUri;
    private final String tool;
    private final String description;
    private final List<McpHttpClient> clients = new ArrayList<>();

    HttpTarget(GatewayScenario.Kind kind, ChildProcess process, URI mcpUri, String tool, String description) {
        this.kind = kind;
        this.process = process;
        this.mcpUri = mcpUri;
        this.tool = tool;
        this.description = description;
    }

    @Override
    public GatewayScenario.Kind kind() {
        return kind;
    }

    URI mcpUri() {
        return mcpUri;
    }

    ChildProcess process() {
        return process;
    }

    @Override
    public void ensureClients(int n) throws Exception {
        int missing = n - clients.size();
        if (missing <= 0) {
            return;
        }
        long t0 = System.nanoTime();
        ExecutorService opener = Executors.newFixedThreadPool(Math.min(OPEN_PARALLELISM, missing));
        try {
            List<Future<McpHttpClient>> opened = new ArrayList<>();
            for (int i = clients.size(); i < n; i++) {
                String name = "bench-" + kind.label + "-" + i;
                opened.add(opener.submit(() -> McpHttpClient.open(mcpUri, OPEN_TIMEOUT_MILLIS, CALL_TIMEOUT_MILLIS, name)));
            }
            Exception failure = null;
            for (Future<McpHttpClient> f : opened) {
                try {
                    McpHttpClient c = f.get(OPEN_TIMEOUT_MILLIS + 5_000L, TimeUnit.MILLISECONDS);
                    c.callEcho(tool, "hello"); // one call each, so that a broken session shows here, not in the load
                    clients.add(c);
                } catch (Exception e) {
                    failure = failure == null ? e : failure;
                }
            }
            if (failure != null) {
                throw new IllegalStateException(kind.label + ": could not open " + missing + " sessions: " + failure
                        + "\n" + process.tail(1500), failure);
            }
        } finally {
            opener.shutdownNow();
        }
        GatewayScenario.progress(String.format(java.util.Locale.ROOT, "%-12s %d session(s) open (%d new in %s), %d"
                        + " upstream process(es)", kind.label, clients.size(), missing,
                BenchText.latency(System.nanoTime() - t0), upstreams()));
    }

    @Override
    public Caller caller(int i) {
        McpHttpClient c = clients.get(i);
        return message -> c.callEcho(tool, message);
    }

    @Override
    public long serverCpuNanos() {
        return process.treeCpuNanos();
    }

    /** The JVMs among the gateway's descendants (supergateway also runs a {@code sh -c} wrapper for each). */
    @Override
    public long upstreams() {
        return process.handle().descendants()
                .filter(h -> h.info().command().map(c -> c.endsWith("/java") || c.equals("java")).orElse(false))
                .count();
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public void close() {
        for (McpHttpClient c : clients) {
            c.close();
        }
        clients.clear();
        process.close(Duration.ofSeconds(15));
    }
}
