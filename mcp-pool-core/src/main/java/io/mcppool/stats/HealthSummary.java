package io.mcppool.stats;

import io.mcppool.status.HealthStatus;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The pool's status, and each server's and endpoint's, with the figures that decide them (the seeds'
 * {@code get_health_summary}). The rule is in {@link HealthRules}. JSON-serialisable.
 *
 * @param status           overall: {@code healthy}, {@code degraded} or {@code unhealthy}
 * @param reasons          why the overall status is not healthy; empty when healthy
 * @param healthyServers   names, in config order
 */
public record HealthSummary(HealthStatus status, @JsonSerialize(using = ToStringSerializer.class) Instant takenAt,
                            long windowSeconds, List<String> reasons, List<String> healthyServers,
                            List<String> degradedServers, List<String> unhealthyServers, List<ServerHealth> servers) {

    /**
     * @param calls        calls in the window
     * @param warmHitRatio null without acquires in the window
     * @param latency      null without calls in the window
     */
    public record ServerHealth(String name, HealthStatus status, boolean required, List<String> reasons, long calls,
                               double errorRate, Double warmHitRatio, Latency latency, List<EndpointHealth> endpoints) {
    }

    /**
     * @param pool         sizes, in-flight, utilization and saturation; null when unknown
     * @param warmHitRatio null without acquires in the window
     * @param latency      null without calls in the window
     */
    public record EndpointHealth(String endpoint, HealthStatus status, List<String> reasons,
                                 EndpointMetrics.Pool pool, long calls, double errorRate, Double warmHitRatio,
                                 Latency latency, EndpointMetrics.Breaker breaker, EndpointMetrics.Health health) {
    }

    public Optional<ServerHealth> server(String name) {
        return servers.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    static HealthSummary of(PoolMetrics m) {
        List<ServerHealth> servers = m.servers().stream().map(s -> new ServerHealth(s.name(), s.status(), s.required(),
                s.reasons(), s.window().calls(), s.window().errorRate(), s.window().warmHitRatio(), s.window().latency(),
                s.endpoints().stream().map(e -> new EndpointHealth(e.endpoint(), e.status(), e.reasons(), e.pool(),
                        e.window().calls(), e.window().errorRate(), e.window().warmHitRatio(), e.window().latency(),
                        e.breaker(), e.health())).toList())).toList();
        return new HealthSummary(m.status(), m.takenAt(), m.windowSeconds(), m.reasons(),
                names(m, HealthStatus.HEALTHY), names(m, HealthStatus.DEGRADED), names(m, HealthStatus.UNHEALTHY),
                servers);
    }

    private static List<String> names(PoolMetrics m, HealthStatus status) {
        return m.servers().stream().filter(s -> s.status() == status).map(ServerMetrics::name).toList();
    }
}
