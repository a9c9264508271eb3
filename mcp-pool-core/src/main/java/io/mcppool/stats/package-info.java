/**
 * A pool's recent figures and health: {@link io.mcppool.stats.PoolStats} records calls as a listener and reports them
 * over a sliding window as {@link io.mcppool.stats.PoolMetrics}, {@link io.mcppool.stats.ServerMetrics} and
 * {@link io.mcppool.stats.EndpointMetrics}, and rates the pool, each server and each endpoint healthy, degraded or
 * unhealthy ({@link io.mcppool.stats.HealthSummary}, by {@link io.mcppool.stats.HealthRules}).
 */
package io.mcppool.stats;
