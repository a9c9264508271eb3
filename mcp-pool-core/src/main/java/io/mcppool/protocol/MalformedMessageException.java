package io.mcppool.protocol;

/** Bytes that are not a JSON-RPC 2.0 message, or a message whose shape MCP does not allow. */
public class MalformedMessageException extends RuntimeException {
    public MalformedMessageException(String message) {
        super(message);
    }

    public MalformedMessageException(String message, Throwable cause) {
        super(message, cause);
    }
}
