package io.mcppool.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One content block of a tool result or prompt message. Every block keeps the JSON it was read
 * from, so a gateway passes fields it does not know about through unchanged.
 */
@JsonDeserialize(using = ContentJson.Reader.class)
@JsonSerialize(using = ContentJson.Writer.class)
public sealed interface Content permits Content.Text, Content.Image, Content.Audio, Content.ResourceLink,
        Content.EmbeddedResource, Content.Other {

    /** The block as JSON, exactly as received (or as built). */
    JsonNode json();

    default String type() {
        return json().path("type").asText();
    }

    record Text(String text, JsonNode json) implements Content {
    }

    record Image(String data, String mimeType, JsonNode json) implements Content {
    }

    record Audio(String data, String mimeType, JsonNode json) implements Content {
    }

    record ResourceLink(String uri, String name, JsonNode json) implements Content {
    }

    record EmbeddedResource(JsonNode resource, JsonNode json) implements Content {
    }

    /** A content type this library does not model; kept as JSON. */
    record Other(JsonNode json) implements Content {
    }

    /** A text block. */
    static Content text(String text) {
        ObjectNode node = Json.object();
        node.put("type", "text");
        node.put("text", text);
        return new Text(text, node);
    }

    /** The block {@code node} describes, by its {@code type}; an unknown type is {@link Other}. */
    static Content of(JsonNode node) {
        String type = node.path("type").asText();
        return switch (type) {
            case "text" -> new Text(node.path("text").asText(), node);
            case "image" -> new Image(node.path("data").asText(), node.path("mimeType").asText(null), node);
            case "audio" -> new Audio(node.path("data").asText(), node.path("mimeType").asText(null), node);
            case "resource_link" -> new ResourceLink(node.path("uri").asText(), node.path("name").asText(null), node);
            case "resource" -> new EmbeddedResource(node.get("resource"), node);
            default -> new Other(node);
        };
    }
}
