package io.mcppool.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/** The contents of a resource: {@code text} or base64 {@code blob}. */
public record ResourceContents(String uri, String mimeType, String text, String blob,
                               @JsonProperty("_meta") JsonNode meta) {
}
