package io.mcppool.protocol;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * A resource as listed by {@code resources/list}. Fields this library does not model (newer
 * revisions' {@code icons}, {@code execution}, ...) are kept in {@code extra} and written back as they came,
 * so a gateway passes them through.
 */
public record Resource(String uri, String name, String title, String description, String mimeType, Long size,
                       JsonNode annotations, @JsonProperty("_meta") JsonNode meta, @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> extra) {
    public Resource {
        extra = extra == null ? Map.of() : Map.copyOf(extra);
    }

    public Resource(String uri, String name, String title, String description, String mimeType, Long size,
                    JsonNode annotations, JsonNode meta) {
        this(uri, name, title, description, mimeType, size, annotations, meta, Map.of());
    }

}
