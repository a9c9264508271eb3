package io.mcppool.protocol;

import java.util.List;

/** One page of {@code prompts/list}. */
public record ListPromptsResult(List<Prompt> prompts, String nextCursor) {
    public ListPromptsResult {
        prompts = prompts == null ? List.of() : List.copyOf(prompts);
    }
}
