package io.mcppool.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/** A request: expects exactly one response with the same id. {@code params} may be null. */
public record JsonRpcRequest(RequestId id, String method, JsonNode params) implements JsonRpcMessage {
}
