package io.mcppool.config;

import java.time.Duration;
import java.util.Objects;

/**
 * What the gateway's front door lets in before any request is handled: connections, their rate, failed
 * authentications, and the size of what one request may make it hold. Keys of the {@code gateway} block; read at
 * start (a reload keeps the running values).
 *
 * @param maxConnections               connections open at once; 0 picks half the process's open-file limit (at most
 *                                     {@link #MAX_AUTO_CONNECTIONS}). At the limit no new connection is accepted until
 *                                     one closes (new ones wait in the kernel's accept queue)
 * @param idleTimeoutAtConnectionLimit while at that limit, how long an idle connection (no request in progress) stays
 *                                     open, instead of the usual 60 s
 * @param acceptRate                   connections accepted per second at most; 0 is no limit
 * @param maxBatchLength               messages in one JSON-RPC batch (protocol 2025-03-26) at most
 * @param maxInitializeBytes           the largest body of a request without a session ({@code initialize})
 * @param maxAuthFailures              failed authentications one source address, or one token, may have within
 *                                     {@code authFailureWindow} before it gets 429; 0 turns the throttle off
 * @param authFailureWindow            the window of {@code maxAuthFailures}: failures are forgotten at
 *                                     {@code maxAuthFailures} per window
 */
public record FrontDoorSettings(int maxConnections, Duration idleTimeoutAtConnectionLimit, double acceptRate,
                                int maxBatchLength, long maxInitializeBytes, int maxAuthFailures,
                                Duration authFailureWindow) {
    /** The most connections the default ({@code maxConnections} 0) allows, however high the open-file limit. */
    public static final int MAX_AUTO_CONNECTIONS = 10_000;
    /** The fewest connections the default allows, however low the open-file limit. */
    public static final int MIN_AUTO_CONNECTIONS = 32;
    public static final Duration DEFAULT_IDLE_TIMEOUT_AT_CONNECTION_LIMIT = Duration.ofSeconds(5);
    public static final double DEFAULT_ACCEPT_RATE = 1_000;
    public static final int DEFAULT_MAX_BATCH_LENGTH = 64;
    public static final long DEFAULT_MAX_INITIALIZE_BYTES = 64L * 1024;
    public static final int DEFAULT_MAX_AUTH_FAILURES = 10;
    public static final Duration DEFAULT_AUTH_FAILURE_WINDOW = Duration.ofMinutes(1);
    public static final FrontDoorSettings DEFAULTS = new FrontDoorSettings(0, DEFAULT_IDLE_TIMEOUT_AT_CONNECTION_LIMIT,
            DEFAULT_ACCEPT_RATE, DEFAULT_MAX_BATCH_LENGTH, DEFAULT_MAX_INITIALIZE_BYTES, DEFAULT_MAX_AUTH_FAILURES,
            DEFAULT_AUTH_FAILURE_WINDOW);

    public FrontDoorSettings {
        Objects.requireNonNull(idleTimeoutAtConnectionLimit, "idleTimeoutAtConnectionLimit");
        Objects.requireNonNull(authFailureWindow, "authFailureWindow");
        if (maxConnections < 0 || maxBatchLength < 1 || maxInitializeBytes < 1 || maxAuthFailures < 0) {
            throw new IllegalArgumentException("front door limits must not be negative (maxBatchLength and"
                    + " maxInitializeBytes at least 1), got " + maxConnections + ", " + maxBatchLength + ", "
                    + maxInitializeBytes + ", " + maxAuthFailures);
        }
        if (acceptRate < 0 || Double.isNaN(acceptRate) || Double.isInfinite(acceptRate)) {
            throw new IllegalArgumentException("acceptRate must be a positive number or 0, got " + acceptRate);
        }
        if (idleTimeoutAtConnectionLimit.isNegative() || idleTimeoutAtConnectionLimit.isZero()
                || authFailureWindow.isNegative() || authFailureWindow.isZero()) {
            throw new IllegalArgumentException("idleTimeoutAtConnectionLimit and authFailureWindow must be positive");
        }
    }

    /**
     * The connection limit in effect: {@code maxConnections}, or when it is 0, half of {@code openFileLimit} (the
     * rest is left to pipes, files and upstream connections), between {@link #MIN_AUTO_CONNECTIONS} and
     * {@link #MAX_AUTO_CONNECTIONS}. A limit above the open-file limit would let idle connections take every file
     * descriptor, and then the gateway could neither accept nor start a server nor reach one.
     *
     * @param openFileLimit the process's open-file limit, or a negative number when it is not known
     */
    public int connectionLimit(long openFileLimit) {
        if (maxConnections > 0) {
            return maxConnections;
        }
        if (openFileLimit <= 0) {
            return MAX_AUTO_CONNECTIONS;
        }
        return (int) Math.max(MIN_AUTO_CONNECTIONS, Math.min(MAX_AUTO_CONNECTIONS, openFileLimit / 2));
    }
}
