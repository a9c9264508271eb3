package io.mcppool.stats;

import io.mcppool.call.ErrorType;
import io.mcppool.events.CallOutcome;
import io.mcppool.events.SessionCloseReason;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What {@link PoolStats} keeps for one endpoint (or, under the empty name, for a server's calls that ended
 * before an endpoint was picked): the sliding window, totals since the last reset, and the last state
 * reported by breaker, health, session and process events.
 */
final class EndpointStats {
    /** Unexpected exits remembered for crash-loop detection. */
    static final int EXIT_HISTORY = 1024;

    final String server;
    final String endpoint;
    final SlidingWindow window;
    final LongAdder[] totals = new LongAdder[SlidingWindow.OUTCOMES];

    // state reported by events; reset() keeps it
    volatile String breaker = "closed";
    volatile Instant breakerChangedAt;
    volatile String health = "unknown";
    volatile String healthReason;
    volatile Instant healthChangedAt;
    volatile boolean openFailing;
    volatile String lastOpenFailure;
    volatile Instant lastOpenFailureAt;
    volatile Instant lastSessionOpenedAt;
    volatile long lastPid = -1;
    volatile int lastExitCode = Integer.MIN_VALUE;

    // counts since the last reset
    final LongAdder sessionsOpened = new LongAdder();
    final LongAdder openFailures = new LongAdder();
    final AtomicLongArray sessionsClosed = new AtomicLongArray(SessionCloseReason.values().length);
    final LongAdder processStarts = new LongAdder();
    final LongAdder expectedExits = new LongAdder();
    final LongAdder unexpectedExits = new LongAdder();
    final LongAdder restarts = new LongAdder();

    private final ReentrantLock exitsLock = new ReentrantLock();
    private final ArrayDeque<Long> exitTimes = new ArrayDeque<>();

    EndpointStats(String server, String endpoint, SlidingWindow window) {
        this.server = server;
        this.endpoint = endpoint;
        this.window = window;
        for (int i = 0; i < totals.length; i++) {
            totals[i] = new LongAdder();
        }
    }

    void call(long nowNanos, CallOutcome outcome, ErrorType errorType, long durationNanos) {
        window.bucket(nowNanos).call(outcome, errorType, durationNanos);
        totals[outcome.ordinal()].increment();
    }

    void acquire(long nowNanos, int kind) {
        window.bucket(nowNanos).acquire(kind);
    }

    void unexpectedExit(long nowNanos) {
        unexpectedExits.increment();
        exitsLock.lock();
        try {
            exitTimes.addLast(nowNanos);
            while (exitTimes.size() > EXIT_HISTORY) {
                exitTimes.removeFirst();
            }
        } finally {
            exitsLock.unlock();
        }
    }

    /** Unexpected exits in {@code (now - periodNanos, now]}. */
    int unexpectedExitsWithin(long nowNanos, long periodNanos) {
        exitsLock.lock();
        try {
            int n = 0;
            Iterator<Long> it = exitTimes.descendingIterator();
            while (it.hasNext()) {
                long t = it.next();
                if (nowNanos - t >= periodNanos) {
                    break;
                }
                n++;
            }
            return n;
        } finally {
            exitsLock.unlock();
        }
    }

    void reset() {
        window.clear();
        for (LongAdder t : totals) {
            t.reset();
        }
        sessionsOpened.reset();
        openFailures.reset();
        for (int i = 0; i < sessionsClosed.length(); i++) {
            sessionsClosed.set(i, 0);
        }
        processStarts.reset();
        expectedExits.reset();
        unexpectedExits.reset();
        restarts.reset();
        exitsLock.lock();
        try {
            exitTimes.clear();
        } finally {
            exitsLock.unlock();
        }
    }
}
