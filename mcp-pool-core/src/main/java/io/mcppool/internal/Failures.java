package io.mcppool.internal;

import io.mcppool.call.CallTimeoutException;
import io.mcppool.call.ConnectFailureException;
import io.mcppool.call.ErrorType;
import io.mcppool.call.McpPoolException;
import io.mcppool.call.PoolClosedException;
import io.mcppool.call.PoolExhaustedException;
import io.mcppool.call.ProtocolErrorException;
import io.mcppool.call.TransportFailureException;
import io.mcppool.call.UnknownToolException;
import io.mcppool.internal.pool.AcquireTimeoutException;
import io.mcppool.internal.pool.PoolClosingException;
import io.mcppool.protocol.JsonRpcError;
import io.mcppool.protocol.MalformedMessageException;
import io.mcppool.internal.session.RequestTimeoutException;
import io.mcppool.protocol.RpcErrorException;
import io.mcppool.internal.transport.HttpStatusException;
import io.mcppool.transport.SessionExpiredException;
import io.mcppool.transport.TransportException;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** The one place where what the engine throws becomes the public, typed exception a caller sees. */
public final class Failures {
    private Failures() {
    }

    public static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Maps any failure of a call to its public type; a caller's own cancellation passes through. */
    public static RuntimeException map(Throwable failure, String server, String endpoint, String tool) {
        Throwable t = unwrap(failure);
        return switch (t) {
            case McpPoolException e -> e;
            case CancellationException e -> e;
            case AcquireTimeoutException e when e.connectFailure() -> new ConnectFailureException(e.getMessage(), server,
                    endpoint, tool, e.getCause());
            case AcquireTimeoutException e -> new PoolExhaustedException(e.getMessage(), server, endpoint, tool, e.getCause());
            case PoolClosingException e -> new PoolClosedException(e.getMessage(), server, endpoint, tool, e);
            case RequestTimeoutException e -> new CallTimeoutException(e.getMessage(), server, endpoint, tool, e);
            case RpcErrorException e -> isUnknownTool(e.error(), tool)
                    ? new UnknownToolException("the server does not know this tool: " + e.error().message(), server,
                    endpoint, tool, e)
                    : new ProtocolErrorException(e.getMessage(), server, endpoint, tool, e.error(), e);
            case TransportException e when e.isConnectFailure() -> new ConnectFailureException(e.getMessage(), server,
                    endpoint, tool, e);
            case TransportException e -> new TransportFailureException(e.getMessage(), server, endpoint, tool,
                    classifyTransport(e), e);
            case MalformedMessageException e -> new ProtocolErrorException("malformed answer: " + e.getMessage(), server,
                    endpoint, tool, null, e);
            default -> new TransportFailureException("unexpected failure: " + t, server, endpoint, tool, t);
        };
    }

    /** Servers answer an unknown tool with -32602 (the spec's choice) and a message naming it. */
    static boolean isUnknownTool(JsonRpcError error, String tool) {
        if (tool == null || error.code() != JsonRpcError.INVALID_PARAMS && error.code() != JsonRpcError.METHOD_NOT_FOUND) {
            return false;
        }
        String m = error.message() == null ? "" : error.message().toLowerCase(Locale.ROOT);
        return m.contains("unknown tool") || m.contains("tool not found") || (m.contains("not found") && m.contains(tool.toLowerCase(Locale.ROOT)));
    }

    /** The kind of a call's failure, as retries, breakers and metrics classify it. */
    public static ErrorType classify(Throwable failure) {
        Throwable t = unwrap(failure);
        return switch (t) {
            case McpPoolException e -> e.errorType();
            case CancellationException e -> ErrorType.CANCELLED;
            case AcquireTimeoutException e when e.connectFailure() -> ErrorType.CONNECT_FAILURE;
            case AcquireTimeoutException e -> ErrorType.POOL_EXHAUSTED;
            case PoolClosingException e -> ErrorType.POOL_CLOSED;
            case RequestTimeoutException e -> ErrorType.TIMEOUT;
            case RpcErrorException e -> classifyRpc(e.error());
            case TransportException e -> classifyTransport(e);
            case MalformedMessageException e -> ErrorType.PROTOCOL_ERROR; // as map() makes it: a malformed answer
            default -> ErrorType.TRANSPORT_FAILURE;
        };
    }

    private static ErrorType classifyRpc(JsonRpcError error) {
        return error.code() == JsonRpcError.INVALID_PARAMS || error.code() == JsonRpcError.INVALID_REQUEST
                || error.code() == JsonRpcError.METHOD_NOT_FOUND ? ErrorType.INVALID_REQUEST : ErrorType.PROTOCOL_ERROR;
    }

    private static ErrorType classifyTransport(Throwable t) {
        return switch (t) {
            case SessionExpiredException e -> ErrorType.SESSION_EXPIRED;
            case HttpStatusException e when e.isAuthFailure() -> ErrorType.AUTH_FAILURE;
            case HttpStatusException e when e.isThrottled() -> ErrorType.THROTTLED;
            case TransportException e when e.isConnectFailure() -> ErrorType.CONNECT_FAILURE;
            case MalformedMessageException e -> ErrorType.PROTOCOL_ERROR;
            default -> ErrorType.TRANSPORT_FAILURE;
        };
    }
}
