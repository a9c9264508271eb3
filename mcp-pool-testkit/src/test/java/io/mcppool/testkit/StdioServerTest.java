package io.mcppool.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.protocol.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The stdio runner in a real child JVM, spoken to line by line. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StdioServerTest {

    @Test
    void handshakeAndPaginatedToolList() throws Exception {
        try (StdioPeer peer = new StdioPeer("--extra-tools", "250", "--tools-page-size", "100")) {
            JsonNode init = peer.call(1, "initialize", Wire.initializeParams("2025-06-18")).get("result");
            assertThat(init.path("protocolVersion").asText()).isEqualTo("2025-06-18");
            assertThat(init.path("serverInfo").path("name").asText()).isEqualTo("mcp-pool-testkit");
            assertThat(init.path("capabilities").path("tools").path("listChanged").asBoolean()).isTrue();
            for (String cap : List.of("resources", "prompts", "logging")) {
                assertThat(init.path("capabilities").has(cap)).as(cap).isTrue();
            }
            peer.notify("notifications/initialized", null);

            List<String> names = new ArrayList<>();
            List<Integer> pageSizes = new ArrayList<>();
            String cursor = null;
            long id = 10;
            do {
                JsonNode params = cursor == null ? null : Json.object().put("cursor", cursor);
                JsonNode result = peer.call(id++, "tools/list", params).get("result");
                pageSizes.add(result.get("tools").size());
                result.get("tools").forEach(t -> {
                    names.add(t.get("name").asText());
                    assertThat(t.path("inputSchema").path("type").asText()).isEqualTo("object");
                });
                cursor = result.hasNonNull("nextCursor") ? result.get("nextCursor").asText() : null;
            } while (cursor != null);

            int builtins = TestServer.create().tools().size();
            assertThat(names).hasSize(builtins + 250).contains("echo", "sleep", "tool_0001", "tool_0250");
            assertThat(new HashSet<>(names)).hasSameSizeAs(names);
            assertThat(pageSizes).containsExactly(100, 100, builtins + 50);

            JsonNode bad = peer.call(id, "tools/list", Json.object().put("cursor", "not-a-cursor"));
            assertThat(bad.path("error").path("code").asInt()).isEqualTo(-32602);

            assertThat(peer.closeStdin()).as("exit code after EOF").isZero();
        }
    }

    @Test
    void answersTheBasicsAndRefusesWhatItShould() throws Exception {
        try (StdioPeer peer = new StdioPeer()) {
            // before initialize: ping works, everything else is refused
            assertThat(peer.call(1, "ping", null).has("result")).isTrue();
            assertThat(peer.call(2, "tools/list", null).path("error").path("code").asInt()).isEqualTo(-32600);

            JsonNode init = peer.call(3, "initialize", Wire.initializeParams("1999-01-01")).get("result");
            assertThat(init.path("protocolVersion").asText()).isEqualTo("2025-11-25");
            peer.notify("notifications/initialized", null);

            String message = "héllo \"world\"\n\ttabs and ünïcode ✓";
            JsonNode echo = peer.callTool(4, "echo", Wire.args("message", message));
            assertThat(Wire.text(echo)).isEqualTo(message);
            assertThat(echo.path("result").has("isError")).isFalse();

            JsonNode add = peer.callTool(5, "add", Wire.args("a", 2, "b", 3));
            assertThat(Wire.text(add)).isEqualTo("5");
            assertThat(add.path("result").path("structuredContent").path("sum").asLong()).isEqualTo(5);

            JsonNode fail = peer.callTool(6, "fail", Wire.args("message", "boom"));
            assertThat(fail.path("result").path("isError").asBoolean()).isTrue();
            assertThat(Wire.text(fail)).isEqualTo("boom");

            JsonNode unknownTool = peer.callTool(7, "no_such_tool", null);
            assertThat(unknownTool.path("error").path("code").asInt()).isEqualTo(-32602);
            assertThat(unknownTool.path("error").path("message").asText()).isEqualTo("Unknown tool: no_such_tool");

            JsonNode badArgs = peer.callTool(8, "echo", Wire.args("message", 42));
            assertThat(badArgs.path("result").path("isError").asBoolean()).isTrue();

            assertThat(peer.call(9, "no/such/method", null).path("error").path("code").asInt()).isEqualTo(-32601);

            peer.sendLine("this is not json");
            JsonNode parseError = peer.await(m -> m.has("error") && m.get("id").isNull(), StdioPeer.WAIT);
            assertThat(parseError.path("error").path("code").asInt()).isEqualTo(-32700);

            JsonNode readme = peer.call(10, "resources/read", Json.object().put("uri", "testkit://readme"));
            assertThat(readme.path("result").path("contents").path(0).path("text").asText()).contains("testkit");
            JsonNode prompt = peer.call(11, "prompts/get", Json.object().put("name", "greeting")
                    .set("arguments", Json.object().put("name", "Ada")));
            assertThat(prompt.path("result").path("messages").path(0).path("content").path("text").asText())
                    .contains("Ada");

            // garbage: non-JSON lines on stdout, then the normal answer
            peer.request(12, "tools/call", Wire.toolCall("garbage", Wire.args("lines", 2)));
            String first = peer.nextLine(StdioPeer.WAIT);
            String second = peer.nextLine(StdioPeer.WAIT);
            assertThat(first).isNotNull().doesNotStartWith("{");
            assertThat(second).isNotNull().doesNotStartWith("{");
            assertThat(Wire.text(peer.response(12))).isEqualTo("ok");
        }
    }

    @Test
    void sleepReportsProgressAndSlowCallsDoNotBlockOthers() throws Exception {
        try (StdioPeer peer = new StdioPeer()) {
            peer.initialize();
            peer.request(1, "tools/call", Wire.withProgressToken(
                    Wire.toolCall("sleep", Wire.args("ms", 600, "steps", 3)), "tok-1"));
            // answered while the sleep is still running: requests are handled concurrently
            JsonNode echo = peer.callTool(2, "echo", Wire.args("message", "fast"));
            assertThat(Wire.text(echo)).isEqualTo("fast");
            assertThat(peer.seen.stream().anyMatch(m -> m.path("id").asLong(-1) == 1 && m.has("result"))).isFalse();

            JsonNode done = peer.response(1);
            assertThat(Wire.text(done)).isEqualTo("slept 600ms");
            List<JsonNode> progress = peer.seen.stream()
                    .filter(m -> "notifications/progress".equals(m.path("method").asText())).toList();
            assertThat(progress).hasSize(3);
            for (int i = 0; i < 3; i++) {
                JsonNode p = progress.get(i).get("params");
                assertThat(p.path("progressToken").asText()).isEqualTo("tok-1");
                assertThat(p.path("progress").asDouble()).isEqualTo(i + 1);
                assertThat(p.path("total").asDouble()).isEqualTo(3);
                assertThat(p.path("message").asText()).isNotEmpty();
            }
        }
    }

    @Test
    void cancellationStopsTheSleepAndIsRecorded() throws Exception {
        try (StdioPeer peer = new StdioPeer()) {
            peer.initialize();
            long start = System.nanoTime();
            peer.request(7, "tools/call", Wire.toolCall("sleep", Wire.args("ms", 30_000)));
            peer.notify("notifications/cancelled", Json.object().put("requestId", 7).put("reason", "test"));
            JsonNode stats = peer.callTool(8, "stats", null).path("result").path("structuredContent");
            assertThat(stats.path("cancelled").toString()).isEqualTo("[7]");
            assertThat(stats.path("executions").path("sleep").asInt()).isEqualTo(1);
            assertThat(stats.path("executionsByRequest").path(stats.path("sessionId").asText()).path("7").asInt())
                    .isEqualTo(1);
            // the spec: no answer for a cancelled request (give it a moment to misbehave)
            String late = peer.nextLine(Duration.ofMillis(300));
            assertThat(late).isNull();
            assertThat(peer.seen).noneMatch(m -> m.path("id").asLong(-1) == 7);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
            // the sleeping thread really stopped: the session still answers
            assertThat(Wire.text(peer.callTool(9, "echo", Wire.args("message", "alive")))).isEqualTo("alive");
        }
    }

    @Test
    void counterIsPerSessionAndRecordCounts() throws Exception {
        try (StdioPeer a = new StdioPeer(); StdioPeer b = new StdioPeer()) {
            a.initialize();
            b.initialize();
            a.callTool(1, "counter", Wire.args("action", "increment"));
            a.callTool(2, "counter", Wire.args("action", "increment"));
            b.callTool(1, "counter", Wire.args("action", "increment"));
            assertThat(Wire.text(a.callTool(3, "counter", Wire.args("action", "get")))).isEqualTo("2");
            assertThat(Wire.text(b.callTool(3, "counter_get", null))).isEqualTo("1");
            assertThat(Wire.text(a.callTool(4, "record", Wire.args("key", "k")))).isEqualTo("1");
            assertThat(Wire.text(a.callTool(5, "record", Wire.args("key", "k")))).isEqualTo("2");
            JsonNode stats = a.callTool(6, "stats", null).path("result").path("structuredContent");
            assertThat(stats.path("records").path("k").asInt()).isEqualTo(2);
            assertThat(stats.path("pid").asLong()).isEqualTo(a.process.pid());
        }
    }

    @Test
    void journalCountsRecordsAcrossProcessesAndLabelMarksEach(@TempDir Path dir) throws Exception {
        Path journal = dir.resolve("journal.txt");
        try (StdioPeer a = new StdioPeer("--journal", journal.toString(), "--label", "replica-a");
             StdioPeer b = new StdioPeer("--journal", journal.toString(), "--label", "replica-b")) {
            JsonNode init = a.initialize();
            assertThat(init.path("serverInfo").path("title").asText()).isEqualTo("mcp-pool testkit server: replica-a");
            assertThat(init.path("serverInfo").path("name").asText()).isEqualTo("mcp-pool-testkit");
            b.initialize();
            assertThat(Files.exists(journal)).as("nothing recorded yet").isFalse();
            a.callTool(1, "record", Wire.args("key", "k1"));
            b.callTool(1, "record", Wire.args("key", "k2"));
            a.callTool(2, "record", Wire.args("key", "k1"));
            a.callTool(3, "echo", Wire.args("message", "not journalled"));
            // each line is in the file by the time the call answered
            assertThat(Files.readAllLines(journal)).containsExactly("k1", "k2", "k1");
            JsonNode stats = b.callTool(2, "stats", null).path("result").path("structuredContent");
            assertThat(stats.path("label").asText()).isEqualTo("replica-b");
            assertThat(b.process.info().arguments().map(List::of).orElse(List.of())).contains("--label", "replica-b");
        }
        try (StdioPeer plain = new StdioPeer()) {
            assertThat(plain.initialize().path("serverInfo").path("title").asText()).isEqualTo("mcp-pool testkit server");
            assertThat(plain.callTool(1, "stats", null).path("result").path("structuredContent").has("label")).isFalse();
        }
    }

    @Test
    void crashExitsWithTheGivenCodeAndNoAnswer() throws Exception {
        try (StdioPeer peer = new StdioPeer()) {
            peer.initialize();
            peer.request(1, "tools/call", Wire.toolCall("crash", Wire.args("exitCode", 3)));
            assertThat(peer.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(peer.process.exitValue()).isEqualTo(3);
            assertThat(peer.nextLine(Duration.ofMillis(200))).isNull();
        }
    }

    @Test
    void startupOptionsAndSigterm() throws Exception {
        try (StdioPeer peer = new StdioPeer("--protocol-version", "2025-03-26", "--slow-start", "300",
                "--stderr-noise")) {
            long start = System.nanoTime();
            JsonNode init = peer.call(1, "initialize", Wire.initializeParams("2025-11-25")).get("result");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
            assertThat(init.path("protocolVersion").asText()).isEqualTo("2025-03-26");
            peer.process.destroy(); // SIGTERM
            assertThat(peer.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(peer.stderr()).contains("initialize");
        }
        try (StdioPeer peer = new StdioPeer("--hang-initialize")) {
            peer.request(1, "initialize", Wire.initializeParams("2025-11-25"));
            assertThat(peer.nextLine(Duration.ofMillis(500))).isNull();
            assertThat(peer.call(2, "ping", null).has("result")).isTrue();
        }
    }

    @Test
    void optionsRoundTripThroughFlags() {
        TestkitOptions options = TestkitOptions.builder().toolsPageSize(7).extraTools(3)
                .slowStart(Duration.ofMillis(20)).hangInitialize(true).protocolVersion("2025-06-18")
                .stderrNoise(true).journal(Path.of("some dir", "journal.txt")).label("a label").conformance(true)
                .sequential(true).stopReadingAfter(5).floodNotifications(9).floodBytes(10).forkOnStart(true).build();
        assertThat(TestkitOptions.parse(options.toArgs())).isEqualTo(options);
        assertThat(TestkitOptions.defaults().toArgs()).isEmpty();
        Set<String> flags = new HashSet<>(options.toArgs());
        assertThat(flags).contains("--tools-page-size", "--extra-tools", "--slow-start", "--hang-initialize",
                "--protocol-version", "--stderr-noise", "--journal", "--label", "a label", "--conformance",
                "--sequential", "--stop-reading-after", "--flood-notifications", "--flood-bytes", "--fork-on-start");
        assertThat(options.stdioOnlyFlags()).containsExactly("--sequential", "--stop-reading-after",
                "--flood-notifications", "--fork-on-start");
        assertThat(TestkitOptions.defaults().stdioOnlyFlags()).isEmpty();
    }
}
