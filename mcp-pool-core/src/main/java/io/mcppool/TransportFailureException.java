package io.mcppool;

/** The channel to the server failed (process exited, connection lost) while the call was in flight or being sent; the call may or may not have run. */
public class TransportFailureException extends McpPoolException {
    public TransportFailureException(String message, String server, String endpoint, String tool, Throwable cause) {
        super(message, server, endpoint, tool, cause);
    }
}
