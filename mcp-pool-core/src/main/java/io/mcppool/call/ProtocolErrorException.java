package io.mcppool.call;

import io.mcppool.protocol.JsonRpcError;
import java.util.Optional;

/** The server answered with a JSON-RPC error, or broke the protocol (then {@link #error()} is empty). */
public class ProtocolErrorException extends McpPoolException {
    private final JsonRpcError error;

    public ProtocolErrorException(String message, String server, String endpoint, String tool, JsonRpcError error,
                                  Throwable cause) {
        super(message, server, endpoint, tool, cause);
        this.error = error;
    }

    /**
     * {@link ErrorType#INVALID_REQUEST} when the server refused the request itself (invalid params or request, no such
     * method), else {@link ErrorType#PROTOCOL_ERROR}.
     */
    @Override
    public ErrorType errorType() {
        return error != null && (error.code() == JsonRpcError.INVALID_PARAMS || error.code() == JsonRpcError.INVALID_REQUEST
                || error.code() == JsonRpcError.METHOD_NOT_FOUND) ? ErrorType.INVALID_REQUEST : ErrorType.PROTOCOL_ERROR;
    }

    /** The server's JSON-RPC error, when there was one. */
    public Optional<JsonRpcError> error() {
        return Optional.ofNullable(error);
    }
}
