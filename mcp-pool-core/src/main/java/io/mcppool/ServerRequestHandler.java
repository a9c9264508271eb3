package io.mcppool;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletableFuture;

/**
 * Answers a request an upstream server sends to its client ({@code sampling/createMessage},
 * {@code elicitation/create}): a gateway passes it on to the client the upstream session belongs to. Called
 * on a transport thread; must not block. A failed future becomes a JSON-RPC error (an
 * {@link io.mcppool.session.RpcErrorException} keeps its code and message).
 */
@FunctionalInterface
public interface ServerRequestHandler {
    CompletableFuture<JsonNode> handle(String method, JsonNode params);
}
