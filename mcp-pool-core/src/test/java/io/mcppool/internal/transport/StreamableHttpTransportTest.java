package io.mcppool.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.mcppool.transport.Transport;
import io.mcppool.transport.TransportException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.call.CallOptions;
import io.mcppool.call.CallTimeoutException;
import io.mcppool.McpPool;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.HealthSettings;
import io.mcppool.config.PoolSettings;
import io.mcppool.config.RetrySettings;
import io.mcppool.config.ServerConfig;
import io.mcppool.protocol.CallToolResult;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.JsonRpcCodec;
import io.mcppool.protocol.JsonRpcMessage;
import io.mcppool.protocol.JsonRpcNotification;
import io.mcppool.protocol.JsonRpcRequest;
import io.mcppool.protocol.JsonRpcResponse;
import io.mcppool.protocol.RequestId;
import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Streamable HTTP transport against a raw HTTP server on 127.0.0.1 that sends exactly what each test needs:
 * responses that never come, streams that end early with {@code retry:} and event ids, bodies that are not
 * JSON-RPC responses. The executor counts the transport's tasks that are still running, and the server counts
 * the responses it holds whose connection is still open, so a leak of either shows.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StreamableHttpTransportTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    /** The documented default bound on one-way POSTs in flight (docs/configuration.md). */
    private static final int ONE_WAY_BOUND = 64;

    private final List<AutoCloseable> closeAfter = new ArrayList<>();
    private final CountingExecutor executor = new CountingExecutor();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final Received received = new Received();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeAfter.reversed()) {
            c.close();
        }
        client.shutdownNow();
        executor.delegate.shutdownNow();
    }

    // ------------------------------------------------------------------ cancellation and leaks

    @Test
    void cancellingASendInFlightAbortsTheExchangeAndReleasesItsThreadAndConnection() {
        RawHttpServer server = server((request, response) -> response.startSse()); // accepted, never answered
        StreamableHttpTransport transport = transport(server, executor);
        List<CompletableFuture<Void>> sends = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            sends.add(transport.send(request(i, "tools/call")));
        }
        await().atMost(PATIENCE).until(() -> server.heldOpen() == 20);
        assertThat(executor.running()).isEqualTo(20);

        for (CompletableFuture<Void> send : sends) {
            assertThat(send.cancel(true)).as("a message on its way cannot be withdrawn: the server may have it").isFalse();
        }
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(server.heldOpen()).as("connections still held by unanswered requests").isZero();
            assertThat(executor.running()).as("exchanges still running").isZero();
        });
        assertThat(sends).as("sent, then given up by the sender: not a failure").allSatisfy(f -> assertThat(f).isCompleted());
    }

    @Test
    void cancellingASendThatHasNotStartedWithdrawsTheMessage() {
        RawHttpServer server = server((request, response) -> response.status(202));
        ManualExecutor manual = new ManualExecutor();
        StreamableHttpTransport transport = transport(server, manual);
        CompletableFuture<Void> send = transport.send(new JsonRpcNotification("notifications/initialized", null));

        assertThat(send.cancel(true)).as("withdrawn before it started").isTrue();
        manual.runAll(); // whatever the transport queued runs now, on this thread
        assertThat(server.requests()).as("what reached the server").isEmpty();
    }

    @Test
    void closeAbortsEveryExchangeInFlight() {
        RawHttpServer server = server((request, response) -> response.startSse());
        StreamableHttpTransport transport = transport(server, executor);
        List<CompletableFuture<Void>> sends = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            sends.add(transport.send(request(i, "tools/call")));
        }
        await().atMost(PATIENCE).until(() -> server.heldOpen() == 5);

        transport.close();
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(server.heldOpen()).isZero();
            assertThat(executor.running()).isZero();
        });
        assertThat(sends).allSatisfy(f -> assertThat(f).isCompletedExceptionally());
    }

    /**
     * The session sends {@code notifications/cancelled} when a request times out or its caller cancels it;
     * whatever the server sends for that request afterwards is ignored, so its stream is closed too.
     */
    @Test
    void aCancelNoticeForARequestAbortsThatRequestsExchange() {
        RawHttpServer server = server((request, response) -> {
            if (request.body().contains("\"tools/call\"")) {
                response.startSse();
            } else {
                response.status(202);
            }
        });
        StreamableHttpTransport transport = transport(server, executor);
        CompletableFuture<Void> kept = transport.send(request(1, "tools/call"));
        CompletableFuture<Void> cancelled = transport.send(request(2, "tools/call"));
        await().atMost(PATIENCE).until(() -> server.heldOpen() == 2);

        assertThat(transport.trySend(new JsonRpcNotification("notifications/cancelled",
                Json.object().put("requestId", 2).put("reason", "timeout")))).isTrue();
        await().atMost(PATIENCE).until(() -> server.heldOpen() == 1);
        await().atMost(PATIENCE).until(cancelled::isDone);
        assertThat(cancelled).as("sent, then given up: not a failure").isCompleted();
        assertThat(kept).isNotDone();
    }

    @Test
    void trySendDropsMessagesBeyondTheBoundOnOneWayPosts() {
        RawHttpServer server = server((request, response) -> {
            // a server that takes one-way messages and never answers
        });
        // the default bound; a one-way timeout that cannot run out while the test fills it on a slow machine
        StreamableHttpTransport transport = new StreamableHttpTransport("hostile", new EndpointConfig.Http(server.uri()),
                client, executor, 1 << 20, StreamableHttpTransport.DEFAULT_MAX_ONE_WAY_IN_FLIGHT, Duration.ofMinutes(10));
        transport.start(received);
        closeAfter.add(transport::close);
        assertThat(StreamableHttpTransport.DEFAULT_MAX_ONE_WAY_IN_FLIGHT).as("the documented default").isEqualTo(ONE_WAY_BOUND);
        for (int i = 0; i < ONE_WAY_BOUND; i++) {
            assertThat(transport.trySend(cancelNotice(i))).as("one-way message %d", i).isTrue();
        }
        await().atMost(PATIENCE).until(() -> server.heldOpen() == ONE_WAY_BOUND);
        assertThat(transport.trySend(cancelNotice(999))).as("one more than the bound").isFalse();
        assertThat(executor.running()).isEqualTo(ONE_WAY_BOUND);

        transport.close();
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(server.heldOpen()).isZero();
            assertThat(executor.running()).isZero();
        });
        assertThat(transport.trySend(cancelNotice(1000))).as("after close").isFalse();
    }

    /**
     * Through the pool: calls to a server that accepts each request and never answers time out, and each one's
     * connection is released (before, each timed-out call pinned a thread and a connection for good).
     */
    @Test
    void callsThatTimeOutOnAServerThatNeverAnswersLeaveNoConnectionBehind() {
        RawHttpServer server = server(StreamableHttpTransportTest::hangingToolServer);
        ServerConfig config = ServerConfig.builder("hanging", new EndpointConfig.Http(server.uri()))
                .pool(PoolSettings.builder().minSessions(1).maxSessions(1).build())
                .health(HealthSettings.DISABLED).retry(RetrySettings.NONE)
                .build();
        try (McpPool pool = McpPool.builder().server(config).build()) {
            // the session is open first, so each call's short deadline is spent at the server, not on a slot
            await().atMost(PATIENCE).until(() -> pool.endpoints("hanging").get(0).pool().sessions() == 1);
            List<CompletableFuture<CallToolResult>> calls = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                calls.add(pool.callToolAsync("hanging", "hang", Map.of(),
                        CallOptions.builder().timeout(Duration.ofMillis(500)).build()));
            }
            for (CompletableFuture<CallToolResult> call : calls) {
                assertThat(catchThrowable(() -> call.get(60, TimeUnit.SECONDS))).hasCauseInstanceOf(CallTimeoutException.class);
            }
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(server.heldOpen())
                    .as("connections held by calls that timed out").isZero());
        }
    }

    /** Initializes, lists one tool, takes notifications, and accepts every tools/call without ever answering it. */
    private static void hangingToolServer(RawHttpServer.Request request, RawHttpServer.Response response) throws IOException {
        if (!request.method().equals("POST")) {
            response.status(request.method().equals("GET") ? 405 : 200);
            return;
        }
        JsonRpcMessage m = JsonRpcCodec.decode(request.body());
        if (!(m instanceof JsonRpcRequest r)) {
            response.status(202);
            return;
        }
        switch (r.method()) {
            case "initialize" -> response.json(200, JsonRpcCodec.encodeToString(JsonRpcResponse.success(r.id(),
                    Json.object().put("protocolVersion", "2025-06-18").<ObjectNode>set("capabilities",
                            Json.object().set("tools", Json.object())).set("serverInfo",
                            Json.object().put("name", "hanging").put("version", "1")))), "Mcp-Session-Id", "s-1");
            case "tools/list" -> response.json(200, JsonRpcCodec.encodeToString(JsonRpcResponse.success(r.id(),
                    Json.object().set("tools", Json.mapper().createArrayNode().add(Json.object().put("name", "hang")
                            .set("inputSchema", Json.object().put("type", "object")))))));
            case "tools/call" -> response.startSse();
            default -> response.json(200, JsonRpcCodec.encodeToString(JsonRpcResponse.success(r.id(), Json.object())));
        }
    }

    /**
     * One-way POSTs the server takes and never answers are aborted after {@code oneWayTimeout}: their connections
     * close and their slots (2 here) come back.
     */
    @Test
    void aOneWayPostWithoutAnswerIsAbortedAfterTheOneWayTimeout() {
        RawHttpServer server = server((request, response) -> {
            // takes the message and never answers
        });
        StreamableHttpTransport transport = new StreamableHttpTransport("hostile", new EndpointConfig.Http(server.uri()),
                client, executor, 1 << 20, 2, Duration.ofMillis(300));
        transport.start(received);
        closeAfter.add(transport::close);
        assertThat(transport.trySend(cancelNotice(1))).isTrue();
        assertThat(transport.trySend(cancelNotice(2))).isTrue();

        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(server.requests()).hasSize(2);
            assertThat(server.heldOpen()).as("connections of unanswered one-way POSTs").isZero();
            assertThat(executor.running()).isZero();
        });
        assertThat(transport.trySend(cancelNotice(3))).as("the slots came back").isTrue();
        assertThat(transport.trySend(cancelNotice(4))).as("both of them").isTrue();
        assertThat(transport.isOpen()).isTrue();
    }

    /**
     * docs/resilience.md, "Errors": only a connection that cannot be made is a connect failure. A request whose
     * connection closes before any answer (here the server reads it and hangs up, on a connection it answered on
     * before) may have been processed, so it is a transport failure.
     */
    @Test
    void onlyARefusedConnectionIsAConnectFailure() throws Exception {
        AtomicInteger posts = new AtomicInteger();
        RawHttpServer server = server((request, response) -> {
            if (posts.incrementAndGet() == 1) {
                response.status(202);
            } else {
                throw new IOException("the server hangs up after reading the request");
            }
        });
        StreamableHttpTransport transport = transport(server, executor);
        transport.send(cancelNotice(1)).get(30, TimeUnit.SECONDS);
        Throwable lost = catchThrowable(() -> transport.send(request(2, "tools/call")).get(30, TimeUnit.SECONDS));
        assertThat(lost).hasCauseInstanceOf(TransportException.class);
        assertThat(((TransportException) lost.getCause()).isConnectFailure()).as("may have reached the server").isFalse();

        // A port nothing listens on. (Not the closed server's: its listening socket closes only once its accepting
        // thread has left accept(), and a connection made meanwhile is accepted by the kernel and then reset.)
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        // A client of its own, with no kept-alive connection that the request could be sent on.
        HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        closeAfter.add(fresh::shutdownNow);
        StreamableHttpTransport refused = new StreamableHttpTransport("refusing", new EndpointConfig.Http(
                java.net.URI.create("http://127.0.0.1:" + port + "/mcp")), fresh, executor, 1 << 20);
        refused.start(received);
        closeAfter.add(refused::close);
        Throwable notSent = catchThrowable(() -> refused.send(request(3, "tools/call")).get(30, TimeUnit.SECONDS));
        assertThat(notSent).hasCauseInstanceOf(TransportException.class);
        assertThat(((TransportException) notSent.getCause()).isConnectFailure()).as("never left").isTrue();
    }

    // ------------------------------------------------------------------ liberal bodies

    /**
     * The conformance suite 0.1.16's {@code initialize} scenario answers {@code notifications/initialized} with
     * 200 and {@code {"jsonrpc":"2.0","result":{}}}. The spec asks for 202 without a body; the SDK clients ignore
     * any body to a notification or a response, and so does this transport.
     */
    @Test
    void aBodyAnsweringANotificationOrAResponseIsIgnored() throws Exception {
        RawHttpServer server = server((request, response) -> {
            if (request.body().contains("notifications/initialized")) {
                response.json(200, "{\"jsonrpc\":\"2.0\",\"result\":{}}");
            } else {
                response.json(200, "not json at all");
            }
        });
        StreamableHttpTransport transport = transport(server, executor);
        transport.send(new JsonRpcNotification("notifications/initialized", null)).get(30, TimeUnit.SECONDS);
        transport.send(JsonRpcResponse.success(RequestId.of(9), Json.object())).get(30, TimeUnit.SECONDS);
        assertThat(received.messages).isEmpty();
        assertThat(transport.isOpen()).isTrue();
    }

    // ------------------------------------------------------------------ SSE retry and resumption

    /**
     * SEP-1699 (2025-11-25): a server may end a request's stream before the response, after an event with an id
     * and a {@code retry} field. The client MUST wait {@code retry} ms, then resume with GET and
     * {@code Last-Event-ID}.
     */
    @Test
    void aStreamCutBeforeTheAnswerIsResumedAfterTheServersRetryWithTheLastEventId() throws Exception {
        AtomicLong endedAt = new AtomicLong();
        RawHttpServer server = server((request, response) -> {
            if (request.method().equals("POST")) {
                response.startSse();
                response.sse("id: call-1\nretry: 400\ndata: \n\n");
                response.end();
                endedAt.set(System.nanoTime());
            } else {
                response.startSse();
                response.sse("id: call-2\ndata: " + JsonRpcCodec.encodeToString(
                        JsonRpcResponse.success(RequestId.of(1), Json.object().put("ok", true))) + "\n\n");
                response.end();
            }
        });
        StreamableHttpTransport transport = transport(server, executor);
        transport.send(request(1, "tools/call")).get(30, TimeUnit.SECONDS);

        assertThat(received.messages).hasSize(1);
        assertReconnected(server.requests("GET").get(0), "call-1", endedAt.get(), 400);
    }

    @Test
    void theGetStreamReconnectsAfterTheServersRetryWithTheLastEventId() throws Exception {
        AtomicLong firstEndedAt = new AtomicLong();
        AtomicInteger gets = new AtomicInteger();
        RawHttpServer server = sessionServer((request, response) -> {
            response.startSse();
            if (gets.incrementAndGet() == 1) {
                response.sse("id: get-1\nretry: 400\ndata: \n\n");
                response.end();
                firstEndedAt.set(System.nanoTime());
            } // the second one stays open
        });
        startSession(transport(server, executor));

        await().atMost(PATIENCE).until(() -> server.requests("GET").size() == 2);
        assertReconnected(server.requests("GET").get(1), "get-1", firstEndedAt.get(), 400);
    }

    /**
     * {@code get} resumed from {@code lastEventId}, no sooner than {@code retryMillis} after the stream it resumes
     * ended. Only a lower bound: the client cannot see the end of a stream before the server sent it.
     */
    private static void assertReconnected(RawHttpServer.Request get, String lastEventId, long streamEndedNanos,
                                          long retryMillis) {
        assertThat(get.header("Last-Event-ID")).isEqualTo(lastEventId);
        assertThat(TimeUnit.NANOSECONDS.toMillis(get.arrivedNanos() - streamEndedNanos))
                .as("ms between the end of the stream and the GET that resumed it").isGreaterThanOrEqualTo(retryMillis);
    }

    @Test
    void theGetStreamDeliversEveryEventOfOneConnection() throws Exception {
        RawHttpServer server = sessionServer((request, response) -> {
            response.startSse();
            for (int i = 1; i <= 3; i++) {
                response.sse("id: e" + i + "\ndata: " + JsonRpcCodec.encodeToString(new JsonRpcNotification(
                        "notifications/message", Json.object().put("data", "n" + i))) + "\n\n");
            } // and stays open
        });
        startSession(transport(server, executor));

        await().atMost(PATIENCE).until(() -> received.messages.size() >= 3);
        assertThat(received.messages).extracting(m -> ((JsonRpcNotification) m).params().path("data").asText())
                .startsWith("n1", "n2", "n3");
        assertThat(server.requests("GET")).as("GET requests").hasSize(1);
        assertThat(server.heldOpen()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ helpers

    private RawHttpServer server(RawHttpServer.Handler handler) {
        RawHttpServer server = RawHttpServer.start(handler);
        closeAfter.add(server);
        return server;
    }

    /** A server that issues session {@code session-1} on any POST, answers DELETE, and serves GET with {@code get}. */
    private RawHttpServer sessionServer(RawHttpServer.Handler get) {
        return server((request, response) -> {
            switch (request.method()) {
                case "POST" -> response.json(200, JsonRpcCodec.encodeToString(JsonRpcResponse.success(RequestId.of(1),
                        Json.object().put("protocolVersion", "2025-11-25"))), "Mcp-Session-Id", "session-1");
                case "GET" -> get.handle(request, response);
                default -> response.status(200);
            }
        });
    }

    /** The handshake as the session does it, which opens the GET stream; forgets the initialize answer. */
    private void startSession(StreamableHttpTransport transport) throws Exception {
        transport.send(request(1, "initialize")).get(30, TimeUnit.SECONDS);
        received.messages.clear();
        transport.protocolVersionNegotiated("2025-11-25");
    }

    private StreamableHttpTransport transport(RawHttpServer server, Executor exec) {
        StreamableHttpTransport t = new StreamableHttpTransport("hostile", new EndpointConfig.Http(server.uri()), client,
                exec, 1 << 20);
        t.start(received);
        closeAfter.add(t::close);
        return t;
    }

    private static JsonRpcRequest request(long id, String method) {
        return new JsonRpcRequest(RequestId.of(id), method, Json.object());
    }

    private static JsonRpcNotification cancelNotice(long id) {
        return new JsonRpcNotification("notifications/cancelled", Json.object().put("requestId", id));
    }

    /** What the transport delivered. */
    static final class Received implements Transport.Listener {
        final List<JsonRpcMessage> messages = new CopyOnWriteArrayList<>();
        final List<Throwable> closed = new CopyOnWriteArrayList<>();

        @Override
        public void onMessage(JsonRpcMessage message) {
            messages.add(message);
        }

        @Override
        public void onClosed(Throwable cause) {
            closed.add(cause == null ? new IOException("closed") : cause);
        }
    }

    /** A virtual thread per task, counting the tasks that have not returned. */
    static final class CountingExecutor implements Executor {
        final ExecutorService delegate = Executors.newVirtualThreadPerTaskExecutor();
        private final AtomicInteger running = new AtomicInteger();

        @Override
        public void execute(Runnable task) {
            running.incrementAndGet();
            delegate.execute(() -> {
                try {
                    task.run();
                } finally {
                    running.decrementAndGet();
                }
            });
        }

        int running() {
            return running.get();
        }
    }

    /** Runs nothing until told to. */
    static final class ManualExecutor implements Executor {
        private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        void runAll() {
            Runnable r;
            while ((r = tasks.poll()) != null) {
                r.run();
            }
        }
    }
}
