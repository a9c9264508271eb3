package io.mcppool.testkit;

import io.mcppool.protocol.CallToolResult;

/**
 * What a tool does when called. The arguments have already been checked against the tool's input
 * schema (required properties, basic types, enums, minimum and maximum), so a handler only checks
 * what a schema cannot say.
 *
 * <p>Runs on its own virtual thread: blocking is fine, and a cancelled call interrupts it. An
 * exception becomes a result with {@code isError: true} carrying its message, the way the spec
 * wants tool failures reported. Returning null sends no answer at all, as a server that lost the
 * request would (over HTTP the call's stream ends empty).
 */
@FunctionalInterface
public interface ToolHandler {
    CallToolResult call(ToolContext context) throws Exception;
}
