package io.mcppool.call;

import java.util.Objects;

/**
 * The channel to the server failed (process exited, connection lost) while the call was in flight or being sent;
 * the call may or may not have run. Its {@link #errorType()} says how: {@link ErrorType#TRANSPORT_FAILURE}, or what
 * the server's answer showed ({@link ErrorType#SESSION_EXPIRED}, {@link ErrorType#AUTH_FAILURE},
 * {@link ErrorType#THROTTLED}).
 */
public class TransportFailureException extends McpPoolException {
    private final ErrorType errorType;

    public TransportFailureException(String message, String server, String endpoint, String tool, Throwable cause) {
        this(message, server, endpoint, tool, ErrorType.TRANSPORT_FAILURE, cause);
    }

    public TransportFailureException(String message, String server, String endpoint, String tool, ErrorType errorType,
                                     Throwable cause) {
        super(message, server, endpoint, tool, cause);
        this.errorType = Objects.requireNonNull(errorType, "errorType");
    }

    @Override
    public ErrorType errorType() {
        return errorType;
    }
}
