package io.mcppool.internal.protocol;

import com.fasterxml.jackson.databind.JsonNode;

import io.mcppool.internal.protocol.Implementation;
/** The server's answer to {@code initialize}. {@code capabilities} is kept as sent. */
public record InitializeResult(String protocolVersion, JsonNode capabilities, Implementation serverInfo,
                               String instructions) {

    public boolean hasCapability(String name) {
        return capabilities != null && capabilities.hasNonNull(name);
    }

    /** Whether the server said it sends {@code notifications/<name>/list_changed}. */
    public boolean listChanged(String name) {
        return capabilities != null && capabilities.path(name).path("listChanged").asBoolean(false);
    }
}
