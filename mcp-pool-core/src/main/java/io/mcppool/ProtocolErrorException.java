package io.mcppool;

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

    /** The server's JSON-RPC error, when there was one. */
    public Optional<JsonRpcError> error() {
        return Optional.ofNullable(error);
    }
}
