package io.mcppool.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.protocol.CallToolResult;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.JsonRpcMessage;
import io.mcppool.protocol.JsonRpcNotification;
import io.mcppool.protocol.JsonRpcRequest;
import io.mcppool.protocol.JsonRpcResponse;
import io.mcppool.protocol.RequestId;
import io.mcppool.transport.Transport;
import io.mcppool.transport.TransportException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InProcessServerTest {

    /** A minimal client over a Transport: ids, pending answers, and answers to the server's requests. */
    static final class Client implements Transport.Listener {
        final Transport transport;
        final Map<RequestId, CompletableFuture<JsonRpcResponse>> pending = new ConcurrentHashMap<>();
        final List<JsonRpcNotification> notifications = new CopyOnWriteArrayList<>();
        final CompletableFuture<Throwable> closed = new CompletableFuture<>();
        final AtomicInteger closedCalls = new AtomicInteger();
        final AtomicLong ids = new AtomicLong();

        Client(Transport transport) {
            this.transport = transport;
            transport.start(this);
        }

        @Override
        public void onMessage(JsonRpcMessage message) {
            if (message instanceof JsonRpcResponse r) {
                CompletableFuture<JsonRpcResponse> f = pending.remove(r.id());
                if (f != null) {
                    f.complete(r);
                }
            } else if (message instanceof JsonRpcNotification n) {
                notifications.add(n);
            } else if (message instanceof JsonRpcRequest req) {
                // answered from inside onMessage: the transport must not deadlock on this
                ObjectNode result = Json.object();
                if ("roots/list".equals(req.method())) {
                    result.putArray("roots").addObject().put("uri", "file:///in-process");
                }
                transport.send(JsonRpcResponse.success(req.id(), result)).join();
            }
        }

        @Override
        public void onClosed(Throwable cause) {
            closedCalls.incrementAndGet();
            closed.complete(cause);
        }

        JsonRpcResponse call(String method, JsonNode params) throws Exception {
            RequestId id = RequestId.of(ids.incrementAndGet());
            CompletableFuture<JsonRpcResponse> f = new CompletableFuture<>();
            pending.put(id, f);
            transport.send(new JsonRpcRequest(id, method, params)).get(10, TimeUnit.SECONDS);
            return f.get(10, TimeUnit.SECONDS);
        }

        JsonRpcResponse callTool(String tool, ObjectNode args) throws Exception {
            return call("tools/call", Wire.toolCall(tool, args));
        }

        void initialize() throws Exception {
            assertThat(call("initialize", Wire.initializeParams("2025-11-25")).isError()).isFalse();
            transport.send(new JsonRpcNotification("notifications/initialized", null)).get(10, TimeUnit.SECONDS);
        }
    }

    private static String text(JsonRpcResponse r) {
        return r.result().path("content").path(0).path("text").asText();
    }

    @Test
    void roundTripWithCustomAndBuiltinTools() throws Exception {
        ObjectNode schema = Json.object().put("type", "object");
        schema.putObject("properties").putObject("s").put("type", "string");
        schema.putArray("required").add("s");
        InProcessServer server = InProcessServer.builder()
                .tool("upper", schema, ctx -> CallToolResult.text(ctx.arguments().get("s").asText().toUpperCase()))
                .tool("progress_then_answer", Json.object().put("type", "object"), ctx -> {
                    ctx.progress(1, 2.0, "half");
                    ctx.progress(2, 2.0, "done");
                    return CallToolResult.text("ok");
                })
                .tool("throws", Json.object().put("type", "object"), ctx -> {
                    throw new IllegalStateException("handler broke");
                })
                .build();

        Client client = new Client(server.transportFactory().create());
        try {
            client.initialize();
            assertThat(server.openConnections()).isEqualTo(1);
            assertThat(text(client.callTool("upper", Wire.args("s", "abc")))).isEqualTo("ABC");
            assertThat(client.callTool("upper", Wire.args("s", 1)).result().path("isError").asBoolean()).isTrue();
            assertThat(text(client.callTool("echo", Wire.args("message", "builtin")))).isEqualTo("builtin");

            JsonRpcResponse broke = client.callTool("throws", null);
            assertThat(broke.result().path("isError").asBoolean()).isTrue();
            assertThat(text(broke)).isEqualTo("handler broke");

            JsonRpcResponse withProgress = client.call("tools/call",
                    Wire.withProgressToken(Wire.toolCall("progress_then_answer", null), "t"));
            assertThat(text(withProgress)).isEqualTo("ok");
            assertThat(client.notifications).filteredOn(n -> n.method().equals("notifications/progress")).hasSize(2);

            // a server-to-client request, answered from inside onMessage
            assertThat(text(client.callTool("roots", null))).contains("file:///in-process");
            assertThat(text(client.callTool("ping_client", null))).startsWith("pong");

            JsonRpcResponse unknown = client.callTool("nope", null);
            assertThat(unknown.error().code()).isEqualTo(-32602);
            assertThat(unknown.error().message()).isEqualTo("Unknown tool: nope");
        } finally {
            client.transport.close();
        }
        assertThat(client.closed.get(10, TimeUnit.SECONDS)).isNull();
        assertThat(client.closedCalls.get()).isEqualTo(1);
        assertThat(client.transport.isOpen()).isFalse();
        assertThatThrownBy(() -> client.transport.send(new JsonRpcNotification("x", null)).get())
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TransportException.class);
        assertThat(server.openConnections()).isZero();
    }

    @Test
    void eachTransportIsASessionButStateIsShared() throws Exception {
        InProcessServer server = InProcessServer.create();
        Client a = new Client(server.newTransport());
        Client b = new Client(server.newTransport());
        try {
            a.initialize();
            b.initialize();
            a.callTool("counter", Wire.args("action", "increment"));
            a.callTool("counter", Wire.args("action", "increment"));
            assertThat(text(b.callTool("counter", Wire.args("action", "increment")))).isEqualTo("1");
            a.callTool("record", Wire.args("key", "x"));
            assertThat(text(b.callTool("record", Wire.args("key", "x")))).isEqualTo("2");

            // list_changed reaches every session
            a.callTool("notify_tools_changed", null);
            assertThat(a.notifications).extracting(JsonRpcNotification::method).contains("notifications/tools/list_changed");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> b.notifications.stream()
                    .anyMatch(n -> n.method().equals("notifications/tools/list_changed")));

            JsonNode stats = server.server().stats();
            assertThat(stats.path("sessions").asInt()).isEqualTo(2);
            assertThat(stats.path("records").path("x").asInt()).isEqualTo(2);
            assertThat(stats.path("executions").path("counter").asInt()).isEqualTo(3);
        } finally {
            a.transport.close();
            b.transport.close();
        }
    }

    @Test
    void crashClosesTheConnectionWithAnError() throws Exception {
        InProcessServer server = InProcessServer.create();
        Client client = new Client(server.newTransport());
        client.initialize();
        RequestId id = RequestId.of(99);
        CompletableFuture<JsonRpcResponse> never = new CompletableFuture<>();
        client.pending.put(id, never);
        client.transport.send(new JsonRpcRequest(id, "tools/call", Wire.toolCall("crash", null)));
        Throwable cause = client.closed.get(10, TimeUnit.SECONDS);
        assertThat(cause).isInstanceOf(TransportException.class).hasMessageContaining("crashed");
        assertThat(never).isNotDone();
        assertThat(client.transport.isOpen()).isFalse();
        assertThat(server.openConnections()).isZero();
    }

    /**
     * {@code notifications/cancelled} interrupts the call's own thread: the handler itself sees the interrupt (a
     * 60 s sleep ends at once), and the cancelled request gets no answer.
     */
    @Test
    void cancellationInterruptsTheCall() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
        InProcessServer server = InProcessServer.builder()
                .tool("wait_for_interrupt", Json.object().put("type", "object"), ctx -> {
                    started.countDown();
                    try {
                        Thread.sleep(60_000);
                        interrupted.complete(false);
                    } catch (InterruptedException e) {
                        interrupted.complete(ctx.isCancelled());
                        throw e;
                    }
                    return CallToolResult.text("slept through the cancellation");
                })
                .build();
        Client client = new Client(server.newTransport());
        try {
            client.initialize();
            RequestId id = RequestId.of(500);
            CompletableFuture<JsonRpcResponse> answer = new CompletableFuture<>();
            client.pending.put(id, answer);
            client.transport.send(new JsonRpcRequest(id, "tools/call", Wire.toolCall("wait_for_interrupt", null)));
            assertThat(started.await(10, TimeUnit.SECONDS)).as("the tool started").isTrue();
            client.transport.send(new JsonRpcNotification("notifications/cancelled", Json.object().put("requestId", 500)));

            assertThat(interrupted.get(10, TimeUnit.SECONDS)).as("interrupted, after the cancel was recorded").isTrue();
            // and no answer for it, as far as a later call's round trip can tell
            JsonNode stats = client.callTool("stats", null).result().path("structuredContent");
            assertThat(stats.path("cancelled").toString()).isEqualTo("[500]");
            assertThat(answer).isNotDone();
        } finally {
            client.transport.close();
        }
    }

    @Test
    void unavailableServerRefusesConnections() {
        InProcessServer server = InProcessServer.create();
        server.available(false);
        Transport t = server.newTransport();
        assertThatThrownBy(() -> t.start(new Transport.Listener() {
            @Override
            public void onMessage(JsonRpcMessage message) {
            }

            @Override
            public void onClosed(Throwable cause) {
            }
        })).isInstanceOfSatisfying(TransportException.class, e -> assertThat(e.isConnectFailure()).isTrue());
        server.available(true);
        Client ok = new Client(server.newTransport());
        ok.transport.close();
    }

    @Test
    void disconnectAllEndsEveryConnection() throws Exception {
        InProcessServer server = InProcessServer.create();
        Client a = new Client(server.newTransport());
        Client b = new Client(server.newTransport());
        assertThat(server.disconnectAll()).isEqualTo(2);
        assertThat(a.closed.get(10, TimeUnit.SECONDS)).isInstanceOf(TransportException.class);
        assertThat(b.closed.get(10, TimeUnit.SECONDS)).isInstanceOf(TransportException.class);
    }
}
