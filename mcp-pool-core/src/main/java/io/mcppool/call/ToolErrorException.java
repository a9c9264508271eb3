package io.mcppool.call;

import io.mcppool.protocol.CallToolResult;

/**
 * The tool ran and returned a result with {@code isError}. Thrown only when the caller asks for it
 * ({@code CallOptions.failOnToolError}); otherwise such results are returned as results.
 */
public class ToolErrorException extends McpPoolException {
    private final transient CallToolResult result;

    public ToolErrorException(String server, String endpoint, String tool, CallToolResult result) {
        super("tool reported an error: " + result.text(), server, endpoint, tool, null);
        this.result = result;
    }

    public CallToolResult result() {
        return result;
    }

    @Override
    public ErrorType errorType() {
        return ErrorType.TOOL_ERROR;
    }
}
