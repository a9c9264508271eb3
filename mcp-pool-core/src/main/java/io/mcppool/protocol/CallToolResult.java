package io.mcppool.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The result of {@code tools/call}. A result with {@code isError} is still a result: the tool ran
 * and reported a failure, which says nothing about the health of the server.
 */
public record CallToolResult(List<Content> content, JsonNode structuredContent, Boolean isError,
                             @JsonProperty("_meta") JsonNode meta) {

    public CallToolResult {
        content = content == null ? List.of() : List.copyOf(content);
    }

    public static CallToolResult text(String text) {
        return new CallToolResult(List.of(Content.text(text)), null, null, null);
    }

    public static CallToolResult error(String text) {
        return new CallToolResult(List.of(Content.text(text)), null, true, null);
    }

    @JsonIgnore
    public boolean failed() {
        return Boolean.TRUE.equals(isError);
    }

    /** The text blocks joined by newlines; empty when there are none. */
    @JsonIgnore
    public String text() {
        return content.stream().filter(c -> c instanceof Content.Text)
                .map(c -> ((Content.Text) c).text()).collect(Collectors.joining("\n"));
    }
}
