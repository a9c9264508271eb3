package io.mcppool.stats;

/**
 * A latency histogram for one load-generating thread, on the bins of core's {@link LatencyHistogram}
 * (16 per power of two of microseconds: a percentile within 3.2% or 1 µs of the exact one), so that a
 * benchmark's percentiles are computed the way the pool's own statistics compute theirs. Fixed size
 * whatever the number of calls; not thread-safe: one writer, read after the writers are done.
 *
 * <p>It lives in core's package, in the bench module, because {@code LatencyHistogram} is package-private.
 */
public final class LatencyRecorder {
    private final long[] bins = new long[LatencyHistogram.BINS];
    private long count;
    private long maxNanos;

    public void record(long nanos) {
        bins[LatencyHistogram.index(nanos / 1000)]++;
        count++;
        if (nanos > maxNanos) {
            maxNanos = nanos;
        }
    }

    /** Adds another recorder's values to this one. */
    public void add(LatencyRecorder other) {
        for (int i = 0; i < bins.length; i++) {
            bins[i] += other.bins[i];
        }
        count += other.count;
        maxNanos = Math.max(maxNanos, other.maxNanos);
    }

    public long count() {
        return count;
    }

    public long maxNanos() {
        return count == 0 ? -1 : maxNanos;
    }

    /** The nearest-rank percentile ({@code p} from 0 to 1) in nanoseconds; -1 when nothing was recorded. */
    public long percentileNanos(double p) {
        if (count == 0) {
            return -1;
        }
        return Math.round(LatencyHistogram.percentile(bins, count, p, maxNanos / 1000.0) * 1000);
    }
}
