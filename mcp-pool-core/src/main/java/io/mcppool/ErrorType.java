package io.mcppool;

import java.util.Locale;

/**
 * What kind of failure ended a call: the classification retries, breakers and metrics share. The
 * {@link #tagValue()} is what metrics and traces record (the OpenTelemetry {@code error.type}).
 */
public enum ErrorType {
    /** The server could not be reached at all (process did not start, connection refused); nothing was sent. */
    CONNECT_FAILURE,
    /** The channel broke while the call was in flight or being sent; the call may have run. */
    TRANSPORT_FAILURE,
    /** The call's deadline passed. */
    TIMEOUT,
    /** The server said to slow down (HTTP 429 or 503). */
    THROTTLED,
    /** The server no longer knew the session. */
    SESSION_EXPIRED,
    /** The server answered with a JSON-RPC error or broke the protocol. */
    PROTOCOL_ERROR,
    /** The tool ran and returned {@code isError}. Not a failure of the endpoint. */
    TOOL_ERROR,
    /** The request was refused as invalid (bad arguments, unknown tool). */
    INVALID_REQUEST,
    /** HTTP 401 or 403. */
    AUTH_FAILURE,
    /** No slot within the acquire timeout; nothing was sent. */
    POOL_EXHAUSTED,
    /** The pool was closed before the call could be sent or while it ran. */
    POOL_CLOSED,
    /** No endpoint of the server could take the call (breakers open, endpoints unhealthy); nothing was sent. */
    UNAVAILABLE,
    /** The caller cancelled the call. */
    CANCELLED;

    private final String tag = name().toLowerCase(Locale.ROOT);

    public String tagValue() {
        return tag;
    }
}
