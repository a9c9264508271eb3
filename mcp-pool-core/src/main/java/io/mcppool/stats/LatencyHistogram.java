package io.mcppool.stats;

/**
 * The bins of the log-linear latency histogram (the layout of HdrHistogram with 16 sub-buckets): values
 * are microseconds; 0..15 µs have a bin each, and every power of two above is split into 16 equal bins,
 * up to 2^36 µs (19 hours; longer values land in the last bin). A bin is at most 1/16 as wide as its lower
 * bound, so its midpoint is within 1/32 (3.125%) of any value in it.
 *
 * <p>Percentiles are nearest-rank: the {@code p}-th percentile of {@code n} values is the
 * {@code ceil(p·n)}-th smallest. The histogram reports the midpoint of the bin that holds it (never more
 * than the largest value seen), so a reported percentile is within 3.2% or 1 µs, whichever is larger, of
 * the exact one (durations are truncated to whole microseconds first, hence the 1 µs).
 */
final class LatencyHistogram {
    static final int SUB_BITS = 4;
    static final int SUB = 1 << SUB_BITS;
    static final int MAX_EXP = 36;
    /** 16 linear bins, then 16 for each exponent 4..35. */
    static final int BINS = (MAX_EXP - SUB_BITS + 1) * SUB;

    private LatencyHistogram() {
    }

    static int index(long micros) {
        if (micros < SUB) {
            return micros <= 0 ? 0 : (int) micros;
        }
        int exp = 63 - Long.numberOfLeadingZeros(micros);
        if (exp >= MAX_EXP) {
            return BINS - 1;
        }
        int sub = (int) (micros >>> (exp - SUB_BITS)) & (SUB - 1);
        return (exp - SUB_BITS + 1) * SUB + sub;
    }

    /** The smallest value (µs) in bin {@code i}. */
    static long lowerBound(int i) {
        if (i < SUB) {
            return i;
        }
        int shift = i / SUB - 1;
        return ((long) SUB + (i & (SUB - 1))) << shift;
    }

    /** How many µs bin {@code i} spans. */
    static long width(int i) {
        return i < SUB ? 1 : 1L << (i / SUB - 1);
    }

    /**
     * The nearest-rank percentile in µs of the values counted in {@code bins} ({@code total} of them), capped
     * at {@code maxMicros}; NaN when there are none.
     */
    static double percentile(long[] bins, long total, double p, double maxMicros) {
        if (total <= 0) {
            return Double.NaN;
        }
        long rank = Math.max(1, (long) Math.ceil(p * total));
        long seen = 0;
        for (int i = 0; i < bins.length; i++) {
            seen += bins[i];
            if (seen >= rank) {
                return Math.min(lowerBound(i) + width(i) / 2.0, maxMicros);
            }
        }
        return maxMicros; // counts raced with the total; the largest value is the best answer
    }
}
