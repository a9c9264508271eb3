package io.mcppool.protocol;

import java.util.List;

/** One page of {@code resources/templates/list}. */
public record ListResourceTemplatesResult(List<ResourceTemplate> resourceTemplates, String nextCursor) {
    public ListResourceTemplatesResult {
        resourceTemplates = resourceTemplates == null ? List.of() : List.copyOf(resourceTemplates);
    }
}
