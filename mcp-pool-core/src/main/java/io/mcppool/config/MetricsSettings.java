package io.mcppool.config;

import java.util.List;

/**
 * How the Micrometer binding ({@code McpPoolMetrics}) publishes the timers. Both are off by default:
 * every histogram bucket or percentile is one more series per tag combination.
 *
 * @param percentileHistograms publish histogram buckets, so Prometheus can compute percentiles across
 *                             instances with {@code histogram_quantile}
 * @param percentiles          percentiles computed in this process (0.5, 0.95, ...), not aggregatable
 */
public record MetricsSettings(boolean percentileHistograms, List<Double> percentiles) {
    /** Every setting at its default. */
    public static final MetricsSettings DEFAULTS = new MetricsSettings(false, List.of());

    /** @throws IllegalArgumentException if a value is out of its range */
    public MetricsSettings {
        percentiles = List.copyOf(percentiles);
        for (double p : percentiles) {
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException("a percentile is between 0 and 1; got " + p);
            }
        }
    }
}
