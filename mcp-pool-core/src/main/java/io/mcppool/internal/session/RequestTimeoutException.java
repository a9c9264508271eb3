package io.mcppool.internal.session;

/**
 * A request's deadline passed. The request was withdrawn if it had not left yet; otherwise the server is sent
 * {@code notifications/cancelled} for it (best effort: a server that stopped reading does not get it).
 */
public final class RequestTimeoutException extends RuntimeException {
    private final long timeoutMillis;

    public RequestTimeoutException(String method, long requestId, long timeoutMillis) {
        super(method + " (request " + requestId + ") got no answer within " + timeoutMillis + " ms; it was cancelled",
                null, false, false);
        this.timeoutMillis = timeoutMillis;
    }

    public long timeoutMillis() {
        return timeoutMillis;
    }
}
