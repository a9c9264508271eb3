package io.mcppool.it.gateway.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.gateway.Gateway;
import io.mcppool.testkit.TestkitCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MCP Inspector CLI ({@code @modelcontextprotocol/inspector --cli}, a client nobody here wrote) against
 * the gateway over Streamable HTTP, and driving {@code mcp-pool stdio} as an ordinary stdio server. Its exit
 * codes: 0 ok, 5 a tool error. Its HOME is a temp folder (it keeps a catalog file there).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class InspectorCliTest {
    @TempDir
    static Path dir;
    static Gateway gateway;

    @BeforeAll
    static void startGateway() {
        gateway = Peers.testkitGateway();
    }

    @AfterAll
    static void stopGateway() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void listsToolsThroughTheGateway() {
        Exec.Result r = inspector("--cli", gateway.mcpUri().toString(), "--method", "tools/list");
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(toolNames(CurlTest.json(r.stdout()))).as(r.describe())
                .contains("testkit__echo", "testkit__sleep", "testkit__fail", "testkit__stats")
                .allSatisfy(n -> assertThat(n).startsWith("testkit__"));
    }

    @Test
    void callsAToolThroughTheGateway() {
        Exec.Result r = inspector("--cli", gateway.mcpUri().toString(),
                "--method", "tools/call", "--tool-name", "testkit__echo", "--tool-arg", "message=hi");
        assertThat(r.exitCode()).as(r.describe()).isZero();
        JsonNode result = CurlTest.json(r.stdout());
        assertThat(result.at("/content/0/text").asText()).as(r.describe()).isEqualTo("hi");
        assertThat(result.path("isError").asBoolean(false)).isFalse();
    }

    @Test
    void aToolErrorThroughTheGatewayExitsWithFive() {
        Exec.Result r = inspector("--cli", gateway.mcpUri().toString(),
                "--method", "tools/call", "--tool-name", "testkit__fail", "--tool-arg", "message=boom");
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(5);
        JsonNode result = CurlTest.json(r.stdout());
        assertThat(result.path("isError").asBoolean()).as(r.describe()).isTrue();
        assertThat(result.at("/content/0/text").asText()).isEqualTo("boom");
    }

    @Test
    void drivesMcpPoolStdioAsAStdioServer() throws IOException {
        // The config names the testkit by the loader's built-in variables, so it runs from the mcp-pool jar
        // mcp-pool stdio itself runs from; the label finds its processes afterwards, wherever they were reparented.
        String label = "inspector-stdio-" + UUID.randomUUID();
        Path config = dir.resolve("stdio.yaml");
        Files.writeString(config, """
                servers:
                  testkit:
                    command: ${MCP_POOL_JAVA}
                    args: [%s, -cp, "${MCP_POOL_CLASSPATH}", io.mcppool.testkit.TestkitServer, --label, %s]
                    pool: { minSessions: 1, maxSessions: 1 }
                """.formatted(String.join(", ", TestkitCommand.JVM_FLAGS.stream().map(f -> "\"" + f + "\"").toList()), label));
        List<String> server = List.of(TestkitCommand.javaExecutable(), "-jar", Peers.gatewayJar().toString(),
                "stdio", "--config", config.toString());

        // Options before "--", the server's command line after it: mcp-pool's own --config must not reach the Inspector.
        Exec.Result list = inspector(with(List.of("--cli", "--method", "tools/list", "--"), server));
        assertThat(list.exitCode()).as(list.describe()).isZero();
        assertThat(toolNames(CurlTest.json(list.stdout()))).as(list.describe())
                .contains("testkit__echo", "testkit__sleep", "testkit__stats");
        awaitNoProcessWith(label);

        Exec.Result call = inspector(with(List.of("--cli", "--method", "tools/call", "--tool-name", "testkit__echo",
                "--tool-arg", "message=hi over stdio", "--"), server));
        assertThat(call.exitCode()).as(call.describe()).isZero();
        assertThat(CurlTest.json(call.stdout()).at("/content/0/text").asText()).as(call.describe())
                .isEqualTo("hi over stdio");
        awaitNoProcessWith(label);
    }

    /** When the Inspector closes the stdio server's stdin, mcp-pool stdio ends and takes its upstream along. */
    private static void awaitNoProcessWith(String label) {
        await("no process left with " + label).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> ProcessHandle.allProcesses()
                        .noneMatch(p -> p.isAlive() && p.info().commandLine().orElse("").contains(label)));
    }

    private static Exec.Result inspector(String... args) {
        return inspector(List.of(args));
    }

    private static Exec.Result inspector(List<String> args) {
        List<String> cmd = with(List.of(Peers.node(), Peers.inspector().toString()), args);
        return Exec.run(cmd, Map.of("HOME", dir.toString()), dir, Peers.STEP_TIMEOUT);
    }

    private static List<String> with(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    static List<String> toolNames(JsonNode listResult) {
        List<String> names = new ArrayList<>();
        listResult.path("tools").forEach(t -> names.add(t.path("name").asText()));
        return names;
    }
}
