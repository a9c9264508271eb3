package io.mcppool.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void everyValueFallsInItsBinAndBinsAreNarrow() {
        Random random = new Random(7);
        int previous = 0;
        for (long v = 0; v < 200_000; v++) {
            check(v);
            int i = LatencyHistogram.index(v);
            assertThat(i).isGreaterThanOrEqualTo(previous); // monotonic
            previous = i;
        }
        for (int n = 0; n < 100_000; n++) {
            check(random.nextLong(1L << LatencyHistogram.MAX_EXP));
        }
        check((1L << LatencyHistogram.MAX_EXP) - 1);
    }

    private static void check(long v) {
        int i = LatencyHistogram.index(v);
        long lower = LatencyHistogram.lowerBound(i);
        long width = LatencyHistogram.width(i);
        assertThat(v).isBetween(lower, lower + width - 1);
        if (i >= LatencyHistogram.SUB) {
            assertThat((double) width / lower).isLessThanOrEqualTo(1.0 / 16);
        }
    }

    @Test
    void binsAreContiguous() {
        for (int i = 1; i < LatencyHistogram.BINS; i++) {
            assertThat(LatencyHistogram.lowerBound(i))
                    .isEqualTo(LatencyHistogram.lowerBound(i - 1) + LatencyHistogram.width(i - 1));
        }
    }

    @Test
    void hugeAndNegativeValuesAreClamped() {
        assertThat(LatencyHistogram.index(Long.MAX_VALUE)).isEqualTo(LatencyHistogram.BINS - 1);
        assertThat(LatencyHistogram.index(-5)).isZero();
    }

    @Test
    void nearestRankPercentile() {
        long[] bins = new long[LatencyHistogram.BINS];
        bins[LatencyHistogram.index(3)] = 50;   // 50 values of 3 µs
        bins[LatencyHistogram.index(100)] = 50; // 50 values of 100 µs
        assertThat(LatencyHistogram.percentile(bins, 100, 0.50, 100)).isEqualTo(3.5);
        assertThat(LatencyHistogram.percentile(bins, 100, 0.51, 100)).isEqualTo(100); // capped at the max
        assertThat(LatencyHistogram.percentile(bins, 0, 0.5, 0)).isNaN();
    }
}
