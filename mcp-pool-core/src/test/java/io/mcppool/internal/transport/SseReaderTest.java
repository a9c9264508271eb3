package io.mcppool.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SSE fields as the WHATWG spec parses them, and what MCP's SEP-1699 streams send. */
class SseReaderTest {

    private static SseReader reader(String text, int max) {
        return new SseReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), max);
    }

    private static List<String> all(SseReader r) throws IOException {
        List<String> out = new ArrayList<>();
        String d;
        while ((d = r.next()) != null) {
            out.add(d);
        }
        return out;
    }

    @Test
    void aPrimingEventSetsTheIdAndRetryAndCarriesNoMessage() throws IOException {
        SseReader r = reader("id: event-1\nretry: 500\ndata: \n\n", 1024);
        assertThat(r.retryMillis()).isEqualTo(-1);
        assertThat(all(r)).isEmpty();
        assertThat(r.lastEventId()).isEqualTo("event-1");
        assertThat(r.retryMillis()).isEqualTo(500);
    }

    @Test
    void messagesTheirDataLinesAndTheIdThatStaysUntilReplaced() throws IOException {
        SseReader r = reader(": comment\nid: 1\ndata: {\"a\":\ndata: 1}\n\nevent: message\ndata: two\n\n"
                + "event: other\ndata: skipped\n\nid: 3\ndata: three\r\n\r\n", 1024);
        assertThat(r.next()).isEqualTo("{\"a\":\n1}");
        assertThat(r.lastEventId()).isEqualTo("1");
        assertThat(r.next()).isEqualTo("two");
        assertThat(r.lastEventId()).as("an event without an id keeps the last one").isEqualTo("1");
        assertThat(r.next()).as("an event of another type is not a message").isEqualTo("three");
        assertThat(r.lastEventId()).isEqualTo("3");
        assertThat(r.next()).isNull();
    }

    @Test
    void anUnfinishedEventAtTheEndIsDroppedWithItsId() throws IOException {
        SseReader r = reader("id: 1\ndata: one\n\nid: 2\ndata: cut", 1024);
        assertThat(all(r)).containsExactly("one");
        assertThat(r.lastEventId()).isEqualTo("1");
    }

    @Test
    void retryTakesOnlyDigitsAndCapsHugeValues() throws IOException {
        SseReader r = reader("retry: 300\nretry: 2s\nretry: -1\n\n", 1024);
        all(r);
        assertThat(r.retryMillis()).isEqualTo(300);
        r = reader("retry: 99999999999999999999\n\n", 1024);
        all(r);
        assertThat(r.retryMillis()).isEqualTo(SseReader.MAX_RETRY_MILLIS);
    }

    @Test
    void anEventOverTheLimitFails() {
        assertThatThrownBy(() -> all(reader("data: " + "x".repeat(60) + "\ndata: " + "y".repeat(60) + "\n\n", 100)))
                .isInstanceOf(SseReader.TooLarge.class);
        assertThatThrownBy(() -> all(reader("data: " + "x".repeat(200) + "\n\n", 100)))
                .isInstanceOf(SseReader.TooLarge.class);
    }
}
