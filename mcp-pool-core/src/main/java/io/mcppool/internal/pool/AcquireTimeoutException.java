package io.mcppool.internal.pool;

/**
 * No slot within the acquire timeout. Nothing was sent to the server. {@link #connectFailure()}: the
 * pool had no session and could not open one, so the server itself is unreachable, not just busy.
 */
public final class AcquireTimeoutException extends RuntimeException {
    private final boolean connectFailure;

    public AcquireTimeoutException(String message, Throwable cause) {
        this(message, cause, false);
    }

    public AcquireTimeoutException(String message, Throwable cause, boolean connectFailure) {
        super(message, cause, false, false);
        this.connectFailure = connectFailure;
    }

    public boolean connectFailure() {
        return connectFailure;
    }
}
