package io.mcppool.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** A prompt as listed by {@code prompts/list}. */
public record Prompt(String name, String title, String description, List<PromptArgument> arguments,
                     @JsonProperty("_meta") JsonNode meta) {
    public record PromptArgument(String name, String description, Boolean required) {
    }
}
