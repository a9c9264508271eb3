package io.mcppool.protocol;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * A resource template as listed by {@code resources/templates/list}. Fields this library does not model (newer
 * revisions' {@code icons}, {@code execution}, ...) are kept in {@code extra} and written back as they came,
 * so a gateway passes them through.
 */
public record ResourceTemplate(String uriTemplate, String name, String title, String description, String mimeType,
                               JsonNode annotations, @JsonProperty("_meta") JsonNode meta,
                               @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> extra) {
    public ResourceTemplate {
        extra = extra == null ? Map.of() : Map.copyOf(extra);
    }

    public ResourceTemplate(String uriTemplate, String name, String title, String description, String mimeType,
                            JsonNode annotations, JsonNode meta) {
        this(uriTemplate, name, title, description, mimeType, annotations, meta, Map.of());
    }

}
