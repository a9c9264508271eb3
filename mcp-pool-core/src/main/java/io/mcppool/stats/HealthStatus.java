package io.mcppool.stats;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The status of an endpoint, a server or the whole pool. Ordered from best to worst. See {@link HealthRules}. */
public enum HealthStatus {
    HEALTHY,
    DEGRADED,
    UNHEALTHY;

    private final String tag = name().toLowerCase(Locale.ROOT);

    /** {@code healthy}, {@code degraded} or {@code unhealthy}: what JSON shows. */
    @JsonValue
    public String tagValue() {
        return tag;
    }

    public HealthStatus worst(HealthStatus other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
