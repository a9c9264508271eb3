package io.mcppool.internal.pool;

import io.mcppool.events.SessionCloseReason;
import io.mcppool.internal.session.McpSession;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** A session in a pool, with its slot count and its place in the lifecycle. */
final class PooledSession {
    /** {@link #leased} holds this once the session is being closed: no slot can be taken any more. */
    static final int CLOSED = Integer.MIN_VALUE;

    final SessionPool pool;
    final McpSession session;
    final long openedAtNanos;
    /** When maxLifetime (minus jitter) is reached; Long.MAX_VALUE when there is no limit. */
    final long retireAtNanos;
    final AtomicInteger leased = new AtomicInteger();
    final AtomicBoolean pinging = new AtomicBoolean();
    /** Set by whoever reports the process's exit first: the pool's close and a retirement may both close it. */
    final AtomicBoolean exitReported = new AtomicBoolean();
    volatile long lastUsedNanos;
    volatile boolean retiring;
    /** Why the pool is retiring it; reported when it closes. */
    volatile SessionCloseReason closeReason = SessionCloseReason.IDLE;

    PooledSession(SessionPool pool, McpSession session, long openedAtNanos, long retireAtNanos) {
        this.pool = pool;
        this.session = session;
        this.openedAtNanos = openedAtNanos;
        this.retireAtNanos = retireAtNanos;
        this.lastUsedNanos = openedAtNanos;
    }

    /** Takes a slot if the session has one free and is not retiring. */
    boolean tryTake(int maxSlots) {
        while (true) {
            int n = leased.get();
            if (n < 0 || n >= maxSlots || retiring) {
                return false;
            }
            if (leased.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Marks the session closed if no slot is taken; true if it did. */
    boolean tryCloseIfIdle() {
        return leased.compareAndSet(0, CLOSED);
    }

    int inFlight() {
        return Math.max(0, leased.get());
    }
}
