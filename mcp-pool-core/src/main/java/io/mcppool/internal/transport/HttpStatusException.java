package io.mcppool.internal.transport;

import java.time.Duration;
import java.util.Optional;

import io.mcppool.transport.TransportException;
/** An HTTP server answered with an error status. The request did reach the server. */
public class HttpStatusException extends TransportException {
    private final int status;
    private final Duration retryAfter;

    public HttpStatusException(int status, String message, Duration retryAfter) {
        super(message);
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public int status() {
        return status;
    }

    /** The server's {@code Retry-After}, when it sent one (429 and 503 usually do). */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    public boolean isAuthFailure() {
        return status == 401 || status == 403;
    }

    public boolean isThrottled() {
        return status == 429 || status == 503;
    }
}
