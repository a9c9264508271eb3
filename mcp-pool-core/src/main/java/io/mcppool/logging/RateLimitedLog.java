package io.mcppool.logging;

import io.mcppool.config.Redaction;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * Writes what a server says outside the protocol (its stderr, stray lines on stdout, its log notifications)
 * to the log, at most {@code linesPerMinute} lines in each minute. A server with a stray {@code console.log}
 * in a loop would otherwise fill the disk. Lines over the limit are counted, reported to {@code onSkipped}
 * (a metric) and summarised in one line, "N lines skipped in the last minute", when the minute ends and
 * the next line comes, or at {@link #close()}. Each line is cut at {@code maxLineChars}.
 */
public final class RateLimitedLog {
    /** Default of {@code linesPerMinute}. */
    public static final int DEFAULT_LINES_PER_MINUTE = 300;
    /** How much of one line is written; the rest is counted. */
    public static final int MAX_LINE_CHARS = 1000;
    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

    private final Logger logger;
    private final Level level;
    private final String what;
    private final int linesPerMinute;
    private final int maxLineChars;
    private final LongConsumer onSkipped;
    private final LongSupplier clock;
    private final ReentrantLock lock = new ReentrantLock();
    private long windowStart;
    private int logged;
    private long skipped;

    /**
     * @param what      what the lines are, for the summary ("lines on stderr")
     * @param onSkipped told of every line skipped, once per line, on the logging thread
     */
    public RateLimitedLog(Logger logger, Level level, String what, int linesPerMinute, int maxLineChars,
                          LongConsumer onSkipped, LongSupplier clock) {
        if (linesPerMinute < 0) {
            throw new IllegalArgumentException("linesPerMinute must not be negative, got " + linesPerMinute);
        }
        this.logger = logger;
        this.level = level;
        this.what = what;
        this.linesPerMinute = linesPerMinute;
        this.maxLineChars = maxLineChars;
        this.onSkipped = onSkipped;
        this.clock = clock;
        this.windowStart = clock.getAsLong();
    }

    /** Logs {@code line} (with {@code format}'s one placeholder) if this minute's allowance is not spent. */
    public void log(String format, String line) {
        log(level, format, line);
    }

    /** As {@link #log(String, String)}, at {@code lineLevel} (the summary keeps the log's own level). */
    public void log(Level lineLevel, String format, String line) {
        if (!logger.isEnabledForLevel(lineLevel)) {
            return;
        }
        long summary;
        boolean allowed;
        lock.lock();
        try {
            long now = clock.getAsLong();
            summary = -1;
            if (now - windowStart >= MINUTE) {
                summary = skipped;
                skipped = 0;
                logged = 0;
                windowStart = now;
            }
            allowed = logged < linesPerMinute;
            if (allowed) {
                logged++;
            } else {
                skipped++;
            }
        } finally {
            lock.unlock();
        }
        if (summary > 0) {
            summarise(summary);
        }
        if (allowed) {
            logger.atLevel(lineLevel).log(format, cut(line));
        } else {
            onSkipped.accept(1);
        }
    }

    /** Logs the summary of lines skipped in the current minute, if any. */
    public void close() {
        long summary;
        lock.lock();
        try {
            summary = skipped;
            skipped = 0;
        } finally {
            lock.unlock();
        }
        if (summary > 0) {
            summarise(summary);
        }
    }

    private void summarise(long count) {
        logger.atLevel(level).log("{} {} skipped in the last minute (over the limit of {} a minute)", count, what,
                linesPerMinute);
    }

    /** Redacted, then cut: what a server writes may hold a secret (a connection URL), and a cut must not split one. */
    private String cut(String line) {
        String safe = Redaction.text(line);
        return safe.length() <= maxLineChars ? safe : safe.substring(0, maxLineChars) + "... ("
                + (safe.length() - maxLineChars) + " more characters)";
    }
}
