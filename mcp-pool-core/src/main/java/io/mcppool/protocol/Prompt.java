package io.mcppool.protocol;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * A prompt as listed by {@code prompts/list}. Fields this library does not model (newer
 * revisions' {@code icons}, {@code execution}, ...) are kept in {@code extra} and written back as they came,
 * so a gateway passes them through.
 */
public record Prompt(String name, String title, String description, List<PromptArgument> arguments,
                     @JsonProperty("_meta") JsonNode meta, @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> extra) {
    public Prompt {
        extra = extra == null ? Map.of() : Map.copyOf(extra);
    }

    public Prompt(String name, String title, String description, List<PromptArgument> arguments, JsonNode meta) {
        this(name, title, description, arguments, meta, Map.of());
    }

    public record PromptArgument(String name, String description, Boolean required) {
    }
}
