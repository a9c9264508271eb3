package io.mcppool.config;

import java.time.Duration;
import java.util.Objects;

/**
 * One endpoint's circuit breaker. It opens when, over the last {@code window} calls (and at least
 * {@code minCalls} of them), {@code failureRate} percent failed or {@code slowCallRate} percent took
 * longer than {@code slowCall}; or when {@code consecutiveFailures} calls in a row failed. Open, it
 * refuses calls for {@code openFor}, then lets {@code halfOpenCalls} trial calls through: all of them
 * succeed and it closes, one fails and it opens again. Immutable; build with {@link #builder()}.
 *
 * @param enabled             false: never opens (the state stays closed)
 * @param failureRate         percent (1 to 100) of failed calls in the window that opens the breaker
 * @param consecutiveFailures failures in a row that open it whatever the window says; 0 disables this rule
 * @param slowCall            a call slower than this counts as slow
 * @param slowCallRate        percent (1 to 100) of slow calls in the window that opens the breaker; 100: all of them
 * @param window              how many of the latest calls the rates are computed over
 * @param minCalls            calls the window must hold before a rate can open the breaker
 * @param openFor             how long an open breaker refuses calls before the trial calls
 * @param halfOpenCalls       trial calls let through when half-open
 */
public record BreakerSettings(boolean enabled, int failureRate, int consecutiveFailures, Duration slowCall,
                              int slowCallRate, int window, int minCalls, Duration openFor, int halfOpenCalls) {

    /** Every setting at its default. */
    public static final BreakerSettings DEFAULTS = new BreakerSettings(true, 50, 5, Duration.ofSeconds(10), 100, 20, 10,
            Duration.ofSeconds(30), 3);

    /** @throws IllegalArgumentException if a value is out of its range */
    public BreakerSettings {
        Objects.requireNonNull(slowCall, "slowCall");
        Objects.requireNonNull(openFor, "openFor");
        if (failureRate < 1 || failureRate > 100 || slowCallRate < 1 || slowCallRate > 100) {
            throw new IllegalArgumentException("failureRate and slowCallRate are percentages from 1 to 100; got "
                    + failureRate + " and " + slowCallRate);
        }
        if (consecutiveFailures < 0) {
            throw new IllegalArgumentException("consecutiveFailures must be 0 (off) or more, got " + consecutiveFailures);
        }
        if (window < 1 || window > 10_000) {
            throw new IllegalArgumentException("window must be 1 to 10000 calls, got " + window);
        }
        if (minCalls < 1 || minCalls > window) {
            throw new IllegalArgumentException("minCalls must be 1 to window (" + window + "), got " + minCalls);
        }
        if (halfOpenCalls < 1) {
            throw new IllegalArgumentException("halfOpenCalls must be at least 1, got " + halfOpenCalls);
        }
        if (openFor.isNegative() || openFor.isZero() || slowCall.isNegative() || slowCall.isZero()) {
            throw new IllegalArgumentException("openFor and slowCall must be positive");
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
        private boolean enabled;
        private int failureRate;
        private int consecutiveFailures;
        private Duration slowCall;
        private int slowCallRate;
        private int window;
        private int minCalls;
        private Duration openFor;
        private int halfOpenCalls;

        private Builder(BreakerSettings s) {
            enabled = s.enabled;
            failureRate = s.failureRate;
            consecutiveFailures = s.consecutiveFailures;
            slowCall = s.slowCall;
            slowCallRate = s.slowCallRate;
            window = s.window;
            minCalls = s.minCalls;
            openFor = s.openFor;
            halfOpenCalls = s.halfOpenCalls;
        }

        /** False: never opens (the state stays closed). */
        public Builder enabled(boolean v) { enabled = v; return this; }
        /** Percent (1 to 100) of failed calls in the window that opens the breaker. */
        public Builder failureRate(int v) { failureRate = v; return this; }
        /** Failures in a row that open it whatever the window says; 0 disables this rule. */
        public Builder consecutiveFailures(int v) { consecutiveFailures = v; return this; }
        /** A call slower than this counts as slow. */
        public Builder slowCall(Duration v) { slowCall = v; return this; }
        /** Percent (1 to 100) of slow calls in the window that opens the breaker; 100: all of them. */
        public Builder slowCallRate(int v) { slowCallRate = v; return this; }
        /** How many of the latest calls the rates are computed over. */
        public Builder window(int v) { window = v; return this; }
        /** Calls the window must hold before a rate can open the breaker. */
        public Builder minCalls(int v) { minCalls = v; return this; }
        /** How long an open breaker refuses calls before the trial calls. */
        public Builder openFor(Duration v) { openFor = v; return this; }
        /** Trial calls let through when half-open. */
        public Builder halfOpenCalls(int v) { halfOpenCalls = v; return this; }

        /**
         * The settings.
         *
         * @throws IllegalArgumentException if a value is out of its range
         */
        public BreakerSettings build() {
            return new BreakerSettings(enabled, failureRate, consecutiveFailures, slowCall, slowCallRate, window,
                    minCalls, openFor, halfOpenCalls);
        }
    }
}
