package io.mcppool.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.JsonRpcCodec;
import io.mcppool.protocol.JsonRpcError;
import io.mcppool.protocol.JsonRpcMessage;
import io.mcppool.protocol.JsonRpcRequest;
import io.mcppool.protocol.JsonRpcResponse;
import io.mcppool.protocol.McpMethods;
import io.mcppool.protocol.ProtocolVersion;
import io.mcppool.transport.Transport;
import io.mcppool.transport.TransportException;
import java.util.concurrent.CompletableFuture;

/**
 * A transport whose "server" answers on the sender's own stack, before {@code send} returns: an
 * {@code echo} tool and just enough MCP for a handshake. No thread hand-off and no I/O, so a
 * benchmark over it measures only the client's CPU work per call: the request is encoded to bytes and
 * the answer decoded from bytes, as on a wire, and everything else is the session's (and the pool's)
 * own code. The thread hand-offs a real transport adds cost far more, and vary far more, than the
 * pool's bookkeeping; this is the way to see the latter.
 */
final class DirectEchoTransport implements Transport {
    private static final CompletableFuture<Void> SENT = CompletableFuture.completedFuture(null);

    private volatile Listener listener;
    private volatile boolean open;

    @Override
    public void start(Listener listener) {
        this.listener = listener;
        this.open = true;
    }

    @Override
    public CompletableFuture<Void> send(JsonRpcMessage message) {
        if (!open) {
            return CompletableFuture.failedFuture(new TransportException("direct echo transport is closed"));
        }
        JsonRpcCodec.encode(message); // the client's encoding work, as a real transport does it
        if (message instanceof JsonRpcRequest request) {
            JsonRpcResponse response = answer(request);
            byte[] wire = JsonRpcCodec.encode(response);
            listener.onMessage(JsonRpcCodec.decode(wire, 0, wire.length)); // the client's decoding work
        }
        return SENT;
    }

    private static JsonRpcResponse answer(JsonRpcRequest request) {
        JsonNode params = request.params();
        ObjectNode result = Json.object();
        switch (request.method()) {
            case McpMethods.INITIALIZE -> {
                result.put("protocolVersion", params == null ? ProtocolVersion.LATEST
                        : params.path("protocolVersion").asText(ProtocolVersion.LATEST));
                result.putObject("capabilities").putObject("tools");
                result.putObject("serverInfo").put("name", "direct-echo").put("version", "1");
            }
            case McpMethods.TOOLS_LIST -> {
                ObjectNode tool = result.putArray("tools").addObject();
                tool.put("name", "echo");
                tool.putObject("inputSchema").put("type", "object");
            }
            case McpMethods.TOOLS_CALL -> result.putArray("content").addObject().put("type", "text")
                    .put("text", params.path("arguments").path("message").asText());
            case McpMethods.PING -> {
            }
            default -> {
                return JsonRpcResponse.failure(request.id(), JsonRpcError.of(JsonRpcError.METHOD_NOT_FOUND,
                        "Method not found: " + request.method()));
            }
        }
        return JsonRpcResponse.success(request.id(), result);
    }

    @Override
    public String describe() {
        return "direct echo (answers on the caller's thread)";
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        if (open) {
            open = false;
            Listener l = listener;
            if (l != null) {
                l.onClosed(null);
            }
        }
    }
}
