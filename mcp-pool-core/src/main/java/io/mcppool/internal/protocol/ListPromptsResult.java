package io.mcppool.internal.protocol;

import java.util.List;

import io.mcppool.protocol.Prompt;
/** One page of {@code prompts/list}. */
public record ListPromptsResult(List<Prompt> prompts, String nextCursor) {
    public ListPromptsResult {
        prompts = prompts == null ? List.of() : List.copyOf(prompts);
    }
}
