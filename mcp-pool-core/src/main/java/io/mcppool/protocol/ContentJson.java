package io.mcppool.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import java.io.IOException;

/** How Jackson reads and writes a {@link Content} block: as the JSON it keeps. Not part of the API. */
final class ContentJson {
    private ContentJson() {
    }

    static final class Reader extends JsonDeserializer<Content> {
        @Override
        public Content deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return Content.of(p.readValueAsTree());
        }
    }

    static final class Writer extends JsonSerializer<Content> {
        @Override
        public void serialize(Content value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeTree(value.json());
        }
    }
}
