package io.mcppool.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletableFuture;

/**
 * Answers a request an upstream server sends to its client ({@code sampling/createMessage},
 * {@code elicitation/create}), and takes the server's notifications for that client: a gateway passes both on
 * to the client the upstream session belongs to. Called
 * on a transport thread; must not block. A failed future becomes a JSON-RPC error (an
 * {@link RpcErrorException} keeps its code and message).
 */
public interface ServerRequestHandler {
    /** The answer's {@code result}, or a failed future. */
    CompletableFuture<JsonNode> handle(String method, JsonNode params);

    /**
     * The client capabilities the upstream session declares in {@code initialize} on this handler's behalf
     * ({@code {"sampling": {}, "elicitation": {}}}): those of the client it forwards to, so the upstream
     * asks only what that client can answer.
     */
    ObjectNode capabilities();

    /**
     * A notification from the server that belongs to this session's client: log messages
     * ({@code notifications/message}), {@code notifications/resources/updated}, and any the pool does not
     * handle itself. Progress goes to the call it belongs to instead.
     */
    default void notification(String method, JsonNode params) {
    }
}
