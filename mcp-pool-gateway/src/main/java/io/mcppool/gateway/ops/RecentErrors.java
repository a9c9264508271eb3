package io.mcppool.gateway.ops;

import io.mcppool.status.HealthStatus;
import io.mcppool.status.BreakerState;
import io.mcppool.call.ErrorType;
import io.mcppool.events.CallContext;
import io.mcppool.events.CallOutcome;
import io.mcppool.events.PoolEvents;
import io.mcppool.config.Redaction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The last failures of a pool, for the status page: calls that ended with an exception, sessions that could not
 * be opened, processes that crashed, breakers that opened and endpoints that turned unhealthy. A bounded ring: it
 * keeps the newest {@code capacity} entries and forgets older ones.
 *
 * <p>A failure equal to the newest entry (same server, endpoint, tool, type and message) is counted on that entry
 * instead of taking a slot: an endpoint that refuses every attempt to open a session would otherwise push every
 * other failure out of the ring.
 *
 * <p>Give it to the pool when the pool is made ({@code McpPool.create(config, List.of(recentErrors))}), so the
 * failures of the first sessions are kept too, or add it later with {@code pool.addEventListener}. Its hooks return
 * at once for successful calls; a failure costs one short lock.
 */
public final class RecentErrors implements PoolEvents {
    public static final int DEFAULT_CAPACITY = 50;
    /** Longer texts (tool names come from clients, messages from servers) are cut, so the ring's size is bounded. */
    static final int MAX_TEXT = 500;

    /**
     * One failure, or a run of equal ones.
     *
     * @param at       when the latest of the run happened
     * @param firstAt  when the first of the run happened
     * @param count    how many equal failures in a row this entry stands for
     * @param endpoint the endpoint, or null when none was picked
     * @param tool     the tool, or the MCP method for calls that are not {@code tools/call}; null for session,
     *                 process, breaker and health failures
     * @param type     an {@link ErrorType#tagValue() error type} for calls; {@code session_open_failed},
     *                 {@code process_crashed}, {@code breaker_open} or {@code unhealthy} otherwise
     */
    public record Entry(Instant at, Instant firstAt, int count, String server, String endpoint, String tool, String type,
                        String message) {
        public Entry {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(firstAt, "firstAt");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(message, "message");
        }

        boolean sameAs(String s, String e, String t, String ty, String m) {
            return Objects.equals(server, s) && Objects.equals(endpoint, e) && Objects.equals(tool, t)
                    && type.equals(ty) && message.equals(m);
        }
    }

    private final Entry[] ring;
    private final ReentrantLock lock = new ReentrantLock();
    // Guarded by lock.
    private int next;
    private int size;
    private long total;

    public RecentErrors() {
        this(DEFAULT_CAPACITY);
    }

    public RecentErrors(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.ring = new Entry[capacity];
    }

    public int capacity() {
        return ring.length;
    }

    /** The entries kept, oldest first. */
    public List<Entry> entries() {
        lock.lock();
        try {
            List<Entry> out = new ArrayList<>(size);
            int start = next - size;
            for (int i = 0; i < size; i++) {
                out.add(ring[Math.floorMod(start + i, ring.length)]);
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Failures recorded since this was made, including those the ring no longer holds and repeats. */
    public long total() {
        lock.lock();
        try {
            return total;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Adds a failure; {@code endpoint} and {@code tool} may be null. The message is redacted before it is cut
     * ({@link Redaction#shorten}): operators see it on the status page, and a cut must not show a secret's start.
     */
    public void record(String server, String endpoint, String tool, String type, String message) {
        String t = cut(tool);
        String m = Redaction.shorten(message == null ? "" : message, MAX_TEXT);
        endpoint = Redaction.endpoint(endpoint);
        Instant now = Instant.now();
        lock.lock();
        try {
            total++;
            if (size > 0) {
                int last = Math.floorMod(next - 1, ring.length);
                Entry e = ring[last];
                if (e.sameAs(server, endpoint, t, type, m)) {
                    ring[last] = new Entry(now, e.firstAt(), e.count() + 1, e.server(), e.endpoint(), e.tool(), type, m);
                    return;
                }
            }
            ring[next] = new Entry(now, now, 1, server, endpoint, t, type, m);
            next = (next + 1) % ring.length;
            if (size < ring.length) {
                size++;
            }
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ hooks

    @Override
    public void callEnded(CallContext call, CallOutcome outcome, ErrorType errorType, long durationNanos) {
        // A tool error is the tool's answer, and a cancelled call was the caller's choice: neither is a failure.
        if (outcome != CallOutcome.FAILURE || errorType == null || errorType == ErrorType.CANCELLED) {
            return;
        }
        String tool = call.toolOrNull();
        record(call.server(), call.endpoint(), tool != null ? tool : call.method(), errorType.tagValue(),
                call.method() + " failed: " + describe(errorType));
    }

    @Override
    public void sessionOpenFailed(String server, String endpoint, Throwable cause) {
        String message = cause == null ? "unknown cause"
                : cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
        record(server, endpoint, null, "session_open_failed", "could not open a session: " + message);
    }

    @Override
    public void processExited(String server, String endpoint, long pid, int exitCode, boolean expected) {
        if (!expected) {
            record(server, endpoint, null, "process_crashed", "process " + pid + " exited unexpectedly"
                    + (exitCode == -1 ? "" : " with code " + exitCode));
        }
    }

    @Override
    public void breakerStateChanged(String server, String endpoint, BreakerState from, BreakerState to) {
        if (to.refuses()) {
            record(server, endpoint, null, "breaker_open", "circuit breaker " + from.tagValue() + " -> " + to.tagValue());
        }
    }

    @Override
    public void healthChanged(String server, String endpoint, HealthStatus from, HealthStatus to, String reason) {
        if (to == HealthStatus.UNHEALTHY) {
            record(server, endpoint, null, "unhealthy", reason == null || reason.isEmpty() ? "unhealthy" : reason);
        }
    }

    /**
     * What the error type means. The event carries the type, not the exception: the caller got the full message,
     * and the server's log has it.
     */
    static String describe(ErrorType type) {
        return type.description();
    }

    private static String cut(String s) {
        return s == null || s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT - 1) + "\u2026";
    }
}
