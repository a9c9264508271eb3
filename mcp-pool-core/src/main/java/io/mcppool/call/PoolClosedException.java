package io.mcppool.call;

/**
 * The pool is closed, or closed while the call waited or ran: nothing more will be sent. Not a sign of load,
 * unlike {@link PoolExhaustedException}, so there is nothing to retry.
 */
public class PoolClosedException extends McpPoolException {
    public PoolClosedException(String message, String server, String endpoint, String tool, Throwable cause) {
        super(message, server, endpoint, tool, cause);
    }

    @Override
    public ErrorType errorType() {
        return ErrorType.POOL_CLOSED;
    }
}
