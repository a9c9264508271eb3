package io.mcppool.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LineReaderTest {

    private static String line(LineReader r, int length) {
        return new String(r.buffer(), 0, length, StandardCharsets.UTF_8);
    }

    @Test
    void splitsLinesAndStripsCarriageReturns() throws IOException {
        LineReader r = new LineReader(new ByteArrayInputStream("a\r\nbb\n\nccc".getBytes(StandardCharsets.UTF_8)), 100);
        assertThat(line(r, r.next())).isEqualTo("a");
        assertThat(line(r, r.next())).isEqualTo("bb");
        assertThat(r.next()).isZero();
        assertThat(line(r, r.next())).isEqualTo("ccc");
        assertThat(r.next()).isEqualTo(-1);
    }

    @Test
    void reportsTooLongLinesAndResumesAfterThem() throws IOException {
        String big = "x".repeat(200_000);
        LineReader r = new LineReader(new ByteArrayInputStream((big + "\nok\n").getBytes(StandardCharsets.UTF_8)), 1000);
        assertThat(r.next()).isEqualTo(LineReader.TOO_LONG);
        assertThat(line(r, r.next())).isEqualTo("ok");
        assertThat(r.next()).isEqualTo(-1);
    }

    @Test
    void handlesLinesSpanningReadChunks() throws IOException {
        String longLine = "y".repeat(150_000);
        LineReader r = new LineReader(new ByteArrayInputStream((longLine + "\n").getBytes(StandardCharsets.UTF_8)), 1 << 20);
        assertThat(line(r, r.next())).isEqualTo(longLine);
    }
}
