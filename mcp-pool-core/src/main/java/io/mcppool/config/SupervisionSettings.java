package io.mcppool.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How a stdio endpoint's crashed process is restarted. The n-th crash in a row waits
 * {@code initialBackoff × 2^(n-1)} (capped at {@code maxBackoff}) before the restart;
 * {@code crashLoopRestarts} crashes within {@code crashLoopWindow} are a crash loop, and the endpoint
 * stays unhealthy until a restarted process has stayed up for {@code stableAfter}, which also resets
 * the backoff.
 */
public record SupervisionSettings(Duration initialBackoff, Duration maxBackoff, int crashLoopRestarts,
                                  Duration crashLoopWindow, Duration stableAfter) {

    /** Every setting at its default. */
    public static final SupervisionSettings DEFAULTS = new SupervisionSettings(Duration.ofMillis(200),
            Duration.ofSeconds(30), 5, Duration.ofMinutes(1), Duration.ofSeconds(30));

    /** @throws IllegalArgumentException if a value is out of its range */
    public SupervisionSettings {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(crashLoopWindow, "crashLoopWindow");
        Objects.requireNonNull(stableAfter, "stableAfter");
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("need 0 <= initialBackoff <= maxBackoff; got " + initialBackoff + " and "
                    + maxBackoff);
        }
        if (crashLoopRestarts < 1) {
            throw new IllegalArgumentException("crashLoopRestarts must be at least 1, got " + crashLoopRestarts);
        }
        if (crashLoopWindow.isNegative() || crashLoopWindow.isZero() || stableAfter.isNegative()) {
            throw new IllegalArgumentException("crashLoopWindow must be positive and stableAfter not negative");
        }
    }
}
