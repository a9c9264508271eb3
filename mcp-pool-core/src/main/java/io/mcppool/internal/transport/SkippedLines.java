package io.mcppool.internal.transport;

/** Told when lines a server wrote outside the protocol were over the log limit and not logged (for a metric). */
@FunctionalInterface
public interface SkippedLines {
    /** @param stream {@code stderr}, {@code stdout} (lines that are not JSON-RPC) or {@code log} (its log notifications) */
    void skipped(String stream, long lines);

    SkippedLines NONE = (stream, lines) -> {
    };
}
