package io.mcppool.protocol;

/**
 * Hints a server gives about a tool. Every field may be null (absent). Per the spec they are
 * untrusted unless the server is; the defaults below are the spec's for an absent hint.
 */
public record ToolAnnotations(String title, Boolean readOnlyHint, Boolean destructiveHint, Boolean idempotentHint,
                              Boolean openWorldHint) {

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
