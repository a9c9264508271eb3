package io.mcppool.call;

/** The server does not list a tool by this name. */
public class UnknownToolException extends McpPoolException {
    public UnknownToolException(String message, String server, String endpoint, String tool, Throwable cause) {
        super(message, server, endpoint, tool, cause);
    }

    @Override
    public ErrorType errorType() {
        return ErrorType.INVALID_REQUEST;
    }
}
