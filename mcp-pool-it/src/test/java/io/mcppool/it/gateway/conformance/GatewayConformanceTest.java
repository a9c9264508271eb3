package io.mcppool.it.gateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.mcppool.config.ConfigLoader;
import io.mcppool.config.McpPoolConfig;
import io.mcppool.gateway.Gateway;
import io.mcppool.testkit.TestkitCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
        Path root = ConformanceSuite.repoRoot();
        ConformanceSuite.node();
        // Sticky: each client session gets its own upstream session, so the fixtures' log messages, resource
        // updates, sampling and elicitation requests reach the client that caused them.
        List<String> cmd = TestkitCommand.stdio("--conformance");
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
            ConformanceSuite.Run run = ConformanceSuite.run(List.of("bash", root.resolve("scripts/conformance.sh").toString(),
                    gateway.mcpUri().toString()), Map.of(), dir.resolve("conformance.log"), 240);
            String out = run.output();
            assertThat(run.exitCode()).as(out).isZero();
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
}
