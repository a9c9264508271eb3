/**
 * Alert rules over a pool's statistics: {@link io.mcppool.alerts.Alerts} evaluates {@link io.mcppool.alerts.AlertRule}s
 * (utilization, error rate, an open breaker, an unhealthy endpoint, a crash loop) and tells an
 * {@link io.mcppool.alerts.AlertListener} once when a condition starts to hold and once when it ends.
 */
package io.mcppool.alerts;
