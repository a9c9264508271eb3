package io.mcppool.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A response: exactly one of {@code result} and {@code error} is set. {@code id} is null only for
 * an error about a message whose id could not be read.
 */
public record JsonRpcResponse(RequestId id, JsonNode result, JsonRpcError error) implements JsonRpcMessage {

    public static JsonRpcResponse success(RequestId id, JsonNode result) {
        return new JsonRpcResponse(id, result, null);
    }

    public static JsonRpcResponse failure(RequestId id, JsonRpcError error) {
        return new JsonRpcResponse(id, null, error);
    }

    public boolean isError() {
        return error != null;
    }
}
