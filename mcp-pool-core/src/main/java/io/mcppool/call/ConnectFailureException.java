package io.mcppool.call;

/**
 * The server could not be reached: its process did not start, the connection was refused, or the
 * handshake failed. Nothing was sent for the call, so it may safely go to another endpoint.
 */
public class ConnectFailureException extends TransportFailureException {
    public ConnectFailureException(String message, String server, String endpoint, String tool, Throwable cause) {
        super(message, server, endpoint, tool, ErrorType.CONNECT_FAILURE, cause);
    }
}
