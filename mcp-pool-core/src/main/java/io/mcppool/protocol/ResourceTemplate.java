package io.mcppool.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/** A resource template as listed by {@code resources/templates/list}. */
public record ResourceTemplate(String uriTemplate, String name, String title, String description, String mimeType,
                               JsonNode annotations, @JsonProperty("_meta") JsonNode meta) {
}
