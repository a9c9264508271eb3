package io.mcppool.stats;

import io.mcppool.status.HealthStatus;
import java.util.List;

/**
 * Everything known about one server (the seeds' {@code get_server_metrics}). JSON-serialisable.
 *
 * @param transport {@code stdio}, {@code http} or {@code custom}; null when unknown
 * @param toolCount tools in the cached list; -1 when not cached or unknown
 * @param required  false when the server is one of {@link HealthRules#optionalServers()}
 * @param reasons   why the status is not healthy; empty when healthy
 * @param window    all of the server's calls in the window, including those that ended before an endpoint
 *                  was picked (an unknown tool)
 */
public record ServerMetrics(String name, String transport, int toolCount, HealthStatus status, boolean required,
                            List<String> reasons, WindowStats window, Totals totals, List<EndpointMetrics> endpoints) {
}
