package io.mcppool.bench.gateway;

import io.mcppool.McpPool;
import io.mcppool.bench.ChildProcess;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.PoolSettings;
import io.mcppool.config.ServerConfig;
import io.mcppool.status.EndpointSnapshot;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The baseline: the pool in this JVM calling the stdio upstream, {@link McpPool#callToolAsync} and a wait on its
 * future, the same call the gateway makes for each {@code tools/call} it receives. The difference between this
 * row and the mcp-pool gateway's is what the gateway adds: HTTP, JSON-RPC over HTTP, sessions, its dispatcher.
 */
final class DirectTarget implements Target {
    private static final long CALL_TIMEOUT_SECONDS = 60;

    private final McpPool pool;
    private final Supplier<Set<Long>> otherProcesses;
    private final String description;

    /**
     * @param otherProcesses the pids of the gateways this JVM started, whose trees are not this pool's upstreams
     */
    DirectTarget(EndpointConfig.Stdio upstream, PoolSettings settings, Supplier<Set<Long>> otherProcesses) {
        this.otherProcesses = otherProcesses;
        this.pool = McpPool.builder()
                .server(ServerConfig.builder(GatewayScenario.SERVER, upstream).connectTimeout(Duration.ofSeconds(60))
                        .pool(settings).build())
                .build();
        try {
            pool.listTools(GatewayScenario.SERVER); // the first session, and the tool cache filled, as the gateway's are
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        this.description = "McpPool.callToolAsync in the benchmark's JVM (minSessions " + settings.minSessions()
                + ", maxSessions " + settings.maxSessions() + ", maxConcurrentRequests "
                + settings.maxConcurrentRequests() + ")";
    }

    @Override
    public GatewayScenario.Kind kind() {
        return GatewayScenario.Kind.DIRECT;
    }

    @Override
    public void ensureClients(int n) {
        // callers share the pool, which opens sessions as the load needs them
    }

    @Override
    public Caller caller(int i) {
        return message -> {
            try {
                return pool.callToolAsync(GatewayScenario.SERVER, GatewayScenario.TOOL, Map.of("message", message))
                        .get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS).text();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception ex ? ex : e;
            }
        };
    }

    /** The CPU of this JVM's children that are not one of the gateways: the pool's upstream processes. */
    @Override
    public long serverCpuNanos() {
        Set<Long> others = otherProcesses.get();
        return ProcessHandle.current().children().filter(h -> !others.contains(h.pid()))
                .mapToLong(ChildProcess::cpu).sum();
    }

    @Override
    public long upstreams() {
        EndpointSnapshot e = pool.snapshot().servers().get(0).endpoints().get(0);
        return e.sessions();
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public void close() {
        pool.close();
    }
}
