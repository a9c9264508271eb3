package io.mcppool.events;

import io.mcppool.status.HealthStatus;
import io.mcppool.status.BreakerState;
import io.mcppool.call.ErrorType;
import io.mcppool.catalog.ToolCatalog;
import java.time.Duration;
import java.util.List;

/**
 * A hook for each step of a call and of a session's life. Metrics, logs and traces are listeners;
 * nothing in the engine updates a metric directly.
 *
 * <p>Every method has an empty default, so a listener implements only what it needs. Hooks are
 * called on the thread where the step happens (a caller, a transport reader, the pool's timer), so
 * they must be fast and must not block. A listener that may be slow is registered
 * {@linkplain AsyncPoolEvents asynchronously}: its hooks then run on a thread of its own,
 * behind a bounded queue. Whatever a hook throws is caught and logged; it never fails a call.
 */
public interface PoolEvents {

    /** The call was made. Synchronous listeners may {@link CallContext#putMeta add to its _meta} here. */
    default void callStarted(CallContext call) {
    }

    /** The call starts waiting for a session slot. */
    default void acquireStarted(CallContext call) {
    }

    /** The wait for a slot ended: with a slot, or not ({@code acquired} false: pool exhausted or closed). */
    default void acquireEnded(CallContext call, long waitedNanos, boolean acquired) {
    }

    /** An endpoint (replica) was chosen for the call. */
    default void endpointPicked(CallContext call, String endpoint) {
    }

    /** Another attempt will be made after {@code backoff}, because of {@code cause}. */
    default void retryScheduled(CallContext call, int nextAttempt, Duration backoff, ErrorType cause) {
    }

    /**
     * The call ended. {@code errorType} is null for {@link CallOutcome#SUCCESS}, {@link ErrorType#TOOL_ERROR}
     * for {@link CallOutcome#TOOL_ERROR}, and the failure's type otherwise.
     */
    default void callEnded(CallContext call, CallOutcome outcome, ErrorType errorType, long durationNanos) {
    }

    /** A session was opened (handshake done) and joined the pool. */
    default void sessionOpened(String server, String endpoint, String protocolVersion) {
    }

    /** A session left the pool. */
    default void sessionClosed(String server, String endpoint, SessionCloseReason reason) {
    }

    /** Opening a session failed. */
    default void sessionOpenFailed(String server, String endpoint, Throwable cause) {
    }

    /** A stdio server process was started. */
    default void processStarted(String server, String endpoint, long pid) {
    }

    /** A stdio server process ended; {@code exitCode} is -1 when unknown. {@code expected}: we asked it to. */
    default void processExited(String server, String endpoint, long pid, int exitCode, boolean expected) {
    }

    /** A crashed process was restarted by supervision. */
    default void processRestarted(String server, String endpoint, long pid, int restarts) {
    }

    /**
     * Lines a server wrote outside the protocol were over the log limit ({@code logLinesPerMinute}) and not
     * logged. {@code stream} is {@code stderr}, {@code stdout} (lines that are not JSON-RPC) or {@code log}
     * (its {@code notifications/message}).
     */
    default void upstreamLinesSkipped(String server, String endpoint, String stream, long lines) {
    }

    /** An endpoint's circuit breaker changed state. */
    default void breakerStateChanged(String server, String endpoint, BreakerState from, BreakerState to) {
    }

    /**
     * An endpoint's health changed; the first report of each endpoint comes from {@link HealthStatus#UNKNOWN}.
     *
     * @param reason why, in words ("3 health checks in a row failed: ..."); empty when there is nothing to say
     */
    default void healthChanged(String server, String endpoint, HealthStatus from, HealthStatus to, String reason) {
    }

    /** The result cache answered a call. */
    default void cacheHit(String server, String tool) {
    }

    /** The result cache had no entry for a cacheable call. */
    default void cacheMiss(String server, String tool) {
    }

    /** The result cache dropped an entry of the tool. */
    default void cacheEvicted(String server, String tool, CacheEvictionCause cause) {
    }

    /**
     * The call joined an identical call already in flight and gets its result: one upstream call served
     * both. Fired between the joining call's {@code callStarted} and {@code callEnded}.
     */
    default void callCoalesced(String server, String tool) {
    }

    /**
     * The shared (Redis) cache went down ({@code degraded} true: it is bypassed, calls go on without it) or
     * came back ({@code degraded} false).
     */
    default void sharedCacheStateChanged(boolean degraded, String reason) {
    }

    /**
     * A server's {@code kind} list in the catalog differs from before (entries added, removed or altered), or the
     * server was added to or removed from the catalog. Called after the change, on a background thread.
     */
    default void catalogChanged(String server, ToolCatalog.Kind kind) {
    }

    /** The configuration was reloaded. */
    default void configReloaded(List<String> added, List<String> removed, List<String> changed) {
    }

    /** A listener that does nothing. */
    PoolEvents NONE = new PoolEvents() {
    };
}
