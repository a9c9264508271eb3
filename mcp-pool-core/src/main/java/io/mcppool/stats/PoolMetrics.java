package io.mcppool.stats;

import io.mcppool.status.HealthStatus;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Every server and endpoint, with the recent window (the seeds' {@code get_all_metrics}). JSON-serialisable.
 *
 * @param windowSeconds the length of the window the rates and percentiles cover
 * @param status        overall, by the rule of {@link HealthRules}
 * @param window        every call of the pool in the window
 */
public record PoolMetrics(@JsonSerialize(using = ToStringSerializer.class) Instant takenAt, long windowSeconds,
                          HealthStatus status, List<String> reasons, WindowStats window, Totals totals,
                          List<ServerMetrics> servers) {

    public Optional<ServerMetrics> server(String name) {
        return servers.stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
