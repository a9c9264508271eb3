package io.mcppool.protocol;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * Hints a server gives about a tool. Every field may be null (absent). Per the spec they are
 * untrusted unless the server is; the defaults below are the spec's for an absent hint.
 */
public record ToolAnnotations(String title, Boolean readOnlyHint, Boolean destructiveHint, Boolean idempotentHint,
                              Boolean openWorldHint, @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> extra) {
    public ToolAnnotations {
        extra = extra == null ? Map.of() : Map.copyOf(extra);
    }

    public ToolAnnotations(String title, Boolean readOnlyHint, Boolean destructiveHint, Boolean idempotentHint,
                           Boolean openWorldHint) {
        this(title, readOnlyHint, destructiveHint, idempotentHint, openWorldHint, Map.of());
    }


    public boolean readOnly() {
        return Boolean.TRUE.equals(readOnlyHint);
    }

    public boolean destructive() {
        return !readOnly() && !Boolean.FALSE.equals(destructiveHint);
    }

    public boolean idempotent() {
        return Boolean.TRUE.equals(idempotentHint);
    }

    public boolean openWorld() {
        return !Boolean.FALSE.equals(openWorldHint);
    }
}
