package io.mcppool.gateway.mcp;

/**
 * What the gateway reports when a client reaches one of its limits ({@code gateway.maxStreamMessages} and the
 * others), for metrics. Called on whatever thread met the limit (an upstream's reader among them): an
 * implementation only counts, never blocks.
 */
public interface GatewayEvents {
    /** Reports nothing. */
    GatewayEvents NONE = new GatewayEvents() {
    };

    /** A reason: the client did not read what the gateway had for it. */
    String SLOW_CLIENT = "slow_client";
    /** A reason: the client did not answer an upstream's request in {@code gateway.clientRequestTimeout}. */
    String TIMEOUT = "timeout";
    /** A reason: the client already had {@code gateway.maxClientRequests} of them unanswered. */
    String TOO_MANY = "too_many";

    /** A quota: one client's sessions ({@code gateway.maxSessionsPerClient}) all had calls in flight. */
    String SESSIONS_PER_CLIENT = "sessions_per_client";
    /** A quota: one client's GET streams ({@code gateway.maxStreamsPerClient}). */
    String STREAMS_PER_CLIENT = "streams_per_client";
    /** A quota: one client's requests in flight ({@code gateway.maxCallsPerClient}). */
    String CALLS_PER_CLIENT = "calls_per_client";
    /** A quota: one client's upstream sessions of a sticky server ({@code gateway.maxStickySessionsPerClient}). */
    String STICKY_SESSIONS_PER_CLIENT = "sticky_sessions_per_client";
    /** The gateway's own limit: every client session ({@code gateway.maxSessions}) had a call in flight. */
    String GATEWAY_SESSIONS = "gateway_sessions";

    /** A reason a client session ended: no request and no answer for {@code gateway.sessionIdleTimeout}. */
    String IDLE = "idle";
    /** A reason a client session ended: it made room for a new one (its client's quota, or a full gateway). */
    String EVICTED = "evicted";
    /** A reason a client session ended: a reload took away the credential that opened it. */
    String REVOKED = "revoked";

    /** A request was refused at a quota ({@link #SESSIONS_PER_CLIENT} and the others): 429 or 503. */
    default void refused(String quota) {
    }

    /** A client session ended other than by its client's {@code DELETE}: {@link #IDLE}, {@link #EVICTED}, {@link #REVOKED}. */
    default void sessionEnded(String reason) {
    }

    /** An auth-failure reason: a request without credentials where they are required. */
    String MISSING = "missing";
    /** An auth-failure reason: credentials that were checked and refused (unknown key, bad signature, expired). */
    String INVALID_TOKEN = "invalid_token";
    /** An auth-failure reason: refused unchecked, its address or token had too many failures (429). */
    String THROTTLED = "throttled";

    /** A request was refused for its credentials: {@link #MISSING}, {@link #INVALID_TOKEN} or {@link #THROTTLED}. */
    default void authFailed(String reason) {
    }

    /** A stream to a client (an SSE stream) was closed before its end; {@link #SLOW_CLIENT}. */
    default void streamClosed(String reason) {
    }

    /** A response waiting for a client was dropped to make room for a newer one; {@link #SLOW_CLIENT}. */
    default void responseDropped(String reason) {
    }

    /** An upstream's request to a client ended without the client's answer; {@link #TIMEOUT} or {@link #TOO_MANY}. */
    default void clientRequestFailed(String reason) {
    }
}
