package io.mcppool.status;

/**
 * An operator's handle on one endpoint's circuit breaker: read it, force it open or closed, reset it. It takes no
 * permits and records no outcomes: only the endpoint's own calls move the breaker, so no caller can skew its window.
 */
public interface BreakerControl {

    /** The breaker's state now. */
    BreakerState state();

    /** The breaker's figures now. */
    BreakerSnapshot snapshot();

    /** Refuses every call until {@link #reset()} or {@link #forceClosed()}. */
    void forceOpen();

    /** Lets every call through, whatever happens, until {@link #reset()} or {@link #forceOpen()}. */
    void forceClosed();

    /** Back to closed with an empty window (or to disabled, if the breaker is switched off in the configuration). */
    void reset();
}
