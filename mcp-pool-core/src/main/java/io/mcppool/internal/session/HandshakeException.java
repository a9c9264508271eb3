package io.mcppool.internal.session;

/** The initialize handshake failed: no answer in time, an error, or a protocol version we do not speak. */
public final class HandshakeException extends RuntimeException {
    public HandshakeException(String message, Throwable cause) {
        super(message, cause);
    }
}
