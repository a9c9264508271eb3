package io.mcppool.call;

/** No server by this name is configured. */
public class UnknownServerException extends McpPoolException {
    public UnknownServerException(String message, String server, String endpoint, String tool, Throwable cause) {
        super(message, server, endpoint, tool, cause);
    }

    @Override
    public ErrorType errorType() {
        return ErrorType.INVALID_REQUEST;
    }
}
