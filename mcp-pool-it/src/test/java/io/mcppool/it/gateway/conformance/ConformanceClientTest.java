package io.mcppool.it.gateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.mcppool.testkit.TestkitCommand;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official conformance suite's client mode against mcp-pool as a client: {@code conformance client --command
 * "scripts/conformance-client.sh" --scenario S}. The suite starts the scenario's server; the script plays the
 * scenario through the public API ({@code mcp-pool conformance-client URL}, one pooled Streamable HTTP server) in a
 * JVM on this test's class path. The suite fails a scenario on any FAILURE or WARNING check and on a non-zero exit of
 * the client.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ConformanceClientTest {

    /**
     * The handshake, then {@code tools/list}. The scenario's server (suite 0.1.16) answers
     * {@code notifications/initialized} with 200 and the body {@code {"jsonrpc":"2.0","result":{}}}, which is not
     * a response to anything: the client must ignore it, as the SDK clients do, rather than fail the handshake.
     */
    @Test
    void initialize(@TempDir Path dir) throws Exception {
        assertPasses("initialize", dir);
    }

    /**
     * SEP-1699: the server closes the {@code tools/call} stream after a priming event with {@code retry: 500}; the
     * client must reconnect with GET after 500 ms (the suite accepts 450 to 700 ms), with {@code Last-Event-ID},
     * and take the answer from that stream.
     */
    @Test
    void sseRetry(@TempDir Path dir) throws Exception {
        assertPasses("sse-retry", dir);
    }

    private static void assertPasses(String scenario, Path dir) throws Exception {
        String script = ConformanceSuite.repoRoot().resolve("scripts/conformance-client.sh").toString();
        // The suite splits --command on spaces.
        assertThat(script).as("the checkout's path must not contain spaces").doesNotContain(" ");
        List<String> command = List.of(ConformanceSuite.node().toString(), ConformanceSuite.suite().toString(),
                "client", "--command", script, "--scenario", scenario);
        Map<String, String> env = Map.of("MCP_POOL_CLASSPATH", System.getProperty("java.class.path"),
                "MCP_POOL_JAVA", TestkitCommand.javaExecutable());
        ConformanceSuite.Run run = ConformanceSuite.run(command, env, dir.resolve(scenario + ".log"), 120);
        assertThat(run.output()).contains("OVERALL: PASSED").doesNotContain("Client exited with code");
        assertThat(run.exitCode()).as(run.output()).isZero();
    }
}
