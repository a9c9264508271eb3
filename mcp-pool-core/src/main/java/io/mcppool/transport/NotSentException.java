package io.mcppool.transport;


import io.mcppool.transport.TransportException;
/**
 * The message never left this side: the session had closed, or the transport ended (or the message was
 * withdrawn) before it was written. The server cannot have seen it, so a request may go elsewhere.
 */
public final class NotSentException extends TransportException {
    public NotSentException(String message) {
        super(message, null, true);
    }
}
