package io.mcppool.internal.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.protocol.CallToolResult;
import io.mcppool.protocol.Content;
import io.mcppool.protocol.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * Binds the result a pool reads on every call straight from the parsed tree: Jackson's data binding costs more time
 * and garbage on a {@code tools/call} result than the rest of the pool's work on the call. A result of the usual
 * shape is read here; any other goes to the data binding, so what is accepted, coerced or refused is decided in one
 * place.
 */
public final class ResultBinding {
    private ResultBinding() {
    }

    /** A {@code tools/call} result; one the data binding cannot read fails as it would. */
    public static CallToolResult callToolResult(JsonNode json) {
        if (json == null || !json.isObject()) {
            return Json.fromTree(json, CallToolResult.class);
        }
        JsonNode blocks = json.get("content");
        JsonNode isError = json.get("isError");
        JsonNode structured = json.get("structuredContent");
        JsonNode meta = json.get("_meta");
        if ((blocks != null && !blocks.isArray()) || (isError != null && !isError.isBoolean())
                || (structured != null && structured.isNull()) || (meta != null && meta.isNull())) {
            return Json.fromTree(json, CallToolResult.class); // unusual: absent, null or of another type
        }
        List<Content> content;
        if (blocks == null) {
            content = List.of();
        } else {
            content = new ArrayList<>(blocks.size());
            for (JsonNode block : blocks) {
                if (block.isNull()) {
                    return Json.fromTree(json, CallToolResult.class); // a null block: refused there
                }
                content.add(Content.of(block));
            }
        }
        return new CallToolResult(content, structured, isError == null ? null : isError.booleanValue(), meta);
    }
}
