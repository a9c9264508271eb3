package io.mcppool.internal;

import io.mcppool.status.BreakerSnapshot;
import io.mcppool.status.BreakerState;
import static io.mcppool.protocol.McpMethods.TOOLS_CALL;
import static io.mcppool.protocol.McpMethods.TOOLS_LIST;
import static io.mcppool.testing.FakeTransport.textResult;
import static io.mcppool.testing.Futures.failure;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.call.PoolClosedException;
import io.mcppool.call.ProtocolErrorException;
import io.mcppool.call.TransportFailureException;
import io.mcppool.internal.catalog.LiveCatalog;
import io.mcppool.config.BreakerSettings;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.HealthSettings;
import io.mcppool.config.PoolSettings;
import io.mcppool.config.Replica;
import io.mcppool.config.RetrySettings;
import io.mcppool.config.ServerConfig;
import io.mcppool.config.ToolConfig;
import io.mcppool.events.PoolEvents;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.JsonRpcError;
import io.mcppool.protocol.JsonRpcRequest;
import io.mcppool.internal.resilience.CircuitBreaker;
import io.mcppool.internal.routing.Endpoint;
import io.mcppool.testing.FakeServer;
import io.mcppool.testing.ManualScheduler;
import io.mcppool.transport.NotSentException;
import io.mcppool.transport.TransportException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A call's way through a server's endpoints (endpoint, breaker permit, slot, send, and maybe again), over
 * endpoints the test plays, in virtual time. Retries have no backoff here, so each runs at once, on the
 * test's thread.
 */
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // an engine loop that spins fails the test, not the build
class RoutedCallTest {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final ManualScheduler timer = new ManualScheduler();
    private final ManualScheduler background = new ManualScheduler();
    private final FakeServer first = new FakeServer("first");
    private final FakeServer second = new FakeServer("second");
    private PooledServer server;

    private static Replica replica(FakeServer fake, int tier) {
        String name = fake.toString();
        return new Replica(Optional.empty(), new EndpointConfig.Custom(name, fake), 1, tier);
    }

    private static ServerConfig.Builder config(Replica... replicas) {
        return ServerConfig.builder("fake", List.of(replicas))
                .callTimeout(CALL_TIMEOUT)
                .pool(PoolSettings.builder().minSessions(1).maxSessions(1).maxConcurrentRequests(4)
                        .acquireTimeout(Duration.ofSeconds(5)).build())
                .retry(RetrySettings.builder().maxAttempts(3).initialBackoff(Duration.ZERO).maxBackoff(Duration.ZERO)
                        .build())
                .health(HealthSettings.DISABLED);
    }

    private PooledServer start(ServerConfig config) {
        server = new PooledServer(config, timer, background, () -> null, PoolEvents.NONE,
                new LiveCatalog("_", timer, background, io.mcppool.events.PoolEvents.NONE));
        server.start();
        background.runDue(); // each endpoint's first session opens
        return server;
    }

    private CallFuture<JsonNode> call(String tool) {
        ObjectNode params = Json.object();
        params.put("name", tool);
        params.putObject("arguments");
        return server.request(TOOLS_CALL, params, System.nanoTime() + CALL_TIMEOUT.toNanos(), null, null);
    }

    private BreakerSnapshot breaker(int endpoint) {
        Endpoint ep = server.endpoints().get(endpoint);
        return ep.breaker().snapshot();
    }

    @AfterEach
    void close() {
        if (server != null) {
            server.close(Duration.ZERO);
        }
        background.runDue();
        assertThat(timer.failures()).isEmpty();
        assertThat(background.failures()).isEmpty();
    }

    @Test
    void aFailureThatNeverReachedTheServerMovesToAnotherEndpointWithoutSpendingARetry() {
        // No retries at all: only a move that is not a retry can save this call.
        start(config(replica(first, 0), replica(second, 1)).retry(RetrySettings.NONE).build());
        first.last().refuseSends(() -> new NotSentException("first: 64 messages waiting (maxQueued)"));

        CallFuture<JsonNode> call = call("echo");
        JsonRpcRequest sent = second.last().request(TOOLS_CALL);
        second.last().reply(sent, textResult("from second"));

        assertThat(call.join().path("content").path(0).path("text").asText()).isEqualTo("from second");
        assertThat(first.requests(TOOLS_CALL)).as("the first endpoint never had it").isEmpty();
        assertThat(breaker(0).calls()).as("it was tried there first").isEqualTo(1);
    }

    @Test
    void aCallThatMayHaveRunIsNotTriedAgainForAToolNotKnownToBeSafe() {
        start(config(replica(first, 0)).build());

        CallFuture<JsonNode> call = call("launch");
        first.last().request(TOOLS_CALL);
        first.last().breaks(new TransportException("connection reset"));
        background.runDue(); // the pool replaces the session

        assertThat(failure(call)).isInstanceOf(TransportFailureException.class);
        assertThat(first.requests(TOOLS_CALL)).as("ran at most once").hasSize(1);
        assertThat(first.connections()).hasSize(2);
    }

    @Test
    void aCallThatMayHaveRunIsTriedAgainForASafeTool() {
        start(config(replica(first, 0)).tools(Map.of("lookup", new ToolConfig(true, false))).build());

        CallFuture<JsonNode> call = call("lookup");
        first.last().request(TOOLS_CALL);
        first.last().breaks(new TransportException("connection reset"));
        assertThat(call).isNotDone();
        background.runDue(); // the pool replaces the session; the retry waiting for a slot gets it
        first.last().reply(first.last().request(TOOLS_CALL), textResult("found"));

        assertThat(call.join().path("content").path(0).path("text").asText()).isEqualTo("found");
        assertThat(first.requests(TOOLS_CALL)).hasSize(2);
    }

    @Test
    void aBackgroundListingsFailuresDoNotMoveTheBreakerButAUserCallsDo() {
        start(config(replica(first, 0)).breaker(BreakerSettings.builder().consecutiveFailures(1).build()).build());

        CompletableFuture<List<JsonNode>> failed = server.listAll(TOOLS_LIST, json -> List.of());
        first.last().replyError(first.last().request(TOOLS_LIST), JsonRpcError.INTERNAL_ERROR, "listing broke");
        CompletableFuture<List<JsonNode>> timedOut = server.listAll(TOOLS_LIST, json -> List.of());
        timer.advance(CALL_TIMEOUT);

        assertThat(failure(failed)).isInstanceOf(ProtocolErrorException.class);
        assertThat(timedOut).isCompletedExceptionally();
        assertThat(breaker(0).calls()).as("background listings have no vote").isZero();
        assertThat(breaker(0).state()).isEqualTo(BreakerState.CLOSED);

        CallFuture<JsonNode> call = call("echo");
        first.last().replyError(first.last().request(TOOLS_CALL), JsonRpcError.INTERNAL_ERROR, "call broke");

        assertThat(failure(call)).isInstanceOf(ProtocolErrorException.class);
        assertThat(breaker(0).calls()).isEqualTo(1);
        assertThat(breaker(0).state()).isEqualTo(BreakerState.OPEN);
    }

    @Test
    void aCallCutByCloseFailsAsPoolClosedAndDoesNotMoveTheBreaker() {
        start(config(replica(first, 0)).pool(PoolSettings.builder().minSessions(1).maxSessions(1)
                .maxConcurrentRequests(1).acquireTimeout(Duration.ofSeconds(5)).build()).build());
        CallFuture<JsonNode> inFlight = call("slow");
        first.last().request(TOOLS_CALL);
        CallFuture<JsonNode> waiting = call("queued"); // the only slot is taken: it waits for one
        assertThat(server.pool().snapshot().pendingAcquires()).isEqualTo(1);

        server.close(Duration.ZERO);

        assertThat(failure(inFlight)).isInstanceOf(PoolClosedException.class);
        assertThat(failure(waiting)).isInstanceOf(PoolClosedException.class);
        assertThat(breaker(0).calls()).isZero();
        assertThat(breaker(0).state()).isEqualTo(BreakerState.CLOSED);
        server = null;
    }

    private CallFuture<JsonNode> call(String tool, Duration deadline, Attribution attribution) {
        ObjectNode params = Json.object();
        params.put("name", tool);
        params.putObject("arguments");
        return server.request(TOOLS_CALL, params, System.nanoTime() + deadline.toNanos(), null, null, null,
                attribution);
    }

    @Test
    void oneCallersTimeoutsDoNotOpenTheBreakerButTwoCallersDo() {
        start(config(replica(first, 0)).retry(RetrySettings.NONE)
                .breaker(BreakerSettings.builder().consecutiveFailures(2).build()).build());
        for (int i = 0; i < 3; i++) {
            CallFuture<JsonNode> slow = call("sleep", CALL_TIMEOUT, new Attribution("hog", true));
            first.last().request(TOOLS_CALL);
            timer.advance(CALL_TIMEOUT);
            assertThat(slow).isCompletedExceptionally();
        }
        assertThat(breaker(0).state()).as("three timeouts, all the hog's").isEqualTo(BreakerState.CLOSED);

        CallFuture<JsonNode> other = call("sleep", CALL_TIMEOUT, new Attribution("other", true));
        first.last().request(TOOLS_CALL);
        timer.advance(CALL_TIMEOUT);
        assertThat(other).isCompletedExceptionally();
        assertThat(breaker(0).state()).isEqualTo(BreakerState.OPEN);
    }

    @Test
    void aTimeoutAtTheCallersShorterDeadlineSaysNothingAboutTheEndpoint() {
        start(config(replica(first, 0)).retry(RetrySettings.NONE)
                .breaker(BreakerSettings.builder().consecutiveFailures(1).build()).build());
        CallFuture<JsonNode> impatient = call("sleep", Duration.ofSeconds(1), new Attribution(null, false));
        first.last().request(TOOLS_CALL);
        timer.advance(Duration.ofSeconds(1));

        assertThat(impatient).isCompletedExceptionally();
        assertThat(breaker(0).calls()).as("the timeout was the caller's deadline").isZero();
        assertThat(breaker(0).state()).isEqualTo(BreakerState.CLOSED);

        CallFuture<JsonNode> atOwnDeadline = call("sleep", CALL_TIMEOUT, Attribution.NONE);
        first.last().request(TOOLS_CALL);
        timer.advance(CALL_TIMEOUT);
        assertThat(atOwnDeadline).isCompletedExceptionally();
        assertThat(breaker(0).state()).isEqualTo(BreakerState.OPEN);
    }
}
