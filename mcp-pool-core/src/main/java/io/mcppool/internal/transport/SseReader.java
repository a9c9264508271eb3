package io.mcppool.internal.transport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads one {@code text/event-stream} body as the SSE spec (WHATWG HTML, "server-sent events") parses it: the
 * data of each {@code message} event, the last event id (taken when an event is dispatched, even one without
 * data, such as the priming event of SEP-1699) and the reconnection time a {@code retry} field sets. A line or
 * an event's data longer than the limit ends the read with {@link TooLarge}. Not thread-safe: one thread reads.
 */
final class SseReader {
    /** Reconnection times above this (about 24 days) are taken as this: a wait that long is ended by close anyway. */
    static final long MAX_RETRY_MILLIS = Integer.MAX_VALUE;

    /** An SSE line or event larger than the message limit. */
    static final class TooLarge extends IOException {
        TooLarge(int limit) {
            super("server sent an event larger than maxMessageSize (" + limit + " bytes)");
        }
    }

    private final LineReader lines;
    private final int maxBytes;
    private final StringBuilder data = new StringBuilder();
    private String eventType;
    private String idBuffer;
    private String lastEventId;
    private long retryMillis = -1;

    SseReader(InputStream body, int maxMessageBytes) {
        this.lines = new LineReader(body, maxMessageBytes);
        this.maxBytes = maxMessageBytes;
    }

    /** The data of the next {@code message} event, or null when the stream ended (an unfinished event is dropped). */
    String next() throws IOException {
        while (true) {
            int length = lines.next();
            if (length == LineReader.TOO_LONG) {
                throw new TooLarge(maxBytes);
            }
            if (length < 0) {
                return null;
            }
            if (length == 0) {
                String message = dispatch();
                if (message != null) {
                    return message;
                }
                continue;
            }
            String line = new String(lines.buffer(), 0, length, StandardCharsets.UTF_8);
            if (line.startsWith(":")) {
                continue; // a comment: keeps proxies from closing an idle stream
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "data" -> {
                    data.append(value).append('\n');
                    if (data.length() > maxBytes) {
                        throw new TooLarge(maxBytes);
                    }
                }
                case "event" -> eventType = value;
                case "id" -> {
                    if (value.indexOf('\0') < 0) {
                        idBuffer = value;
                    }
                }
                case "retry" -> {
                    if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                        retryMillis = value.length() > 10 ? MAX_RETRY_MILLIS : Math.min(Long.parseLong(value), MAX_RETRY_MILLIS);
                    }
                }
                default -> {
                    // unknown fields are ignored, as the spec says
                }
            }
        }
    }

    /** The end of an event (a blank line): its data if it is a message with data, else null. */
    private String dispatch() {
        if (idBuffer != null) {
            lastEventId = idBuffer.isEmpty() ? null : idBuffer;
        }
        String type = eventType;
        eventType = null;
        if (data.isEmpty()) {
            return null;
        }
        String message = data.substring(0, data.length() - 1); // the last newline is not part of the data
        data.setLength(0);
        if (message.isBlank()) {
            return null; // a priming event (SEP-1699: an id and an empty data field) carries no message
        }
        return type == null || type.isEmpty() || type.equals("message") ? message : null;
    }

    /** The id of the last event dispatched on this stream, or null when none had one. */
    String lastEventId() {
        return lastEventId;
    }

    /** The reconnection time the server set on this stream in milliseconds, or -1 when it set none. */
    long retryMillis() {
        return retryMillis;
    }
}
