package io.mcppool.internal.protocol;

import java.util.List;

import io.mcppool.protocol.Tool;
/** One page of {@code tools/list}. */
public record ListToolsResult(List<Tool> tools, String nextCursor) {
    public ListToolsResult {
        tools = tools == null ? List.of() : List.copyOf(tools);
    }
}
