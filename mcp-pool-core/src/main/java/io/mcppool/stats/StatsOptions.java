package io.mcppool.stats;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link PoolStats} keeps its recent window.
 *
 * @param window        how far back error rates, percentiles and hit ratios look; default 60 s
 * @param buckets       the window is a ring of this many time buckets; default 12 (5 s each). A call counts
 *                      for between {@code window - window/buckets} and {@code window} after it ended.
 * @param warmThreshold an acquire that got its slot within this time is a warm hit; default 1 ms
 * @param rules         the thresholds of the status rule
 */
public record StatsOptions(Duration window, int buckets, Duration warmThreshold, HealthRules rules) {

    public static final StatsOptions DEFAULTS = new StatsOptions(Duration.ofSeconds(60), 12, Duration.ofMillis(1),
            HealthRules.DEFAULTS);

    public StatsOptions {
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(warmThreshold, "warmThreshold");
        Objects.requireNonNull(rules, "rules");
        if (buckets < 1 || buckets > 3600) {
            throw new IllegalArgumentException("buckets must be between 1 and 3600; got " + buckets);
        }
        if (window.toNanos() < buckets * 1_000_000L) {
            throw new IllegalArgumentException("window must be at least 1 ms per bucket; got " + window + " for "
                    + buckets + " buckets");
        }
        if (warmThreshold.isNegative()) {
            throw new IllegalArgumentException("warmThreshold must not be negative; got " + warmThreshold);
        }
    }

    public StatsOptions withWindow(Duration v, int bucketCount) {
        return new StatsOptions(v, bucketCount, warmThreshold, rules);
    }

    public StatsOptions withWarmThreshold(Duration v) {
        return new StatsOptions(window, buckets, v, rules);
    }

    public StatsOptions withRules(HealthRules v) {
        return new StatsOptions(window, buckets, warmThreshold, v);
    }

    /** The length of one bucket. */
    public Duration bucket() {
        return window.dividedBy(buckets);
    }
}
