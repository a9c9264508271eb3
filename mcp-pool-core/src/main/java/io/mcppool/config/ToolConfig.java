package io.mcppool.config;

/**
 * What the operator says about one tool, overriding (or standing in for) the server's annotations.
 *
 * @param idempotent true: safe to repeat whatever the server says (used by retries)
 * @param readOnly   true: has no side effects whatever the server says
 */
public record ToolConfig(boolean idempotent, boolean readOnly) {
    public static final ToolConfig DEFAULTS = new ToolConfig(false, false);
}
