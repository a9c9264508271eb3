package io.mcppool.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/** A resource as listed by {@code resources/list}. */
public record Resource(String uri, String name, String title, String description, String mimeType, Long size,
                       JsonNode annotations, @JsonProperty("_meta") JsonNode meta) {
}
