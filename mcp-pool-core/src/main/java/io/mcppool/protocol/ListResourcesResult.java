package io.mcppool.protocol;

import java.util.List;

/** One page of {@code resources/list}. */
public record ListResourcesResult(List<Resource> resources, String nextCursor) {
    public ListResourcesResult {
        resources = resources == null ? List.of() : List.copyOf(resources);
    }
}
