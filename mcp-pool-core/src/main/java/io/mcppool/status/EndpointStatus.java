package io.mcppool.status;

import java.time.Instant;

/**
 * One endpoint of a server as operators see it: health (with the reason and time of its last change),
 * breaker, load, process supervision and the session pool. JSON-serialisable.
 *
 * @param transport     {@code stdio}, {@code http} or {@code custom}
 * @param available     whether it may take a call now (not unhealthy, breaker permits)
 * @param ready         whether it has a session open (or needs none yet)
 * @param outstanding   requests in flight
 * @param latencyMillis the decaying latency average the {@code latency} balancer uses
 */
public record EndpointStatus(String name, String transport, int weight, int tier, HealthStatus health,
                             String healthReason, Instant healthSince, boolean available, boolean ready,
                             BreakerSnapshot breaker, int outstanding, double latencyMillis,
                             SupervisionSnapshot supervision, EndpointSnapshot pool) {
}
