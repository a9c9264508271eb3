package io.mcppool.protocol;


/** The server answered a request with a JSON-RPC error. */
public final class RpcErrorException extends RuntimeException {
    private final JsonRpcError error;

    public RpcErrorException(String method, JsonRpcError error) {
        super(method + " failed: " + error.message() + " (JSON-RPC error " + error.code() + ")", null, false, false);
        this.error = error;
    }

    public JsonRpcError error() {
        return error;
    }
}
