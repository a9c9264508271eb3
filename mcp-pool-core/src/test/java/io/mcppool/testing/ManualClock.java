package io.mcppool.testing;

import io.mcppool.stats.StatsClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when told to: both its nanoseconds and its instant advance together. For tests
 * of windows and alerts. Thread-safe.
 */
public final class ManualClock implements StatsClock {
    private final Instant start;
    private final AtomicLong elapsedNanos = new AtomicLong();

    public ManualClock(Instant start) {
        this.start = start;
    }

    /** Starts at 2025-01-01T00:00:00Z. */
    public ManualClock() {
        this(Instant.parse("2025-01-01T00:00:00Z"));
    }

    public ManualClock advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("a clock does not go back: " + d);
        }
        elapsedNanos.addAndGet(d.toNanos());
        return this;
    }

    public ManualClock advanceMillis(long millis) {
        return advance(Duration.ofMillis(millis));
    }

    /** Time since the start. */
    public Duration elapsed() {
        return Duration.ofNanos(elapsedNanos.get());
    }

    @Override
    public long nanoTime() {
        return elapsedNanos.get();
    }

    @Override
    public Instant instant() {
        return start.plusNanos(elapsedNanos.get());
    }

    @Override
    public String toString() {
        return "ManualClock(" + instant() + ")";
    }
}
