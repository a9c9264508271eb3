package io.mcppool.internal.transport;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into lines without decoding it, bounded by a maximum line length, so a
 * server that never sends a newline cannot grow the buffer without limit. After a too-long line it
 * skips to the next newline. Not thread-safe: one reader thread owns it.
 */
final class LineReader {
    static final int TOO_LONG = -2;
    private static final int EOF = -1;

    private final InputStream in;
    private final int maxLine;
    private final byte[] chunk = new byte[64 * 1024];
    private int chunkPos;
    private int chunkEnd;
    private static final int INITIAL = 8 * 1024;
    /** A line buffer grown past this is dropped after use, so one large message is not held on to. */
    private static final int RETAINED = 1024 * 1024;
    private byte[] line = new byte[INITIAL];

    LineReader(InputStream in, int maxLine) {
        this.in = in;
        this.maxLine = maxLine;
    }

    /** The bytes of the last line returned by {@link #next()}, from index 0. */
    byte[] buffer() {
        return line;
    }

    /**
     * Reads the next line. Returns its length (without the newline and a trailing CR), {@code -1} at
     * end of stream, or {@link #TOO_LONG} when the line exceeds the maximum; then {@link #buffer()}
     * holds its first {@code maxLine} bytes.
     */
    int next() throws IOException {
        if (line.length > RETAINED) {
            line = new byte[INITIAL]; // the last line was large: do not keep its buffer for the life of the stream
        }
        int length = 0;
        boolean overflow = false;
        while (true) {
            if (chunkPos == chunkEnd) {
                int n = in.read(chunk);
                if (n < 0) {
                    if (overflow) {
                        return TOO_LONG;
                    }
                    return length == 0 ? EOF : trimCr(length);
                }
                chunkPos = 0;
                chunkEnd = n;
            }
            int start = chunkPos;
            int newline = -1;
            for (int i = start; i < chunkEnd; i++) {
                if (chunk[i] == '\n') {
                    newline = i;
                    break;
                }
            }
            int end = newline < 0 ? chunkEnd : newline;
            int count = end - start;
            if (!overflow) {
                if (length + count > maxLine) {
                    int room = maxLine - length;
                    ensure(maxLine);
                    System.arraycopy(chunk, start, line, length, room);
                    length = maxLine;
                    overflow = true;
                } else {
                    ensure(length + count);
                    System.arraycopy(chunk, start, line, length, count);
                    length += count;
                }
            }
            if (newline < 0) {
                chunkPos = chunkEnd;
                continue;
            }
            chunkPos = newline + 1;
            return overflow ? TOO_LONG : trimCr(length);
        }
    }

    private int trimCr(int length) {
        return length > 0 && line[length - 1] == '\r' ? length - 1 : length;
    }

    boolean isBlank(int length) {
        for (int i = 0; i < length; i++) {
            byte b = line[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    private void ensure(int capacity) {
        if (capacity > line.length) {
            line = Arrays.copyOf(line, Math.max(capacity, Math.min(maxLine, line.length * 2)));
        }
    }
}
