package io.mcppool.gateway.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.config.ClientLimits;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.JsonRpcError;
import io.mcppool.protocol.JsonRpcNotification;
import io.mcppool.protocol.JsonRpcRequest;
import io.mcppool.protocol.McpMethods;
import io.mcppool.protocol.RequestId;
import io.mcppool.protocol.RpcErrorException;
import io.mcppool.protocol.ServerRequestHandler;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends an upstream's request to the client and completes with the client's answer. Bounded both ways: at
 * most {@code maxClientRequests} wait for the client at once (one more is refused at once and never reaches
 * it), and each waits at most {@code clientRequestTimeout}; then the upstream gets an error, and the client a
 * {@code notifications/cancelled}, so it can drop the question.
 */
record ClientBridge(ClientSession session, ObjectNode capabilities, String server, ClientLimits limits,
                   GatewayEvents events) implements ServerRequestHandler {
    private static final Logger log = LoggerFactory.getLogger(GatewayDispatcher.class);

    @Override
    public CompletableFuture<JsonNode> handle(String method, JsonNode params) {
        if (session.isClosed()) {
            return CompletableFuture.failedFuture(new CancellationException("the client session ended"));
        }
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        RequestId id = session.addOutgoing(answer, limits.maxClientRequests());
        if (id == null) {
            events.clientRequestFailed(GatewayEvents.TOO_MANY);
            log.debug("client session {}: refused {} from '{}': {} requests wait for the client already",
                    session.id(), method, server, limits.maxClientRequests());
            return CompletableFuture.failedFuture(new RpcErrorException(method, JsonRpcError.of(
                    JsonRpcError.INTERNAL_ERROR, "the client has " + limits.maxClientRequests() + " requests"
                            + " unanswered already (gateway.maxClientRequests); " + method + " was not sent to it")));
        }
        MessageSink via = session.sendRequest(new JsonRpcRequest(id, method, params));
        if (via == null) {
            answer.cancel(false); // takes the entry out
            return CompletableFuture.failedFuture(new RpcErrorException(method, JsonRpcError.of(
                    JsonRpcError.INTERNAL_ERROR, "the client has no open stream to receive " + method)));
        }
        // What the upstream gets: the client's answer, or an error that says why there is none.
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        long timeoutMillis = limits.clientRequestTimeout().toMillis();
        answer.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).whenComplete((v, e) -> {
            if (e == null) {
                result.complete(v);
            } else if (e instanceof TimeoutException) {
                timedOut(id, method, via);
                result.completeExceptionally(new RpcErrorException(method, JsonRpcError.of(
                        JsonRpcError.INTERNAL_ERROR, "the client did not answer " + method + " within "
                                + limits.clientRequestTimeout().toMillis() + " ms (gateway.clientRequestTimeout)")));
            } else {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** Tells the client the request is withdrawn, where it sent it if that stream is still open. */
    private void timedOut(RequestId id, String method, MessageSink via) {
        events.clientRequestFailed(GatewayEvents.TIMEOUT);
        log.debug("client session {}: no answer to {} {} from '{}' within {}", session.id(), method, id, server,
                limits.clientRequestTimeout());
        ObjectNode p = Json.object();
        p.put("requestId", id.string()); // the gateway's own ids are strings
        p.put("reason", "no answer within " + limits.clientRequestTimeout().toMillis() + " ms");
        JsonRpcNotification cancelled = new JsonRpcNotification(McpMethods.CANCELLED, p);
        if (!via.isOpen() || !via.send(cancelled)) {
            session.sendRequest(cancelled);
        }
    }

    @Override
    public void notification(String method, JsonNode params) {
        if (!session.isClosed()) {
            session.sendRequest(new JsonRpcNotification(method, params)); // the call's stream if one is open
        }
    }
}
