package io.mcppool.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/** A tool as listed by {@code tools/list}. Schemas are kept as sent. */
public record Tool(String name, String title, String description, JsonNode inputSchema, JsonNode outputSchema,
                   ToolAnnotations annotations, @JsonProperty("_meta") JsonNode meta) {

    public Tool(String name, String description, JsonNode inputSchema) {
        this(name, null, description, inputSchema, null, null, null);
    }

    /** The annotations, or all-absent ones. */
    public ToolAnnotations annotationsOrEmpty() {
        return annotations == null ? new ToolAnnotations(null, null, null, null, null) : annotations;
    }
}
