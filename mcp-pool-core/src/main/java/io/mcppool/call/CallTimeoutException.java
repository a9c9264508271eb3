package io.mcppool.call;

/** The call's deadline passed before the server answered; notifications/cancelled was sent for it. */
public class CallTimeoutException extends McpPoolException {
    public CallTimeoutException(String message, String server, String endpoint, String tool, Throwable cause) {
        super(message, server, endpoint, tool, cause);
    }

    @Override
    public ErrorType errorType() {
        return ErrorType.TIMEOUT;
    }
}
