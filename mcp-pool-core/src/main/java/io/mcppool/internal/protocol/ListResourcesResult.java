package io.mcppool.internal.protocol;

import java.util.List;

import io.mcppool.protocol.Resource;
/** One page of {@code resources/list}. */
public record ListResourcesResult(List<Resource> resources, String nextCursor) {
    public ListResourcesResult {
        resources = resources == null ? List.of() : List.copyOf(resources);
    }
}
