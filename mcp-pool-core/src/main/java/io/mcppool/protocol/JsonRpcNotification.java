package io.mcppool.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/** A notification: no id, no response. {@code params} may be null. */
public record JsonRpcNotification(String method, JsonNode params) implements JsonRpcMessage {
}
