package io.mcppool.session;

import io.mcppool.transport.TransportException;

/** The request was never handed to the transport (the session had closed), so it is safe to send elsewhere. */
public final class NotSentException extends TransportException {
    public NotSentException(String message) {
        super(message, null, true);
    }
}
