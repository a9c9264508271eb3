package io.mcppool.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The stdio fixtures that misbehave the way real servers do, for the saturation suite: a strictly sequential
 * server, one that stops reading, one that floods stdout, one that exits leaving a child holding its stdout.
 * Each is checked on the wire, in a real child JVM.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HostileFixturesTest {
    private static final Duration WAIT = StdioPeer.WAIT;
    private final String label = "hostile-fixtures-" + ProcessHandle.current().pid() + "-" + System.nanoTime();

    @AfterEach
    void endOrphans() {
        TestkitOrphans.destroy(label);
    }

    @Test
    void sequentialAnswersEachRequestBeforeItReadsTheNext() throws Exception {
        // The default server runs calls concurrently: the echo overtakes the sleep sent before it.
        try (StdioPeer peer = new StdioPeer()) {
            peer.initialize();
            peer.request(1, "tools/call", Wire.toolCall("sleep", Wire.args("ms", 500)));
            peer.request(2, "tools/call", Wire.toolCall("echo", Wire.args("message", "second")));
            assertThat(firstAnswer(peer).path("id").asLong()).isEqualTo(2);
        }
        try (StdioPeer peer = new StdioPeer("--sequential")) {
            peer.initialize();
            peer.request(1, "tools/call", Wire.toolCall("sleep", Wire.args("ms", 500)));
            peer.request(2, "tools/call", Wire.toolCall("echo", Wire.args("message", "second")));
            JsonNode first = firstAnswer(peer);
            assertThat(first.path("id").asLong()).as("the sleep, read first, is answered first").isEqualTo(1);
            assertThat(Wire.text(first)).isEqualTo("slept 500ms");
            assertThat(Wire.text(peer.response(2))).isEqualTo("second");
            assertThat(peer.closeStdin()).as("exit code after EOF").isZero();
        }
    }

    @Test
    void stopReadingAfterNMessagesLeavesTheRestUnreadAndIgnoresEof() throws Exception {
        try (StdioPeer peer = new StdioPeer("--stop-reading-after", "3")) {
            peer.initialize(); // messages 1 and 2
            assertThat(Wire.text(peer.callTool(1, "echo", Wire.args("message", "third")))).isEqualTo("third");
            peer.request(2, "tools/call", Wire.toolCall("echo", Wire.args("message", "fourth")));
            assertThat(peer.nextLine(Duration.ofMillis(500))).as("an answer to the fourth message").isNull();
            // It no longer reads, so it cannot see stdin end either: it keeps running with stdout open.
            peer.endStdin();
            assertThat(peer.process.waitFor(500, TimeUnit.MILLISECONDS)).as("exited after EOF").isFalse();
            assertThat(peer.stdoutEnded()).isFalse();
            peer.process.destroy(); // SIGTERM still ends it
            assertThat(peer.process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        }
    }

    @Test
    void floodNotificationsWritesThemAllWhileItKeepsAnswering() throws Exception {
        int count = 2000;
        try (StdioPeer peer = new StdioPeer("--flood-notifications", Integer.toString(count), "--flood-bytes", "300")) {
            peer.initialize();
            assertThat(Wire.text(peer.callTool(1, "echo", Wire.args("message", "through the flood"))))
                    .isEqualTo("through the flood");
            while (peer.seen.stream().filter(HostileFixturesTest::isFlood).count() < count) {
                peer.await(HostileFixturesTest::isFlood, WAIT);
            }
            List<JsonNode> flood = peer.seen.stream().filter(HostileFixturesTest::isFlood).toList();
            assertThat(flood).hasSize(count).allSatisfy(n -> {
                assertThat(n.at("/params/level").asText()).isEqualTo("warning");
                assertThat(n.at("/params/data").asText()).hasSizeGreaterThanOrEqualTo(300);
            });
            assertThat(peer.nextLine(Duration.ofMillis(300))).as("anything after the last one").isNull();
        }
    }

    @Test
    void garbageTakesALargeLineCount() throws Exception {
        int lines = 150_000;
        try (StdioPeer peer = new StdioPeer()) {
            peer.initialize();
            peer.request(1, "tools/call", Wire.toolCall("garbage", Wire.args("lines", lines)));
            for (int i = 0; i < lines; i++) {
                String line = peer.nextLine(WAIT);
                assertThat(line).as("garbage line %d", i).isNotNull().doesNotStartWith("{");
            }
            assertThat(Wire.text(peer.response(1))).isEqualTo("ok");
        }
    }

    @Test
    void forkOnStartLeavesAnOrphanThatHoldsStdoutAfterTheServerExits() throws Exception {
        try (StdioPeer peer = new StdioPeer("--fork-on-start", "--label", label)) {
            peer.initialize();
            List<ProcessHandle> orphans = TestkitOrphans.find(label);
            assertThat(orphans).as("orphan shells labelled %s", label).hasSize(1);
            ProcessHandle orphan = orphans.get(0);
            assertThat(peer.process.descendants()).as("started by the server").contains(orphan);

            peer.request(1, "tools/call", Wire.toolCall("echo", Wire.args("message", "never answered")));
            assertThat(peer.process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("server exited").isTrue();
            assertThat(peer.process.exitValue()).isZero();
            assertThat(peer.nextLine(Duration.ofMillis(300))).as("an answer").isNull();
            assertThat(orphan.isAlive()).as("the orphan outlives the server").isTrue();
            assertThat(peer.stdoutEnded()).as("stdout ended while the orphan holds it").isFalse();

            assertThat(TestkitOrphans.destroy(label)).hasSize(1);
            await().atMost(WAIT).until(peer::stdoutEnded);
            assertThat(TestkitOrphans.find(label)).isEmpty();
        }
    }

    @Test
    void theHostileOptionsAreRefusedOverHttp() throws Exception {
        Process p = new ProcessBuilder(TestkitCommand.http(0, "--sequential", "--fork-on-start"))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String stderr = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(stderr).contains("--sequential, --fork-on-start: stdio only");
        assertThat(TestkitOrphans.find(null)).as("nothing forked").noneMatch(o -> o.parent()
                .map(parent -> parent.pid() == p.pid()).orElse(false));
    }

    private static JsonNode firstAnswer(StdioPeer peer) throws Exception {
        return peer.await(m -> m.has("id") && !m.has("method"), WAIT);
    }

    private static boolean isFlood(JsonNode m) {
        return "notifications/message".equals(m.path("method").asText())
                && "mcp-pool-testkit-flood".equals(m.at("/params/logger").asText());
    }
}
