package io.mcppool.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * One content block of a tool result or prompt message. Every block keeps the JSON it was read
 * from, so a gateway passes fields it does not know about through unchanged.
 */
@JsonDeserialize(using = Content.Reader.class)
@JsonSerialize(using = Content.Writer.class)
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

    static Content text(String text) {
        ObjectNode node = Json.object();
        node.put("type", "text");
        node.put("text", text);
        return new Text(text, node);
    }

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

    final class Reader extends JsonDeserializer<Content> {
        @Override
        public Content deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return of(p.readValueAsTree());
        }
    }

    final class Writer extends JsonSerializer<Content> {
        @Override
        public void serialize(Content value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeTree(value.json());
        }
    }
}
