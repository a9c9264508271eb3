package io.mcppool.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Active health checks of each endpoint: a ping every {@code interval}, failed when it takes longer
 * than {@code timeout}. {@code unhealthyAfter} failures in a row make the endpoint unhealthy (it gets
 * no calls); {@code healthyAfter} successes in a row make it healthy again.
 *
 * @param enabled false: no active checks (also {@code MCP_DISABLE_HEALTH_CHECKS=true}); breakers and
 *                process supervision still judge the endpoint
 */
public record HealthSettings(boolean enabled, Duration interval, Duration timeout, int unhealthyAfter,
                             int healthyAfter) {

    /** Every setting at its default. */
    public static final HealthSettings DEFAULTS = new HealthSettings(true, Duration.ofSeconds(30), Duration.ofSeconds(5),
            3, 2);
    public static final HealthSettings DISABLED = new HealthSettings(false, DEFAULTS.interval, DEFAULTS.timeout, 3, 2);

    /** @throws IllegalArgumentException if a value is out of its range */
    public HealthSettings {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        if (interval.toMillis() < 10 || timeout.toMillis() < 1) {
            throw new IllegalArgumentException("interval must be at least 10ms and timeout positive; got " + interval
                    + " and " + timeout);
        }
        if (unhealthyAfter < 1 || healthyAfter < 1) {
            throw new IllegalArgumentException("unhealthyAfter and healthyAfter must be at least 1; got "
                    + unhealthyAfter + " and " + healthyAfter);
        }
    }

    public HealthSettings withEnabled(boolean v) {
        return new HealthSettings(v, interval, timeout, unhealthyAfter, healthyAfter);
    }
}
