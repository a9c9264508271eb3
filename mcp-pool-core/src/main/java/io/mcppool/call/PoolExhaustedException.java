package io.mcppool.call;

/** No session slot became free (and no new session could be opened) within the acquire timeout; nothing was sent to the server. */
public class PoolExhaustedException extends McpPoolException {
    public PoolExhaustedException(String message, String server, String endpoint, String tool, Throwable cause) {
        super(message, server, endpoint, tool, cause);
    }

    @Override
    public ErrorType errorType() {
        return ErrorType.POOL_EXHAUSTED;
    }
}
