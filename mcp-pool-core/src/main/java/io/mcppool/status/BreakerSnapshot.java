package io.mcppool.status;

import java.util.Objects;

/**
 * An endpoint's circuit breaker at one moment.
 *
 * @param state               its state
 * @param reason              why it is in that state ("5 consecutive failures"); empty when it never changed
 * @param calls               calls in the window
 * @param failureRate         percent of them that failed
 * @param slowCallRate        percent of them that were slow
 * @param consecutiveFailures failures in a row, up to now
 * @param timesOpened         how often the breaker opened since it was made
 * @param remainingOpenMillis how long it still refuses calls, when open; 0 otherwise
 */
public record BreakerSnapshot(BreakerState state, String reason, int calls, double failureRate, double slowCallRate,
                              int consecutiveFailures, long timesOpened, long remainingOpenMillis) {
    public BreakerSnapshot {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(reason, "reason");
    }
}
