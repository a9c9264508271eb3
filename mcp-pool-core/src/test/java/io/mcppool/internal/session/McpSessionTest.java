package io.mcppool.internal.session;

import static io.mcppool.protocol.McpMethods.CANCELLED;
import static io.mcppool.protocol.McpMethods.INITIALIZE;
import static io.mcppool.protocol.McpMethods.INITIALIZED;
import static io.mcppool.protocol.McpMethods.PING;
import static io.mcppool.protocol.McpMethods.PROGRESS;
import static io.mcppool.protocol.McpMethods.ROOTS_LIST;
import static io.mcppool.protocol.McpMethods.TOOLS_CALL;
import static io.mcppool.testing.FakeTransport.textResult;
import static io.mcppool.testing.Futures.failure;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.JsonRpcError;
import io.mcppool.protocol.JsonRpcRequest;
import io.mcppool.protocol.JsonRpcResponse;
import io.mcppool.protocol.Progress;
import io.mcppool.protocol.RequestId;
import io.mcppool.protocol.Root;
import io.mcppool.testing.FakeTransport;
import io.mcppool.testing.ManualScheduler;
import io.mcppool.transport.NotSentException;
import io.mcppool.transport.SessionExpiredException;
import io.mcppool.transport.TransportException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One session over a scripted transport, in virtual time: deadlines fire only when the test moves the clock,
 * and the test plays the server message by message, so each ordering below is the only one that can happen.
 */
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // an engine loop that spins fails the test, not the build
class McpSessionTest {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final ManualScheduler timer = new ManualScheduler();
    private final FakeTransport server = new FakeTransport("fake server");
    private final List<Throwable> closedWith = new CopyOnWriteArrayList<>();
    private final SessionListener listener = new SessionListener() {
        @Override
        public void onClosed(McpSession s, Throwable cause) {
            closedWith.add(cause == null ? new Throwable("closed on request") : cause);
        }
    };
    private McpSession session;

    @BeforeEach
    void open() {
        session = openSession(new SessionOptions("fake", CONNECT_TIMEOUT));
    }

    private McpSession openSession(SessionOptions options) {
        McpSession s = new McpSession(server, options, timer, listener);
        assertThat(s.open()).isCompleted();
        return s;
    }

    private CompletableFuture<JsonNode> call(String tool, Duration timeout) {
        return call(tool, timeout, null);
    }

    private CompletableFuture<JsonNode> call(String tool, Duration timeout, Consumer<Progress> onProgress) {
        ObjectNode params = Json.object();
        params.put("name", tool);
        return session.request(TOOLS_CALL, params, timeout.toNanos(), onProgress);
    }

    // ------------------------------------------------------------------ deadlines

    @Test
    void aTimeoutFailsTheCallerFirstThenCancelsTheRequestTheServerHas() {
        CompletableFuture<JsonNode> call = call("slow", Duration.ofSeconds(1));
        JsonRpcRequest sent = server.request(TOOLS_CALL);
        List<Integer> noticesWhenTheCallerLearnt = new ArrayList<>();
        call.whenComplete((r, e) -> noticesWhenTheCallerLearnt.add(server.notifications(CANCELLED).size()));

        timer.advance(Duration.ofMillis(999));
        assertThat(call).isNotDone();
        timer.advance(Duration.ofMillis(1));

        assertThat(failure(call)).isInstanceOf(RequestTimeoutException.class);
        assertThat(noticesWhenTheCallerLearnt).as("cancel notices sent when the caller was failed").containsExactly(0);
        assertThat(server.notifications(CANCELLED)).singleElement().satisfies(n -> {
            assertThat(n.params().path("requestId").asLong()).isEqualTo(sent.id().number());
            assertThat(n.params().path("reason").asText()).isEqualTo("timeout");
        });
        assertThat(session.inFlight()).isZero();
        assertThat(timer.failures()).isEmpty();
    }

    @Test
    void aRequestStillQueuedAtItsDeadlineIsWithdrawnAndNeverReachesTheServer() {
        server.hold(TOOLS_CALL);
        CompletableFuture<JsonNode> call = call("slow", Duration.ofSeconds(1));
        FakeTransport.Outgoing queued = server.queued(TOOLS_CALL);

        timer.advance(Duration.ofSeconds(1));

        assertThat(failure(call)).isInstanceOf(RequestTimeoutException.class);
        assertThat(queued.withdrawn()).isTrue();
        assertThat(server.queued()).isEmpty();
        server.takeAll(); // the writer moves on: nothing is left for it
        assertThat(server.requests(TOOLS_CALL)).isEmpty();
        assertThat(server.notifications(CANCELLED)).as("nothing to cancel on a server that never saw it").isEmpty();
    }

    @Test
    void cancelByTheCallerWithdrawsAQueuedRequestWithoutANotice() {
        server.hold(TOOLS_CALL);
        CompletableFuture<JsonNode> call = call("slow", Duration.ofSeconds(30));
        FakeTransport.Outgoing queued = server.queued(TOOLS_CALL);

        assertThat(call.cancel(false)).isTrue();

        assertThat(queued.withdrawn()).isTrue();
        assertThat(server.notifications(CANCELLED)).isEmpty();
        assertThat(session.inFlight()).isZero();
        assertThat(timer.pending()).as("the deadline is cancelled with the request").isZero();
    }

    @Test
    void cancelByTheCallerOfARequestTheServerHasSendsCancelled() {
        CompletableFuture<JsonNode> call = call("slow", Duration.ofSeconds(30));
        JsonRpcRequest sent = server.request(TOOLS_CALL);

        assertThat(call.cancel(false)).isTrue();

        assertThat(server.notifications(CANCELLED)).singleElement().satisfies(n -> {
            assertThat(n.params().path("requestId").asLong()).isEqualTo(sent.id().number());
            assertThat(n.params().path("reason").asText()).isEqualTo("cancelled by the caller");
        });
        assertThat(timer.pending()).isZero();
    }

    @Test
    void lateResponsesForAFinishedRequestAreDropped() {
        CompletableFuture<JsonNode> timedOut = call("a", Duration.ofSeconds(1));
        JsonRpcRequest first = server.request(TOOLS_CALL);
        timer.advance(Duration.ofSeconds(1));
        CompletableFuture<JsonNode> cancelled = call("b", Duration.ofSeconds(30));
        JsonRpcRequest second = server.request(TOOLS_CALL);
        cancelled.cancel(false);
        CompletableFuture<JsonNode> answered = call("c", Duration.ofSeconds(30));
        JsonRpcRequest third = server.request(TOOLS_CALL);
        server.reply(third, textResult("c"));
        CompletableFuture<JsonNode> open = call("d", Duration.ofSeconds(30));

        // The server answers all of them late (the third twice); an id this client never used comes too.
        server.reply(first, textResult("late a"));
        server.reply(second, textResult("late b"));
        server.reply(third, textResult("again c"));
        server.replyTo(999, textResult("stranger"));

        assertThat(failure(timedOut)).isInstanceOf(RequestTimeoutException.class);
        assertThat(cancelled).isCancelled();
        assertThat(answered.join().path("content").path(0).path("text").asText()).isEqualTo("c");
        assertThat(open).as("ids are never reused: a late answer cannot complete a newer request").isNotDone();
        assertThat(session.inFlight()).isEqualTo(1);
        assertThat(session.isOpen()).isTrue();
    }

    @Test
    void aTimedOutInitializeFailsTheHandshakeWithoutACancelNotice() {
        FakeTransport silent = new FakeTransport("silent").answer(INITIALIZE, null);
        McpSession s = new McpSession(silent, new SessionOptions("fake", CONNECT_TIMEOUT), timer, listener);
        CompletableFuture<?> handshake = s.open();

        timer.advance(CONNECT_TIMEOUT);

        assertThat(failure(handshake)).isInstanceOf(HandshakeException.class)
                .hasCauseInstanceOf(RequestTimeoutException.class);
        assertThat(silent.notifications(CANCELLED)).as("the spec forbids cancelling initialize").isEmpty();
        assertThat(s.isOpen()).isFalse();
        assertThat(closedWith).hasSize(1);
    }

    // ------------------------------------------------------------------ the end of the session

    @Test
    void closeFailsPendingRequestsAndUnsentOnesAsNotSent() {
        CompletableFuture<JsonNode> taken = call("a", Duration.ofSeconds(30));
        server.hold(TOOLS_CALL);
        CompletableFuture<JsonNode> queued = call("b", Duration.ofSeconds(30));

        session.close();

        assertThat(failure(taken)).isInstanceOf(TransportException.class).isNotInstanceOf(NotSentException.class);
        assertThat(failure(queued)).as("a request still queued never reached the server")
                .isInstanceOf(NotSentException.class);
        assertThat(server.requests(TOOLS_CALL)).hasSize(1);
        assertThat(closedWith).hasSize(1);
        assertThat(server.closeCalls()).isEqualTo(1);
        assertThat(timer.pending()).as("no deadline outlives the session").isZero();
        assertThat(failure(call("c", Duration.ofSeconds(30)))).isInstanceOf(NotSentException.class);
    }

    @Test
    void aBrokenConnectionFailsPendingRequestsWithItsCause() {
        CompletableFuture<JsonNode> taken = call("a", Duration.ofSeconds(30));
        server.hold(TOOLS_CALL);
        CompletableFuture<JsonNode> queued = call("b", Duration.ofSeconds(30));

        server.breaks(new TransportException("server exited with code 3"));

        assertThat(failure(taken)).isInstanceOf(TransportException.class).isNotInstanceOf(NotSentException.class)
                .hasMessageContaining("exited with code 3");
        assertThat(failure(queued)).isInstanceOf(NotSentException.class);
        assertThat(closedWith).singleElement().satisfies(c -> assertThat(c).hasMessageContaining("exited with code 3"));
        assertThat(session.isOpen()).isFalse();
    }

    // ------------------------------------------------------------------ what the server sends

    @Test
    void theServersPingAndRootsAreAnswered() {
        session = openSession(new SessionOptions("fake", CONNECT_TIMEOUT, List.of(new Root("file:///work", "work")),
                SessionOptions.CLIENT_INFO));

        server.askClient(RequestId.of("p1"), PING, null);
        server.askClient(RequestId.of(7), ROOTS_LIST, null);
        server.askClient(RequestId.of("s1"), "sampling/createMessage", Json.object());

        List<JsonRpcResponse> answers = server.responses();
        assertThat(answers).hasSize(3);
        assertThat(answers.get(0).id()).isEqualTo(RequestId.of("p1"));
        assertThat(answers.get(0).result()).isEqualTo(Json.object());
        assertThat(answers.get(1).id()).isEqualTo(RequestId.of(7));
        assertThat(answers.get(1).result().path("roots").path(0).path("uri").asText()).isEqualTo("file:///work");
        assertThat(answers.get(2).error().code()).as("no handler bound: not offered")
                .isEqualTo(JsonRpcError.METHOD_NOT_FOUND);
    }

    @Test
    void answersToTheServerAreDroppedNotQueuedWhenTheTransportRefusesThem() {
        // A server that stopped reading: a send would sit in the queue, a trySend is refused.
        server.hold(m -> true).refuseNotices(true);

        server.askClient(RequestId.of("p1"), PING, null);
        server.askClient(RequestId.of("r1"), ROOTS_LIST, null);

        assertThat(server.queued()).as("answers must not wait in the request queue").isEmpty();
        assertThat(server.dropped()).hasSize(2).allSatisfy(m -> assertThat(m).isInstanceOf(JsonRpcResponse.class));
        assertThat(session.isOpen()).isTrue();

        server.holdNone().refuseNotices(false);
        CompletableFuture<JsonNode> call = call("after", Duration.ofSeconds(30));
        server.reply(server.request(TOOLS_CALL), textResult("fine"));
        assertThat(call).isCompleted();
    }

    @Test
    void progressReachesOnlyTheRequestWhoseTokenItCarries() {
        List<Progress> first = new CopyOnWriteArrayList<>();
        List<Progress> second = new CopyOnWriteArrayList<>();
        CompletableFuture<JsonNode> a = call("a", Duration.ofSeconds(30), first::add);
        CompletableFuture<JsonNode> b = call("b", Duration.ofSeconds(30), second::add);
        List<JsonRpcRequest> sent = server.requests(TOOLS_CALL);
        JsonNode tokenA = sent.get(0).params().path("_meta").path("progressToken");
        JsonNode tokenB = sent.get(1).params().path("_meta").path("progressToken");
        assertThat(tokenA).isNotEqualTo(tokenB);

        server.notifyClient(PROGRESS, progress(tokenB, 0.5, "half of b"));
        server.notifyClient(PROGRESS, progress(tokenA, 0.25, "a quarter of a"));
        server.notifyClient(PROGRESS, progress(Json.toTree(424242), 1, "nobody's"));
        server.reply(sent.get(1), textResult("b"));
        server.notifyClient(PROGRESS, progress(tokenB, 1, "after b ended"));

        assertThat(first).containsExactly(new Progress(0.25, 1.0, "a quarter of a"));
        assertThat(second).containsExactly(new Progress(0.5, 1.0, "half of b"));
        assertThat(a).isNotDone();
        assertThat(b).isCompleted();
    }

    private static ObjectNode progress(JsonNode token, double progress, String message) {
        ObjectNode p = Json.object();
        p.set("progressToken", token);
        p.put("progress", progress);
        p.put("total", 1.0);
        p.put("message", message);
        return p;
    }

    // ------------------------------------------------------------------ session expiry (Streamable HTTP)

    @Test
    void anExpiredSessionIsInitializedOnceForEveryRequestThatSawTheExpiry() {
        server.hold(TOOLS_CALL, INITIALIZE);
        CompletableFuture<JsonNode> a = call("a", Duration.ofSeconds(30));
        CompletableFuture<JsonNode> b = call("b", Duration.ofSeconds(30));
        List<FakeTransport.Outgoing> first = server.queued();
        assertThat(first).hasSize(2);

        // The HTTP server answers both POSTs: that session is gone.
        first.get(0).fail(new SessionExpiredException("404 session not found"));
        first.get(1).fail(new SessionExpiredException("404 session not found"));
        FakeTransport.Outgoing reinit = server.queued(INITIALIZE);
        CompletableFuture<JsonNode> c = call("c", Duration.ofSeconds(30));
        assertThat(server.queued()).as("requests wait for the new session").containsExactly(reinit);

        reinit.take();

        assertThat(server.requests(INITIALIZE)).hasSize(2);
        assertThat(server.notifications(INITIALIZED)).hasSize(2);
        List<FakeTransport.Outgoing> again = server.queued();
        assertThat(again).hasSize(3);
        again.forEach(FakeTransport.Outgoing::take);
        for (JsonRpcRequest r : server.requests(TOOLS_CALL)) {
            server.reply(r, textResult(r.params().path("name").asText()));
        }
        assertThat(List.of(a, b, c)).allSatisfy(f -> assertThat(f).isCompleted());
    }

    @Test
    void aRequestThatMeetsAnExpiredSessionTwiceFailsInsteadOfInitializingAgain() {
        server.hold(TOOLS_CALL);
        CompletableFuture<JsonNode> a = call("a", Duration.ofSeconds(30));
        server.queued(TOOLS_CALL).fail(new SessionExpiredException("404 session not found"));
        assertThat(server.requests(INITIALIZE)).hasSize(2);

        server.queued(TOOLS_CALL).fail(new SessionExpiredException("404 session not found"));

        assertThat(failure(a)).isInstanceOf(SessionExpiredException.class);
        assertThat(server.requests(INITIALIZE)).hasSize(2);
        assertThat(server.queued()).isEmpty();
    }
}
