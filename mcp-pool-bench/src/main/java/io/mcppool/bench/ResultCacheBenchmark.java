package io.mcppool.bench;

import io.mcppool.McpPool;
import io.mcppool.config.CacheSettings;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.PoolSettings;
import io.mcppool.config.ServerConfig;
import io.mcppool.protocol.CallToolResult;
import io.mcppool.testkit.InProcessServer;
import io.mcppool.testkit.TestkitCommand;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * What a result cache hit costs against an uncached call of the testkit {@code echo} tool: one blocking
 * {@code McpPool.callTool} at a time, average latency in microseconds.
 *
 * <ul>
 *   <li>{@code cache=hit}: a trusted server with a server-wide cache (echo is read-only): every call after the first
 *       is answered from memory (canonical key, region lookup, a copy of the result, the call's events);</li>
 *   <li>{@code cache=uncached}: the same server without a cache block: every call goes to the server.</li>
 * </ul>
 *
 * {@code transport}: {@code inproc} is the testkit server in this JVM (no process, two thread hand-offs per
 * call); {@code stdio} is the testkit server as a child process over pipes, as a real deployment runs it. Run
 * it with {@code java -jar mcp-pool-bench.jar jmh ResultCache}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
public class ResultCacheBenchmark {
    static final String SERVER = "testkit";

    /** A pool with the testkit server, its cache block on ({@code hit}) or absent ({@code uncached}). */
    @State(Scope.Benchmark)
    public static class PoolState {
        @Param({"hit", "uncached"})
        public String cache;

        @Param({"inproc", "stdio"})
        public String transport;

        InProcessServer server;
        McpPool pool;
        Map<String, String> arguments;

        boolean cached() {
            return cache.equals("hit");
        }

        @Setup(Level.Trial)
        public void setUp() {
            EndpointConfig endpoint;
            if (transport.equals("stdio")) {
                List<String> cmd = TestkitCommand.stdio();
                endpoint = new EndpointConfig.Stdio(cmd.get(0), cmd.subList(1, cmd.size()), Map.of(), Optional.empty(),
                        Duration.ofSeconds(2));
            } else {
                server = InProcessServer.create();
                endpoint = new EndpointConfig.Custom("inproc", server.transportFactory());
            }
            pool = McpPool.builder()
                    .server(ServerConfig.builder(SERVER, endpoint).trusted(true)
                            .cache(cached() ? CacheSettings.ttl(Duration.ofHours(1)) : CacheSettings.OFF)
                            .pool(PoolSettings.builder().minSessions(1).maxSessions(1).build())
                            .build())
                    .build();
            pool.listTools(SERVER); // the session is open and echo's annotations are known
            arguments = Map.of("message", "hello");
            CallToolResult first = pool.callTool(SERVER, "echo", arguments);
            if (!"hello".equals(first.text())) {
                throw new IllegalStateException("echo answered " + first.text());
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (cached() && pool.resultCache().stats().misses() != 1) {
                throw new IllegalStateException("the cached runs were not all hits: " + pool.resultCache().stats());
            }
            pool.close();
        }
    }

    @Benchmark
    public CallToolResult echo(PoolState s) {
        return s.pool.callTool(SERVER, "echo", s.arguments);
    }
}
