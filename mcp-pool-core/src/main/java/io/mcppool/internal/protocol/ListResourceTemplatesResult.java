package io.mcppool.internal.protocol;

import java.util.List;

import io.mcppool.protocol.ResourceTemplate;
/** One page of {@code resources/templates/list}. */
public record ListResourceTemplatesResult(List<ResourceTemplate> resourceTemplates, String nextCursor) {
    public ListResourceTemplatesResult {
        resourceTemplates = resourceTemplates == null ? List.of() : List.copyOf(resourceTemplates);
    }
}
