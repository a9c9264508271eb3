package io.mcppool.stats;

import java.time.Instant;
import java.time.InstantSource;

/**
 * The time source of {@link PoolStats} and {@link io.mcppool.alerts.Alerts}: a monotonic
 * {@link #nanoTime()} that places calls in the sliding window, and a wall clock ({@link #instant()})
 * for the timestamps in summaries and alerts. Tests pass a manual clock to control both.
 */
public interface StatsClock extends InstantSource {

    /** Monotonic nanoseconds, as {@link System#nanoTime()}: only differences matter. */
    long nanoTime();

    /** {@link System#nanoTime()} and {@link Instant#now()}. */
    static StatsClock system() {
        return SystemClock.INSTANCE;
    }

    /** The system clock. */
    enum SystemClock implements StatsClock {
        INSTANCE;

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Instant instant() {
            return Instant.now();
        }
    }
}
