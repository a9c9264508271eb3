package io.mcppool.protocol;

import java.util.List;

/** The result of {@code resources/read}. */
public record ReadResourceResult(List<ResourceContents> contents) {
    public ReadResourceResult {
        contents = contents == null ? List.of() : List.copyOf(contents);
    }
}
