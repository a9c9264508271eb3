package io.mcppool.transport;

/** The channel to a server failed: could not start, broke, or closed under a request. */
public class TransportException extends RuntimeException {
    private final boolean connectFailure;

    public TransportException(String message, Throwable cause) {
        this(message, cause, false);
    }

    public TransportException(String message) {
        this(message, null, false);
    }

    public TransportException(String message, Throwable cause, boolean connectFailure) {
        super(message, cause);
        this.connectFailure = connectFailure;
    }

    /** True when nothing reached the server (the process did not start, the connection was refused). */
    public boolean isConnectFailure() {
        return connectFailure;
    }
}
