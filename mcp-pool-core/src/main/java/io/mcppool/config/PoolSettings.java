package io.mcppool.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Sizing and lifecycle of one endpoint's session pool. Immutable; build with {@link #builder()}.
 *
 * @param minSessions        sessions opened at start, in the background, and kept open
 * @param maxSessions        sessions the pool may hold at once (in sticky mode: affinity keys at once)
 * @param maxConcurrentRequests in-flight requests per session (forced to 1 in exclusive mode)
 * @param acquireTimeout     the longest a caller waits for a slot before {@code PoolExhaustedException}
 * @param idleTimeout        a session above {@code minSessions} unused this long is closed (sticky: the key expires)
 * @param maxLifetime        a session older than this (minus up to 10% jitter) is retired once idle; zero disables
 * @param keepaliveInterval  an idle session is pinged this often; zero disables
 * @param validateAfterIdle  a session idle longer than this is pinged before it is handed out; zero disables
 */
public record PoolSettings(PoolMode mode, int minSessions, int maxSessions, int maxConcurrentRequests,
                           Duration acquireTimeout, Duration idleTimeout, Duration maxLifetime,
                           Duration keepaliveInterval, Duration validateAfterIdle) {

    /** Every setting at its default. */
    public static final PoolSettings DEFAULTS = new PoolSettings(PoolMode.MULTIPLEXED, 1, 4, 16,
            Duration.ofSeconds(5), Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofSeconds(60),
            Duration.ofSeconds(30));

    /** @throws IllegalArgumentException if a value is out of its range */
    public PoolSettings {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(acquireTimeout, "acquireTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(maxLifetime, "maxLifetime");
        Objects.requireNonNull(keepaliveInterval, "keepaliveInterval");
        Objects.requireNonNull(validateAfterIdle, "validateAfterIdle");
        if (minSessions < 0 || maxSessions < 1 || minSessions > maxSessions || maxConcurrentRequests < 1) {
            throw new IllegalArgumentException("pool sizes must satisfy 0 <= minSessions <= maxSessions, maxSessions >= 1,"
                    + " maxConcurrentRequests >= 1; got minSessions=" + minSessions + ", maxSessions=" + maxSessions
                    + ", maxConcurrentRequests=" + maxConcurrentRequests);
        }
    }

    /** Slots per session after the mode is applied. */
    public int slotsPerSession() {
        return mode == PoolMode.EXCLUSIVE ? 1 : maxConcurrentRequests;
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
        private PoolMode mode;
        private int minSessions;
        private int maxSessions;
        private int maxConcurrentRequests;
        private Duration acquireTimeout;
        private Duration idleTimeout;
        private Duration maxLifetime;
        private Duration keepaliveInterval;
        private Duration validateAfterIdle;

        private Builder(PoolSettings s) {
            mode = s.mode;
            minSessions = s.minSessions;
            maxSessions = s.maxSessions;
            maxConcurrentRequests = s.maxConcurrentRequests;
            acquireTimeout = s.acquireTimeout;
            idleTimeout = s.idleTimeout;
            maxLifetime = s.maxLifetime;
            keepaliveInterval = s.keepaliveInterval;
            validateAfterIdle = s.validateAfterIdle;
        }

        public Builder mode(PoolMode v) { mode = v; return this; }
        /** Sessions opened at start, in the background, and kept open. */
        public Builder minSessions(int v) { minSessions = v; return this; }
        /** Sessions the pool may hold at once (in sticky mode: affinity keys at once). */
        public Builder maxSessions(int v) { maxSessions = v; return this; }
        /** In-flight requests per session (forced to 1 in exclusive mode). */
        public Builder maxConcurrentRequests(int v) { maxConcurrentRequests = v; return this; }
        /** The longest a caller waits for a slot before {@code PoolExhaustedException}. */
        public Builder acquireTimeout(Duration v) { acquireTimeout = v; return this; }
        /** A session above {@code minSessions} unused this long is closed (sticky: the key expires). */
        public Builder idleTimeout(Duration v) { idleTimeout = v; return this; }
        /** A session older than this (minus up to 10% jitter) is retired once idle; zero disables. */
        public Builder maxLifetime(Duration v) { maxLifetime = v; return this; }
        /** An idle session is pinged this often; zero disables. */
        public Builder keepaliveInterval(Duration v) { keepaliveInterval = v; return this; }
        /** A session idle longer than this is pinged before it is handed out; zero disables. */
        public Builder validateAfterIdle(Duration v) { validateAfterIdle = v; return this; }

        /**
         * The settings.
         *
         * @throws IllegalArgumentException if a value is out of its range
         */
        public PoolSettings build() {
            return new PoolSettings(mode, minSessions, maxSessions, maxConcurrentRequests, acquireTimeout, idleTimeout,
                    maxLifetime, keepaliveInterval, validateAfterIdle);
        }
    }
}
