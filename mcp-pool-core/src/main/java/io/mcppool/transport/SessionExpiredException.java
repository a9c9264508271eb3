package io.mcppool.transport;


import io.mcppool.transport.TransportException;
/**
 * The server no longer knows the session (HTTP 404, or the 400 the reference server sends for an
 * unknown session id). The request was not processed, so it may be sent again on a new session.
 */
public class SessionExpiredException extends TransportException {
    public SessionExpiredException(String message) {
        super(message);
    }
}
