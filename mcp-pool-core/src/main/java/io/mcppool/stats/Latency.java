package io.mcppool.stats;

/**
 * Call durations over the window, in milliseconds. Percentiles are nearest-rank from a log-linear
 * histogram: within 3.2% (or 1 µs) of the exact value. Mean and max are exact.
 */
public record Latency(double p50Ms, double p95Ms, double p99Ms, double meanMs, double maxMs) {
}
