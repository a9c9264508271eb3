package io.mcppool.session;

/** A request's deadline passed; {@code notifications/cancelled} has been sent for it. */
public final class RequestTimeoutException extends RuntimeException {
    private final long timeoutMillis;

    public RequestTimeoutException(String method, long requestId, long timeoutMillis) {
        super(method + " (request " + requestId + ") got no answer within " + timeoutMillis + " ms; sent notifications/cancelled",
                null, false, false);
        this.timeoutMillis = timeoutMillis;
    }

    public long timeoutMillis() {
        return timeoutMillis;
    }
}
