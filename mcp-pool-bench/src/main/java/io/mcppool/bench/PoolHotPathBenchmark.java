package io.mcppool.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.McpPool;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.PoolSettings;
import io.mcppool.config.ServerConfig;
import io.mcppool.internal.pool.Lease;
import io.mcppool.internal.pool.PoolContext;
import io.mcppool.internal.pool.SessionPool;
import io.mcppool.protocol.CallToolResult;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.McpMethods;
import io.mcppool.internal.protocol.ResultBinding;
import io.mcppool.internal.session.McpSession;
import io.mcppool.internal.session.SessionOptions;
import io.mcppool.testkit.InProcessServer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * The pool's hot path without processes or sockets, against the testkit's in-process server:
 *
 * <ul>
 *   <li>{@code slotAcquireRelease_*}: take and give back one in-flight slot on a {@link SessionPool}
 *       with one open session (no message is sent): the pool's own cost per call;</li>
 *   <li>{@code poolCallTool_*}: a whole {@code McpPool.callTool} round trip of the {@code echo} tool
 *       (arguments to JSON, slot, request, in-process server, answer, result binding, release);</li>
 *   <li>{@code sessionCallTool_*}: the same round trip on one shared {@link McpSession} without the
 *       pool, with the same JSON work on both ends: the difference to {@code poolCallTool} is what the
 *       pool adds;</li>
 *   <li>{@code directPoolCallTool_*} and {@code directSessionCallTool_*}: the same two, over a
 *       {@link DirectEchoTransport} that answers on the caller's thread. The in-process server hands
 *       every message to another thread twice, and those hand-offs cost more (and vary more) than
 *       everything else; without them, what is left is the client's own CPU per call, so the
 *       difference between these two is the pool's cost per call, to the nanosecond.</li>
 * </ul>
 *
 * Each at 1 and 4 threads. Throughput in calls per second (summed over the threads). Run it with
 * {@code java -jar mcp-pool-bench.jar jmh PoolHotPath}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PoolHotPathBenchmark {
    static final String SERVER = "inproc";

    /** A pool over the in-process server: maxSessions 4, maxConcurrentRequests 16 (the defaults). */
    @State(Scope.Benchmark)
    public static class PoolState {
        InProcessServer server;
        McpPool pool;
        Map<String, String> arguments;

        @Setup(Level.Trial)
        public void setUp() {
            server = InProcessServer.create();
            pool = McpPool.builder()
                    .server(ServerConfig.builder(SERVER, new EndpointConfig.Custom("inproc", server.transportFactory()))
                            .pool(PoolSettings.builder().minSessions(1).maxSessions(4).maxConcurrentRequests(16).build())
                            .build())
                    .build();
            pool.listTools(SERVER); // the first session is open and the tool list cached
            arguments = Map.of("message", "hello");
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            pool.close();
        }
    }

    /** A pool over {@link DirectEchoTransport}s, sized as {@link PoolState}. */
    @State(Scope.Benchmark)
    public static class DirectPoolState {
        McpPool pool;
        Map<String, String> arguments;

        @Setup(Level.Trial)
        public void setUp() {
            pool = McpPool.builder()
                    .server(ServerConfig.builder(SERVER, new EndpointConfig.Custom("direct", DirectEchoTransport::new))
                            .pool(PoolSettings.builder().minSessions(1).maxSessions(4).maxConcurrentRequests(16).build())
                            .build())
                    .build();
            pool.listTools(SERVER);
            arguments = Map.of("message", "hello");
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            pool.close();
        }
    }

    /** One session over a {@link DirectEchoTransport}, shared by every benchmark thread. */
    @State(Scope.Benchmark)
    public static class DirectSessionState {
        ScheduledThreadPoolExecutor timer;
        McpSession session;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            timer = daemonTimer("bench-direct-timer");
            session = new McpSession(new DirectEchoTransport(), new SessionOptions(SERVER, Duration.ofSeconds(10)), timer,
                    null);
            session.open().get(10, TimeUnit.SECONDS);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            session.close();
            timer.shutdownNow();
        }
    }

    /** One session over the in-process server, shared by every benchmark thread. */
    @State(Scope.Benchmark)
    public static class SessionState {
        InProcessServer server;
        ScheduledThreadPoolExecutor timer;
        McpSession session;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            server = InProcessServer.create();
            timer = daemonTimer("bench-session-timer");
            session = new McpSession(server.newTransport(), new SessionOptions(SERVER, Duration.ofSeconds(10)), timer, null);
            session.open().get(10, TimeUnit.SECONDS);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            session.close();
            timer.shutdownNow();
        }
    }

    /** A bare {@link SessionPool} (no McpPool around it) with one open in-process session. */
    @State(Scope.Benchmark)
    public static class SlotState {
        InProcessServer server;
        ScheduledThreadPoolExecutor timer;
        ExecutorService background;
        SessionPool slots;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            server = InProcessServer.create();
            timer = daemonTimer("bench-slots-timer");
            background = Executors.newVirtualThreadPerTaskExecutor();
            SessionOptions options = new SessionOptions(SERVER, Duration.ofSeconds(10));
            PoolSettings settings = PoolSettings.builder().minSessions(1).maxSessions(4).maxConcurrentRequests(16).build();
            slots = new SessionPool(new PoolContext(SERVER, "inproc", Duration.ofSeconds(10),
                    listener -> new McpSession(server.newTransport(), options, timer, listener), timer, background,
                    io.mcppool.internal.pool.SessionNotices.NONE, io.mcppool.events.PoolEvents.NONE,
                    new io.mcppool.internal.pool.ProcessSupervisor(io.mcppool.config.SupervisionSettings.DEFAULTS)), settings);
            slots.start();
            slots.acquire(null, TimeUnit.SECONDS.toNanos(10)).get(10, TimeUnit.SECONDS).release(); // the session is open
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            slots.close(Duration.ofSeconds(1));
            background.shutdownNow();
            timer.shutdownNow();
        }
    }

    static ScheduledThreadPoolExecutor daemonTimer(String name) {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        // as the pool's timer has its housekeeping: without a periodic task, each request's deadline is the
        // queue's head and scheduling it wakes the timer thread, which would handicap the bare session
        timer.scheduleWithFixedDelay(() -> { }, 1, 1, TimeUnit.SECONDS);
        return timer;
    }

    // ------------------------------------------------------------------ slot only

    private static Lease acquireRelease(SlotState s) {
        Lease lease = s.slots.acquire(null, TimeUnit.SECONDS.toNanos(5)).join();
        lease.release();
        return lease;
    }

    @Benchmark
    @Threads(1)
    public Lease slotAcquireRelease_1t(SlotState s) {
        return acquireRelease(s);
    }

    @Benchmark
    @Threads(4)
    public Lease slotAcquireRelease_4t(SlotState s) {
        return acquireRelease(s);
    }

    // ------------------------------------------------------------------ whole call through the pool

    @Benchmark
    @Threads(1)
    public CallToolResult poolCallTool_1t(PoolState s) {
        return s.pool.callTool(SERVER, "echo", s.arguments);
    }

    @Benchmark
    @Threads(4)
    public CallToolResult poolCallTool_4t(PoolState s) {
        return s.pool.callTool(SERVER, "echo", s.arguments);
    }

    /** The same call through {@code callToolAsync}, waited for: what an async caller pays beside the blocking one. */
    @Benchmark
    @Threads(1)
    public CallToolResult poolCallToolAsync_1t(PoolState s) {
        return s.pool.callToolAsync(SERVER, "echo", s.arguments).join();
    }

    @Benchmark
    @Threads(4)
    public CallToolResult poolCallToolAsync_4t(PoolState s) {
        return s.pool.callToolAsync(SERVER, "echo", s.arguments).join();
    }

    // ------------------------------------------------------------------ whole call on one session, no pool

    /** What the pool does around the request, without the pool: arguments to a tree, result bound. */
    private static CallToolResult sessionCall(McpSession session) {
        ObjectNode params = Json.object();
        params.put("name", "echo");
        params.set("arguments", Json.toTree(Map.of("message", "hello")));
        JsonNode result = session.request(McpMethods.TOOLS_CALL, params, TimeUnit.SECONDS.toNanos(30), null).join();
        return ResultBinding.callToolResult(result); // the same binding as the pool's
    }

    @Benchmark
    @Threads(1)
    public CallToolResult sessionCallTool_1t(SessionState s) {
        return sessionCall(s.session);
    }

    @Benchmark
    @Threads(4)
    public CallToolResult sessionCallTool_4t(SessionState s) {
        return sessionCall(s.session);
    }

    // ------------------------------------------------------------------ the same two, answered on the caller's thread

    @Benchmark
    @Threads(1)
    public CallToolResult directPoolCallTool_1t(DirectPoolState s) {
        return s.pool.callTool(SERVER, "echo", s.arguments);
    }

    @Benchmark
    @Threads(1)
    public CallToolResult directPoolCallToolAsync_1t(DirectPoolState s) {
        return s.pool.callToolAsync(SERVER, "echo", s.arguments).join();
    }

    @Benchmark
    @Threads(4)
    public CallToolResult directPoolCallTool_4t(DirectPoolState s) {
        return s.pool.callTool(SERVER, "echo", s.arguments);
    }

    @Benchmark
    @Threads(1)
    public CallToolResult directSessionCallTool_1t(DirectSessionState s) {
        return sessionCall(s.session);
    }

    @Benchmark
    @Threads(4)
    public CallToolResult directSessionCallTool_4t(DirectSessionState s) {
        return sessionCall(s.session);
    }
}
