package io.mcppool.it.interop;

import io.mcppool.McpPool;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.PoolSettings;
import io.mcppool.config.ServerConfig;
import io.mcppool.protocol.Progress;
import io.mcppool.protocol.Tool;
import io.mcppool.testkit.TestkitCommand;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Small shared pieces of the interop tests: pools of one server, testkit endpoints, progress recording. */
final class Interop {
    /** Per-request deadline for these tests: generous, but a hang still ends well inside the class timeout. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

    private Interop() {
    }

    /** A pool of one server, {@code minSessions} warm, up to {@code maxSessions}. */
    /**
     * Waits (bounded) until the catalog has listed the server and nothing is in flight: the catalog lists in
     * the background when a session joins (and again on list_changed), and a test that stops the server, counts
     * its requests or closes the pool must not race those requests.
     */
    static void quiet(McpPool pool, String server) {
        pool.catalog().loaded(server).copy().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> pool.snapshot().servers().stream().filter(s -> s.name().equals(server))
                        .flatMap(s -> s.endpoints().stream()).mapToInt(e -> e.inFlight()).sum() == 0);
    }

    static McpPool pool(String name, EndpointConfig endpoint, int minSessions, int maxSessions) {
        return McpPool.builder().server(server(name, endpoint, minSessions, maxSessions)).build();
    }

    static ServerConfig server(String name, EndpointConfig endpoint, int minSessions, int maxSessions) {
        return ServerConfig.builder(name, endpoint)
                .callTimeout(CALL_TIMEOUT)
                .connectTimeout(CONNECT_TIMEOUT)
                // A call may wait for a server's first session as long as the session may take to open: a Node server
                // started on a loaded machine takes seconds, which the default 5 s acquire timeout does not always cover.
                .pool(PoolSettings.builder().minSessions(minSessions).maxSessions(maxSessions)
                        .acquireTimeout(CONNECT_TIMEOUT).build())
                .build();
    }

    /** The testkit server as a child JVM speaking stdio, with these flags. */
    static EndpointConfig.Stdio testkitStdio(String... args) {
        List<String> cmd = TestkitCommand.stdio(args);
        return new EndpointConfig.Stdio(cmd.get(0), cmd.subList(1, cmd.size()));
    }

    static List<String> names(List<Tool> tools) {
        return tools.stream().map(Tool::name).toList();
    }

    /** Records the progress notifications of one call, in the order the listener saw them. */
    static final class ProgressLog implements Consumer<Progress> {
        private final List<Progress> seen = new CopyOnWriteArrayList<>();
        private final List<String> threads = new CopyOnWriteArrayList<>();

        @Override
        public void accept(Progress p) {
            seen.add(p);
            threads.add(Thread.currentThread().getName());
        }

        List<Progress> all() {
            return List.copyOf(seen);
        }

        List<Double> values() {
            return seen.stream().map(Progress::progress).toList();
        }
    }
}
