package io.mcppool.internal.resilience;

import io.mcppool.call.ErrorType;
import io.mcppool.config.ToolConfig;
import io.mcppool.protocol.ToolAnnotations;

/**
 * The retry safety rule, in one place. A failure is one of three kinds:
 * <ul>
 *   <li>{@link Kind#NOT_SENT}: the call never reached a server (could not connect, no slot, throttled or
 *       refused before it ran): it may always go again, to this endpoint or another;</li>
 *   <li>{@link Kind#MAY_HAVE_RUN}: the channel broke with the call in flight: it goes again only when the
 *       tool is safe to repeat;</li>
 *   <li>{@link Kind#FINAL}: an answer, or a failure another attempt would not change (timeout, protocol
 *       error, bad request, auth failure, cancellation).</li>
 * </ul>
 */
public final class Retries {

    public enum Kind { NOT_SENT, MAY_HAVE_RUN, FINAL }

    private Retries() {
    }

    public static Kind kind(ErrorType type) {
        return switch (type) {
            // Throttling (429/503) and an unknown session are answers the server gives instead of running the call.
            case CONNECT_FAILURE, POOL_EXHAUSTED, THROTTLED, SESSION_EXPIRED -> Kind.NOT_SENT;
            case TRANSPORT_FAILURE -> Kind.MAY_HAVE_RUN;
            // A timeout spent the call's whole deadline: nothing is left to retry with.
            case TIMEOUT, PROTOCOL_ERROR, TOOL_ERROR, INVALID_REQUEST, AUTH_FAILURE, UNAVAILABLE, CANCELLED, POOL_CLOSED ->
                    Kind.FINAL;
        };
    }

    /**
     * Whether a tool may run twice for one call. The operator's word decides first (config
     * {@code idempotent} or {@code readOnly} true: safe; {@code idempotent: false}: never). Otherwise the
     * server's annotations decide, but only for a {@code trusted} server (the spec calls them hints from
     * an untrusted one): {@code idempotentHint}, or {@code readOnlyHint} unless the config says
     * {@code readOnly: false}.
     *
     * @param annotations the tool's annotations from the server's list, or null when unknown
     */
    public static boolean safeToRepeat(ToolAnnotations annotations, boolean trusted, ToolConfig config) {
        if (config.idempotent().orElse(false) || config.readOnly().orElse(false)) {
            return true;
        }
        if (config.idempotent().isPresent()) {
            return false; // said false
        }
        if (!trusted || annotations == null) {
            return false;
        }
        return annotations.idempotent() || (annotations.readOnly() && config.readOnly().isEmpty());
    }

    /** Whether a failure of this type may be followed by another attempt of a call whose safety is {@code safe}. */
    public static boolean mayRetry(ErrorType type, boolean safe) {
        return switch (kind(type)) {
            case NOT_SENT -> true;
            case MAY_HAVE_RUN -> safe;
            case FINAL -> false;
        };
    }

    /**
     * Whether a failure says something is wrong with the endpoint, for its breaker and health. Answers the
     * caller caused (bad request, auth, cancellation), tool errors, an expired session (a normal event) and a
     * full pool (local load) do not count.
     */
    public static boolean countsAgainstEndpoint(ErrorType type) {
        return switch (type) {
            case CONNECT_FAILURE, TRANSPORT_FAILURE, TIMEOUT, THROTTLED, PROTOCOL_ERROR -> true;
            case SESSION_EXPIRED, POOL_EXHAUSTED, POOL_CLOSED, TOOL_ERROR, INVALID_REQUEST, AUTH_FAILURE, UNAVAILABLE,
                 CANCELLED -> false;
        };
    }
}
