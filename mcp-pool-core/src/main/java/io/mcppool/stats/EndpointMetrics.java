package io.mcppool.stats;

import io.mcppool.status.HealthStatus;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything known about one endpoint: its pool now, its recent window, and the last breaker, health,
 * session and process events. JSON-serialisable with any Jackson mapper (instants are ISO-8601 strings).
 *
 * @param status  by the rule of {@link HealthRules}
 * @param reasons why the status is not healthy, one sentence each; empty when healthy
 * @param pool    the pool's state from {@link io.mcppool.McpPool#snapshot()}; null when the stats have no
 *                snapshot of this endpoint (a listener used without a pool)
 */
public record EndpointMetrics(String endpoint, HealthStatus status, List<String> reasons, Pool pool,
                              WindowStats window, Totals totals, Breaker breaker, Health health, Lifecycle lifecycle) {

    /**
     * @param sessions        open sessions (sticky mode: bound affinity keys)
     * @param capacity        slots of the open sessions
     * @param maxCapacity     slots of the most sessions the pool may open ({@code maxSessions} x slots per
     *                        session); 0 when the configuration is unknown
     * @param utilization     {@code inFlight / capacity}, as {@link io.mcppool.status.EndpointSnapshot#utilization()}
     * @param saturation      {@code inFlight / maxCapacity}: how close the pool is to making callers wait;
     *                        equals {@code utilization} when {@code maxCapacity} is unknown
     * @param lastOpenFailure why the last attempt to open a session failed, if the last attempt failed
     */
    public record Pool(String mode, int sessions, int idleSessions, int opening, int inFlight, int capacity,
                       int maxCapacity, int pendingAcquires, double utilization, double saturation,
                       long acquireTimeouts, String lastOpenFailure) {
    }

    /**
     * The circuit breaker's state as last reported by {@code breakerStateChanged}: {@code closed} (also when
     * never reported), {@code open}, {@code half_open}, ...
     *
     * @param changedAt when it was reported; null when never
     */
    public record Breaker(String state, @JsonSerialize(using = ToStringSerializer.class) Instant changedAt) {
    }

    /**
     * Health as last reported by {@code healthChanged}: {@code healthy}, {@code degraded}, {@code unhealthy},
     * or {@code unknown} when no health check has reported.
     *
     * @param reason    the check's reason; null when none
     * @param changedAt when it was reported; null when never
     */
    public record Health(String status, String reason, @JsonSerialize(using = ToStringSerializer.class) Instant changedAt) {
    }

    /**
     * Session and process events since the stats were attached or last reset.
     *
     * @param sessionsClosed     by {@link io.mcppool.events.SessionCloseReason#tagValue()}, reasons that occurred
     * @param lastOpenFailure    the message of the last failed attempt to open a session (kept after a later
     *                           success; see {@code openFailing})
     * @param openFailing        the last attempt to open a session failed
     * @param unexpectedExits    stdio processes that ended without being asked to (crashes)
     * @param recentUnexpectedExits unexpected exits within {@link HealthRules#crashLoopPeriod()}
     * @param lastExitCode       of the last process that ended; null when none did (-1: unknown)
     */
    public record Lifecycle(long sessionsOpened, long sessionOpenFailures, Map<String, Long> sessionsClosed,
                            boolean openFailing, String lastOpenFailure,
                            @JsonSerialize(using = ToStringSerializer.class) Instant lastOpenFailureAt,
                            long processStarts, long expectedExits, long unexpectedExits, int recentUnexpectedExits,
                            long restarts, Integer lastExitCode) {
    }
}
