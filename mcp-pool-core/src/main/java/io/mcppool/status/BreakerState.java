package io.mcppool.status;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The state of an endpoint's circuit breaker: its own (closed, open, half-open) or an operator's (forced, disabled). */
public enum BreakerState {
    /** Calls pass; outcomes are counted. */
    CLOSED,
    /** Calls are refused until {@code openFor} has passed. */
    OPEN,
    /** A few trial calls pass; they decide between closed and open. */
    HALF_OPEN,
    /** Every call is refused until an operator resets it or forces it closed. */
    FORCED_OPEN,
    /** Every call passes, whatever happens, until an operator resets it or forces it open. */
    FORCED_CLOSED,
    /** The breaker is switched off in the configuration: calls pass, nothing is counted. */
    DISABLED;

    private final String tag = name().toLowerCase(Locale.ROOT);

    /** {@code closed}, {@code open}, {@code half_open}, {@code forced_open}, {@code forced_closed}, {@code disabled}. */
    @JsonValue
    public String tagValue() {
        return tag;
    }

    /** Whether the state refuses calls (open or forced open). */
    public boolean refuses() {
        return this == OPEN || this == FORCED_OPEN;
    }
}
