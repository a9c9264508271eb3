package io.mcppool.stats;

import io.mcppool.call.ErrorType;
import io.mcppool.events.CallOutcome;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A ring of time buckets, each counting what ended in its interval. Recording is lock-free: it finds the
 * current bucket (one volatile read), and when that slot still holds a bucket of an older interval,
 * replaces it with a fresh one by CAS; then it adds to striped counters ({@link LongAdder}) and atomic
 * arrays. Reading sums the buckets whose interval is among the last {@code size}.
 *
 * <p>A thread stalled for a whole window between reading the clock and recording may add to a bucket of a
 * later interval; nothing else is lost or misplaced.
 */
final class SlidingWindow {
    static final int OUTCOMES = CallOutcome.values().length;
    static final int ERROR_TYPES = ErrorType.values().length;
    static final int ACQUIRE_WARM = 0;
    static final int ACQUIRE_SLOW = 1;
    static final int ACQUIRE_FAILED = 2;

    private final long bucketNanos;
    private final int size;
    private final long origin;
    private final AtomicReferenceArray<Bucket> ring;
    /** The bucket most recently handed out: usually the current one, found without a division. */
    private volatile Bucket latest;

    SlidingWindow(long bucketNanos, int size, long originNanos) {
        this.bucketNanos = bucketNanos;
        this.size = size;
        this.origin = originNanos;
        this.ring = new AtomicReferenceArray<>(size);
    }

    static final class Bucket {
        final long epoch;
        /** The interval, {@code [start, end)} in the clock's nanoseconds. */
        final long start;
        final long end;
        final LongAdder[] outcomes = adders(OUTCOMES);
        final AtomicLongArray errors = new AtomicLongArray(ERROR_TYPES);
        final LongAdder[] acquires = adders(3);
        final AtomicLongArray latency = new AtomicLongArray(LatencyHistogram.BINS);
        final LongAdder latencyNanos = new LongAdder();
        final AtomicLong maxNanos = new AtomicLong();

        Bucket(long epoch, long start, long end) {
            this.epoch = epoch;
            this.start = start;
            this.end = end;
        }

        void call(CallOutcome outcome, ErrorType errorType, long durationNanos) {
            outcomes[outcome.ordinal()].increment();
            if (errorType != null) {
                errors.incrementAndGet(errorType.ordinal());
            }
            long d = Math.max(0, durationNanos);
            latency.incrementAndGet(LatencyHistogram.index(d / 1000));
            latencyNanos.add(d);
            long max = maxNanos.get();
            while (d > max && !maxNanos.compareAndSet(max, d)) {
                max = maxNanos.get();
            }
        }

        void acquire(int kind) {
            acquires[kind].increment();
        }
    }

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    private long epoch(long nowNanos) {
        return Math.floorDiv(nowNanos - origin, bucketNanos);
    }

    /** The bucket of the interval that holds {@code nowNanos}. */
    Bucket bucket(long nowNanos) {
        Bucket l = latest;
        if (l != null && nowNanos - l.start >= 0 && nowNanos - l.end < 0) {
            return l;
        }
        long epoch = epoch(nowNanos);
        int slot = (int) Math.floorMod(epoch, (long) size);
        while (true) {
            Bucket b = ring.get(slot);
            if (b != null && b.epoch >= epoch) {
                if (b.epoch == epoch && (l == null || l.epoch < epoch)) {
                    latest = b;
                }
                return b;
            }
            long start = origin + epoch * bucketNanos;
            Bucket fresh = new Bucket(epoch, start, start + bucketNanos);
            if (ring.compareAndSet(slot, b, fresh)) {
                latest = fresh;
                return fresh;
            }
        }
    }

    /** Adds the buckets of the last {@code size} intervals up to {@code nowNanos} into {@code into}. */
    void addTo(Tally into, long nowNanos) {
        long current = epoch(nowNanos);
        for (int i = 0; i < size; i++) {
            Bucket b = ring.get(i);
            if (b != null && b.epoch <= current && b.epoch > current - size) {
                into.add(b);
            }
        }
    }

    void clear() {
        latest = null;
        for (int i = 0; i < size; i++) {
            ring.set(i, null);
        }
        latest = null;
    }

    /** Sums of buckets: plain arrays, filled by one reader. */
    static final class Tally {
        final long[] outcomes = new long[OUTCOMES];
        final long[] errors = new long[ERROR_TYPES];
        final long[] acquires = new long[3];
        final long[] latency = new long[LatencyHistogram.BINS];
        long latencyNanos;
        long maxNanos;

        void add(Bucket b) {
            for (int i = 0; i < OUTCOMES; i++) {
                outcomes[i] += b.outcomes[i].sum();
            }
            for (int i = 0; i < ERROR_TYPES; i++) {
                errors[i] += b.errors.get(i);
            }
            for (int i = 0; i < acquires.length; i++) {
                acquires[i] += b.acquires[i].sum();
            }
            for (int i = 0; i < latency.length; i++) {
                latency[i] += b.latency.get(i);
            }
            latencyNanos += b.latencyNanos.sum();
            maxNanos = Math.max(maxNanos, b.maxNanos.get());
        }

        void add(Tally t) {
            for (int i = 0; i < OUTCOMES; i++) {
                outcomes[i] += t.outcomes[i];
            }
            for (int i = 0; i < ERROR_TYPES; i++) {
                errors[i] += t.errors[i];
            }
            for (int i = 0; i < acquires.length; i++) {
                acquires[i] += t.acquires[i];
            }
            for (int i = 0; i < latency.length; i++) {
                latency[i] += t.latency[i];
            }
            latencyNanos += t.latencyNanos;
            maxNanos = Math.max(maxNanos, t.maxNanos);
        }
    }
}
