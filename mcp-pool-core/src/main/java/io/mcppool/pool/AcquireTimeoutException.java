package io.mcppool.pool;

/** No slot within the acquire timeout. Nothing was sent to the server. */
public final class AcquireTimeoutException extends RuntimeException {
    public AcquireTimeoutException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
