package io.mcppool.gateway.mcp;

import io.mcppool.protocol.JsonRpcMessage;

/**
 * Where the gateway sends messages to one client outside a response: an SSE stream (the client's GET
 * stream, or the stream of the POST a message relates to), or stdout in stdio mode.
 */
public interface MessageSink {
    /** Sends the message; false when the sink is closed (the message is then lost, as on a dropped stream). */
    boolean send(JsonRpcMessage message);

    boolean isOpen();

    /** Ends the stream (its session ended); nothing more is sent on it. By default nothing: stdout stays open. */
    default void close() {
    }
}
