package io.mcppool.alerts;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What an {@link AlertRule} watches. */
public enum AlertKind {
    /** Per endpoint: saturation (in-flight over the most slots its pool may open) above a threshold. */
    UTILIZATION,
    /** Per server: error rate over the stats' window above a threshold, over at least some calls. */
    ERROR_RATE,
    /** Per endpoint: its circuit breaker opened. */
    BREAKER_OPEN,
    /** Per endpoint: its status by the health rule is unhealthy. */
    ENDPOINT_UNHEALTHY,
    /** Per endpoint: N unexpected process exits within a period. */
    CRASH_LOOP;

    private final String tag = name().toLowerCase(Locale.ROOT);

    @JsonValue
    public String tagValue() {
        return tag;
    }
}
