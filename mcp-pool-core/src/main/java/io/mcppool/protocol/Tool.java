package io.mcppool.protocol;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * A tool as listed by {@code tools/list}. Schemas are kept as sent. Fields this library does not model (newer
 * revisions' {@code icons}, {@code execution}, ...) are kept in {@code extra} and written back as they came,
 * so a gateway passes them through.
 */
public record Tool(String name, String title, String description, JsonNode inputSchema, JsonNode outputSchema,
                   ToolAnnotations annotations, @JsonProperty("_meta") JsonNode meta,
                   @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> extra) {
    public Tool {
        extra = extra == null ? Map.of() : Map.copyOf(extra);
    }

    public Tool(String name, String title, String description, JsonNode inputSchema, JsonNode outputSchema,
                ToolAnnotations annotations, JsonNode meta) {
        this(name, title, description, inputSchema, outputSchema, annotations, meta, Map.of());
    }


    public Tool(String name, String description, JsonNode inputSchema) {
        this(name, null, description, inputSchema, null, null, null);
    }

    /** The annotations, or all-absent ones. */
    public ToolAnnotations annotationsOrEmpty() {
        return annotations == null ? new ToolAnnotations(null, null, null, null, null) : annotations;
    }
}
