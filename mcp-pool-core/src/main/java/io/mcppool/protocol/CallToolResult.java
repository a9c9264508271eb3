package io.mcppool.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The result of {@code tools/call}. A result with {@code isError} is still a result: the tool ran
 * and reported a failure, which says nothing about the health of the server.
 *
 * @param content           the content blocks, in order; never null
 * @param structuredContent the tool's structured output, when it declares one; else null
 * @param isError           whether the tool reported an error; null when the server did not say
 * @param meta              the result's {@code _meta}, as sent; else null
 */
public record CallToolResult(List<Content> content, JsonNode structuredContent, Boolean isError,
                             @JsonProperty("_meta") JsonNode meta) {

    /** An absent {@code content} is an empty list. */
    public CallToolResult {
        content = content == null ? List.of() : List.copyOf(content);
    }

    /** A result with one text block. */
    public static CallToolResult text(String text) {
        return new CallToolResult(List.of(Content.text(text)), null, null, null);
    }

    /** A tool error ({@code isError}) with one text block saying what went wrong. */
    public static CallToolResult error(String text) {
        return new CallToolResult(List.of(Content.text(text)), null, true, null);
    }

    /** Whether the tool reported an error ({@code isError: true}). */
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
