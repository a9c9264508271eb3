package io.mcppool.call;

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

    /**
     * What the type means, in words that stay the same whatever the failure's details were: what a gateway tells a
     * client (the details, such as a command line, a pid or a server's stderr, are for the log) and what the
     * status page lists.
     */
    public String description() {
        return switch (this) {
            case CONNECT_FAILURE -> "could not reach the server";
            case TRANSPORT_FAILURE -> "the connection broke during the call";
            case TIMEOUT -> "no answer before the deadline";
            case THROTTLED -> "the server asked to slow down";
            case SESSION_EXPIRED -> "the server no longer knew the session";
            case PROTOCOL_ERROR -> "a JSON-RPC error or a protocol violation";
            case TOOL_ERROR -> "the tool reported an error";
            case INVALID_REQUEST -> "refused as invalid (unknown tool or bad arguments)";
            case AUTH_FAILURE -> "the server refused the credentials";
            case POOL_EXHAUSTED -> "no session slot within the acquire timeout";
            case POOL_CLOSED -> "the pool was closed";
            case UNAVAILABLE -> "no endpoint could take the call";
            case CANCELLED -> "cancelled by the caller";
        };
    }
}
