package io.mcppool.internal.resilience;

import io.mcppool.config.RetrySettings;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Caps a server's retries at a fraction of its calls over a sliding window (plus a few per window
 * whatever the traffic), so that when a whole server is down retries do not multiply its load.
 *
 * <p>Calls are counted in per-second buckets without a lock (one is counted per call); a retry takes
 * a short lock so concurrent retries cannot overshoot the budget together.
 */
public final class RetryBudget {
    private static final long SECOND = 1_000_000_000L;

    private final double ratio;
    private final int minRetries;
    private final int buckets;
    private final LongSupplier nanoClock;
    private final long origin;
    private final AtomicLongArray stamps;
    private final AtomicLongArray calls;
    private final AtomicLongArray retries;
    private final ReentrantLock retryLock = new ReentrantLock();

    public RetryBudget(RetrySettings settings, LongSupplier nanoClock) {
        this.ratio = settings.budget();
        this.minRetries = settings.minRetries();
        this.buckets = (int) Math.max(1, Math.min(3600, settings.budgetWindow().toSeconds()));
        this.nanoClock = nanoClock;
        this.origin = nanoClock.getAsLong();
        this.stamps = new AtomicLongArray(buckets);
        this.calls = new AtomicLongArray(buckets);
        this.retries = new AtomicLongArray(buckets);
        for (int i = 0; i < buckets; i++) {
            stamps.set(i, -1);
        }
    }

    public RetryBudget(RetrySettings settings) {
        this(settings, System::nanoTime);
    }

    /** One call was made (its first attempt). */
    public void recordCall() {
        calls.incrementAndGet(bucket(second()));
    }

    /** Takes a retry from the budget if one is left; false means the caller gets the failure instead. */
    public boolean tryAcquireRetry() {
        retryLock.lock();
        try {
            long now = second();
            if (left(now) <= 0) {
                return false;
            }
            retries.incrementAndGet(bucket(now));
            return true;
        } finally {
            retryLock.unlock();
        }
    }

    /** Retries left in the window now (for messages and snapshots). */
    public long remaining() {
        return left(second());
    }

    /** Retries the window ending at second {@code now} still allows. */
    private long left(long now) {
        long c = 0;
        long r = 0;
        for (int i = 0; i < buckets; i++) {
            long stamp = stamps.get(i);
            if (stamp >= 0 && now - stamp < buckets) {
                c += calls.get(i);
                r += retries.get(i);
            }
        }
        return Math.max(0, allowed(c) - r);
    }

    /** Retries a window with {@code calls} calls allows; the epsilon keeps 0.29 × 100 at 29, not 28.999... */
    private long allowed(long calls) {
        return Math.max(minRetries, (long) Math.floor(ratio * calls + 1e-9));
    }

    private long second() {
        return (nanoClock.getAsLong() - origin) / SECOND;
    }

    /** The bucket of {@code second}, emptied first if it still holds an older second's counts. */
    private int bucket(long second) {
        int i = (int) (second % buckets);
        long stamp = stamps.get(i);
        if (stamp != second && stamps.compareAndSet(i, stamp, second)) {
            // A count that races this reset may be lost; the budget is a bound on storms, not an audit.
            calls.set(i, 0);
            retries.set(i, 0);
        }
        return i;
    }
}
