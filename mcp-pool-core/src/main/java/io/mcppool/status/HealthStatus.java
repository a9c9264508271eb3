package io.mcppool.status;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * The status of an endpoint, a server or the whole pool, ordered from best to worst. {@link #UNKNOWN} is only what an
 * endpoint was before its first report (the {@code from} of the first {@code healthChanged} event); it counts as fine
 * and no rule ever yields it.
 */
public enum HealthStatus {
    UNKNOWN,
    HEALTHY,
    DEGRADED,
    UNHEALTHY;

    private final String tag = name().toLowerCase(Locale.ROOT);

    /** {@code unknown}, {@code healthy}, {@code degraded} or {@code unhealthy}: what JSON shows. */
    @JsonValue
    public String tagValue() {
        return tag;
    }

    /** The worse of the two. */
    public HealthStatus worst(HealthStatus other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
