package io.mcppool.testkit;

import io.mcppool.protocol.JsonRpcError;

/** The client answered a request from the server with a JSON-RPC error. */
public final class ClientErrorException extends RuntimeException {
    private final transient JsonRpcError error;

    public ClientErrorException(JsonRpcError error) {
        super("client answered " + error.code() + ": " + error.message());
        this.error = error;
    }

    public JsonRpcError error() {
        return error;
    }
}
