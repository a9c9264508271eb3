package io.mcppool.it.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.McpPool;
import io.mcppool.config.ConfigLoader;
import io.mcppool.config.RateLimit;
import io.mcppool.gateway.auth.AccessPolicy;
import io.mcppool.gateway.auth.ClientIdentity;
import io.mcppool.gateway.mcp.GatewayDispatcher;
import io.mcppool.gateway.mcp.StdioGateway;
import io.mcppool.it.interop.LogCapture;
import io.mcppool.protocol.CallToolResult;
import io.mcppool.protocol.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: {@code mcp-pool stdio} when its host stops reading stdout. What the gateway writes to the host must not
 * be written on the thread that produced it: progress and an upstream's notifications come on the upstream
 * transport's reader, which every caller of that upstream shares, and answers on the pool's threads. And what waits
 * for the host is bounded: notifications are dropped when the queue to stdout is full, responses never are; instead
 * the gateway stops reading stdin until there is room, which pushes back on the host, its only client.
 *
 * <p>The gateway runs in-process with a host made of two streams: stdin fed line by line, and a stdout that can be
 * stalled (every write blocks, as on a full pipe) and released. The upstream is a stdio testkit process with one
 * session, which the gateway and a direct caller of the pool share.
 */
class StdioGatewayBackpressureTest {
    static final ClientIdentity HOST = new ClientIdentity("stdio", AccessPolicy.ALL, RateLimit.NONE, true);

    @TempDir
    Path dir;

    @Test
    void aHostThatStopsReadingStdoutDoesNotStopTheUpstreamForItsOtherCallers() throws Exception {
        try (McpPool pool = pool("");
             Host host = Host.serve(pool)) {
            host.out.stall();
            // A call that reports progress: the upstream's reader delivers it, and the gateway passes it on.
            host.in.send(withProgress(call(2, "up__sleep", Map.of("ms", 300, "steps", 3))));
            // Whichever thread writes for the host is stuck now, as on a full pipe.
            await().atMost(Duration.ofSeconds(30)).until(() -> host.out.blockedWriters() > 0);

            // Another caller of the same upstream session is answered all the same.
            CallToolResult other = pool.callToolAsync("up", "echo", Map.of("message", "other caller"))
                    .get(60, TimeUnit.SECONDS);
            assertThat(other.text()).isEqualTo("other caller");

            // The host closes stdout, then stdin: the gateway ends, writer and all.
            host.out.close();
            host.in.close();
            assertThat(host.serving.join(Duration.ofSeconds(30))).as("run() returned").isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> writerThreads() == 0);
        }
    }

    @Test
    void stdoutFullStopsReadingStdinDropsNotificationsAndKeepsEveryResponse() throws Exception {
        try (McpPool pool = pool("gateway: { maxStreamMessages: 8 }\n");
             LogCapture logs = LogCapture.of("io.mcppool.gateway");
             Host host = Host.serve(pool)) {
            HostInput in = host.in;
            HostOutput out = host.out;
            out.stall();
            // A call that reports progress 40 times over 2 s, then 120 calls: far more answers than the queue
            // holds (8), and more bytes than stdin's read-ahead.
            in.send(withProgress(call(2, "up__sleep", Map.of("ms", 2000, "steps", 40))));
            int id = 3;
            for (int i = 0; i < 120; i++) {
                in.send(call(id++, "up__echo", Map.of("message", "echo " + i + " " + "x".repeat(300))));
            }
            // The gateway stops reading stdin once the answers for the host, queued or to come, fill the queue.
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(30))
                    .until(() -> in.consumed() < in.sent());
            // The upstream (asked directly: its reader is free) ran only what the gateway read: 8 calls at most.
            int read = executions(pool, "echo");
            assertThat(read).as("calls the gateway read and passed on").isLessThanOrEqualTo(8);
            // Progress for the host is dropped while stdout is full, and said once per burst.
            await().atMost(Duration.ofSeconds(30)).until(() -> logs.count("notification") > 0);

            out.release();
            int last = id - 1;
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                Map<Integer, JsonNode> answers = out.responses();
                for (int i = 1; i <= last; i++) {
                    assertThat(answers).as("a response to request %d", i).containsKey(i);
                }
            });
            Map<Integer, JsonNode> answers = out.responses();
            for (int i = 3; i <= last; i++) {
                assertThat(answers.get(i).path("result").path("content").path(0).path("text").asText())
                        .as("request %d", i).startsWith("echo " + (i - 3) + " ");
            }
            long progress = out.notifications("notifications/progress");
            System.out.printf("StdioGatewayBackpressureTest: with stdout stalled the gateway read %d of 120 calls;"
                    + " the host got %d of 40 progress notifications; %s%n", read, progress, logs.lines());
            assertThat(progress).as("progress the host got").isLessThan(40);
            assertThat(logs.lines()).filteredOn(l -> l.contains("notification")).hasSizeLessThan(5);

            in.close();
            assertThat(host.serving.join(Duration.ofSeconds(30))).as("run() returned").isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> writerThreads() == 0);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** A host with its two streams, and the gateway serving it on a thread of its own. */
    record Host(HostInput in, HostOutput out, Thread serving) implements AutoCloseable {
        /** Starts the gateway on {@code pool} and has the host initialize and list the tools. */
        static Host serve(McpPool pool) {
            HostInput in = new HostInput();
            HostOutput out = new HostOutput();
            Thread serving = Thread.ofVirtual().name("stdio-gateway-under-test").start(
                    () -> new StdioGateway(new GatewayDispatcher(pool), HOST, out).run(in));
            Host host = new Host(in, out, serving);
            initialize(in, out);
            return host;
        }

        /** Closes stdout and stdin, as a host that goes away, and waits (bounded) for the gateway to end. */
        @Override
        public void close() throws InterruptedException {
            out.close();
            in.close();
            serving.join(Duration.ofSeconds(30));
        }
    }

    private McpPool pool(String more) {
        return McpPool.create(ConfigLoader.load(GatewayFiles.write(dir, """
                servers:
                  up: %s
                """.formatted(GatewayFiles.stdioTestkit("pool: { maxSessions: 1 }, health: { enabled: false }")) + more)));
    }

    private static void initialize(HostInput in, HostOutput out) {
        ObjectNode params = Json.object().put("protocolVersion", "2025-11-25");
        params.putObject("capabilities");
        params.putObject("clientInfo").put("name", "stalling-host").put("version", "1");
        in.send(request(1, "initialize", params));
        in.send(Json.object().put("jsonrpc", "2.0").put("method", "notifications/initialized"));
        await().atMost(Duration.ofSeconds(30)).until(() -> out.responses().containsKey(1));
        // The upstream is listed before the host calls it (as a host would list tools first).
        in.send(request(99_999, "tools/list", Json.object()));
        await().atMost(Duration.ofSeconds(60)).until(() -> out.responses().containsKey(99_999));
    }

    private static ObjectNode request(int id, String method, JsonNode params) {
        ObjectNode r = Json.object().put("jsonrpc", "2.0").put("id", id).put("method", method);
        r.set("params", params);
        return r;
    }

    private static ObjectNode call(int id, String tool, Map<String, ?> arguments) {
        return request(id, "tools/call", GatewayClient.callParams(tool, arguments));
    }

    /** The request with a progress token, so the upstream reports progress for it. */
    private static ObjectNode withProgress(ObjectNode request) {
        ((ObjectNode) request.get("params")).putObject("_meta").put("progressToken", "p");
        return request;
    }

    /** How often the upstream ran {@code tool}, asked by the pool directly (not through the stalled host). */
    private static int executions(McpPool pool, String tool) {
        CallToolResult stats = pool.callToolAsync("up", "stats", Map.of()).orTimeout(30, TimeUnit.SECONDS).join();
        return stats.structuredContent().path("executions").path(tool).asInt();
    }

    private static long writerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("mcp-pool-stdio-writer")).count();
    }

    /** The host's side of stdin: lines sent one by one, counted as the gateway reads them; {@link #close} is EOF. */
    static final class HostInput extends InputStream {
        private static final byte[] EOF = new byte[0];
        private final LinkedBlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
        private final AtomicLong sent = new AtomicLong();
        private final AtomicLong consumed = new AtomicLong();
        private byte[] current = new byte[0];
        private int pos;
        private boolean ended;

        void send(JsonNode message) {
            byte[] line = (Json.write(message) + "\n").getBytes(StandardCharsets.UTF_8);
            sent.addAndGet(line.length);
            chunks.add(line);
        }

        long sent() {
            return sent.get();
        }

        long consumed() {
            return consumed.get();
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (ended) {
                return -1;
            }
            if (pos == current.length) {
                try {
                    current = chunks.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
                pos = 0;
                if (current == EOF) {
                    ended = true;
                    return -1;
                }
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            consumed.addAndGet(n);
            return n;
        }

        @Override
        public void close() {
            chunks.add(EOF);
        }
    }

    /**
     * The host's side of stdout. Until {@link #stall()} every write goes through; after it every write blocks, as
     * on a pipe nobody reads, until {@link #release()}; after {@link #close()} writes fail, as on a closed pipe.
     */
    static final class HostOutput extends OutputStream {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition moved = lock.newCondition();
        private final ByteArrayOutputStream written = new ByteArrayOutputStream();
        private final AtomicInteger blocked = new AtomicInteger();
        private boolean stalled;
        private boolean closed;

        void stall() {
            lock.lock();
            try {
                stalled = true;
            } finally {
                lock.unlock();
            }
        }

        void release() {
            lock.lock();
            try {
                stalled = false;
                moved.signalAll();
            } finally {
                lock.unlock();
            }
        }

        int blockedWriters() {
            return blocked.get();
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            lock.lock();
            try {
                if (stalled && !closed) {
                    blocked.incrementAndGet();
                    try {
                        while (stalled && !closed) {
                            moved.awaitUninterruptibly();
                        }
                    } finally {
                        blocked.decrementAndGet();
                    }
                }
                if (closed) {
                    throw new IOException("Broken pipe (the host closed stdout)");
                }
                written.write(b, off, len);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            lock.lock();
            try {
                closed = true;
                moved.signalAll();
            } finally {
                lock.unlock();
            }
        }

        private List<JsonNode> messages() {
            String text;
            lock.lock();
            try {
                text = written.toString(StandardCharsets.UTF_8);
            } finally {
                lock.unlock();
            }
            return text.lines().filter(l -> !l.isBlank()).map(GatewayClient::parse).toList();
        }

        /** The responses written so far, by id. */
        Map<Integer, JsonNode> responses() {
            Map<Integer, JsonNode> byId = new HashMap<>();
            for (JsonNode m : messages()) {
                if (m.has("id") && !m.has("method")) {
                    byId.put(m.get("id").asInt(), m);
                }
            }
            return byId;
        }

        long notifications(String method) {
            return messages().stream().filter(m -> method.equals(m.path("method").asText())).count();
        }
    }
}
