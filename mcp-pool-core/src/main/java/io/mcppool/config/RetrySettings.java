package io.mcppool.config;

import java.time.Duration;
import java.util.Objects;

/**
 * When and how often a failed call is tried again. Whether it may be at all is decided by the call's
 * error class and the tool's safety (see {@code docs/resilience.md}); these settings bound how much.
 * Immutable; build with {@link #builder()}.
 *
 * @param policy          how the backoff grows
 * @param maxAttempts     attempts that may reach a server, the first included; 1 disables retries
 * @param initialBackoff  the first retry's backoff (before jitter)
 * @param maxBackoff      the cap of any backoff (before jitter)
 * @param jitter          full jitter: each backoff is drawn uniformly from zero to its computed value
 * @param budget          retries may be at most this fraction of the server's calls over {@code budgetWindow}
 * @param budgetWindow    the window the budget is counted over
 * @param minRetries      retries allowed in a window whatever the fraction, so a quiet server can still retry
 */
public record RetrySettings(BackoffPolicy policy, int maxAttempts, Duration initialBackoff, Duration maxBackoff,
                            boolean jitter, double budget, Duration budgetWindow, int minRetries) {

    /** Every setting at its default. */
    public static final RetrySettings DEFAULTS = new RetrySettings(BackoffPolicy.EXPONENTIAL, 3, Duration.ofMillis(100),
            Duration.ofSeconds(5), true, 0.2, Duration.ofSeconds(10), 3);
    /** No retries at all. */
    public static final RetrySettings NONE = DEFAULTS.toBuilder().maxAttempts(1).build();

    /** @throws IllegalArgumentException if a value is out of its range */
    public RetrySettings {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(budgetWindow, "budgetWindow");
        if (maxAttempts < 1 || maxAttempts > 100) {
            throw new IllegalArgumentException("maxAttempts must be 1 to 100, got " + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.isNegative()) {
            throw new IllegalArgumentException("backoffs must not be negative");
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff (" + maxBackoff + ") must not be below initialBackoff ("
                    + initialBackoff + ")");
        }
        if (!(budget >= 0 && budget <= 1)) {
            throw new IllegalArgumentException("budget must be a fraction from 0 to 1, got " + budget);
        }
        if (budgetWindow.toMillis() < 1000) {
            throw new IllegalArgumentException("budgetWindow must be at least 1s, got " + budgetWindow);
        }
        if (minRetries < 0) {
            throw new IllegalArgumentException("minRetries must not be negative, got " + minRetries);
        }
    }

    /** A builder with every setting at its default. */
    public static Builder builder() {
        return new Builder(DEFAULTS);
    }

    /** A builder holding these settings, to change some of them. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Builds the settings; each setter is described on the record's component of the same name. */
    public static final class Builder {
        private BackoffPolicy policy;
        private int maxAttempts;
        private Duration initialBackoff;
        private Duration maxBackoff;
        private boolean jitter;
        private double budget;
        private Duration budgetWindow;
        private int minRetries;

        private Builder(RetrySettings s) {
            policy = s.policy;
            maxAttempts = s.maxAttempts;
            initialBackoff = s.initialBackoff;
            maxBackoff = s.maxBackoff;
            jitter = s.jitter;
            budget = s.budget;
            budgetWindow = s.budgetWindow;
            minRetries = s.minRetries;
        }

        /** How the backoff grows. */
        public Builder policy(BackoffPolicy v) { policy = v; return this; }
        /** Attempts that may reach a server, the first included; 1 disables retries. */
        public Builder maxAttempts(int v) { maxAttempts = v; return this; }
        /** The first retry's backoff (before jitter). */
        public Builder initialBackoff(Duration v) { initialBackoff = v; return this; }
        /** The cap of any backoff (before jitter). */
        public Builder maxBackoff(Duration v) { maxBackoff = v; return this; }
        /** Full jitter: each backoff is drawn uniformly from zero to its computed value. */
        public Builder jitter(boolean v) { jitter = v; return this; }
        /** Retries may be at most this fraction of the server's calls over {@code budgetWindow}. */
        public Builder budget(double v) { budget = v; return this; }
        /** The window the budget is counted over. */
        public Builder budgetWindow(Duration v) { budgetWindow = v; return this; }
        /** Retries allowed in a window whatever the fraction, so a quiet server can still retry. */
        public Builder minRetries(int v) { minRetries = v; return this; }

        /**
         * The settings.
         *
         * @throws IllegalArgumentException if a value is out of its range
         */
        public RetrySettings build() {
            return new RetrySettings(policy, maxAttempts, initialBackoff, maxBackoff, jitter, budget, budgetWindow,
                    minRetries);
        }
    }
}
