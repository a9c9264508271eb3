package io.mcppool.it.resilience;

import io.mcppool.status.BreakerState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.mcppool.call.ConnectFailureException;
import io.mcppool.call.ErrorType;
import io.mcppool.McpPool;
import io.mcppool.call.TransportFailureException;
import io.mcppool.config.BreakerSettings;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.HealthSettings;
import io.mcppool.config.PoolSettings;
import io.mcppool.config.Replica;
import io.mcppool.config.RetrySettings;
import io.mcppool.config.ServerConfig;
import io.mcppool.config.SupervisionSettings;
import io.mcppool.internal.resilience.CircuitBreaker;
import io.mcppool.status.EndpointStatus;
import io.mcppool.status.HealthStatus;
import io.mcppool.testkit.TestServer;
import io.mcppool.testkit.TestkitHttpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Behaviour that docs/resilience.md and the javadoc promise, checked against the engine through the public API.
 * Each test quotes the sentence it holds the engine to.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ResilienceContractTest {

    /**
     * docs/resilience.md, "Errors": "When a session dies, every call in flight on it fails with the same
     * exception; the breaker counts that as one failure, not one per call, so one crash of a busy process does
     * not open it on its own."
     */
    @Test
    void oneCrashOfABusyProcessDoesNotOpenTheBreaker() throws Exception {
        String label = "busy-" + UUID.randomUUID();
        ServerConfig config = ServerConfig.builder("busy", List.of(
                        new Replica(Optional.of("busy-1"), Figures.testkitStdio("--label", label), 1, 0)))
                .pool(PoolSettings.builder().minSessions(1).maxSessions(1).maxConcurrentRequests(64).build())
                .health(HealthSettings.DISABLED)
                .supervision(new SupervisionSettings(Duration.ofMillis(50), Duration.ofMillis(500), 5,
                        Duration.ofMinutes(1), Duration.ofSeconds(2)))
                .build(); // default breaker: 5 consecutive failures open it
        EventLog events = new EventLog();
        Map<String, Integer> failures = new ConcurrentHashMap<>();
        AtomicInteger succeeded = new AtomicInteger();
        try (McpPool pool = McpPool.builder().server(config).eventListener(events).build()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> pool.endpoints("busy").get(0).pool().sessions() == 1);
            pool.listTools("busy");
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> callers = new ArrayList<>();
            for (int c = 0; c < 32; c++) {
                int caller = c;
                callers.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 100_000 && !stop.get(); i++) {
                        try {
                            pool.callTool("busy", "record", Map.of("key", caller + "-" + i));
                            succeeded.incrementAndGet();
                        } catch (RuntimeException e) {
                            failures.merge(e.getMessage().replaceAll("[0-9]+", "N"), 1, Integer::sum);
                        }
                    }
                }));
            }
            try {
                // busy: every caller has a call in flight or about to be
                await().atMost(Duration.ofSeconds(30)).until(() -> succeeded.get() >= 500);
                Figures.processesLabelled(label).forEach(ProcessHandle::destroyForcibly);
                await().atMost(Duration.ofSeconds(20)).until(() -> pool.endpoints("busy").get(0).supervision().restarts() == 1
                        && pool.endpoints("busy").get(0).pool().sessions() == 1);
                int afterRestart = succeeded.get();
                await().atMost(Duration.ofSeconds(30)).until(() -> succeeded.get() >= afterRestart + 500); // calls flow on the new process
            } finally {
                stop.set(true);
                for (Thread t : callers) {
                    t.join(30_000);
                }
            }
            System.out.println("oneCrashOfABusyProcessDoesNotOpenTheBreaker: failures by message " + failures
                    + "; breaker changes " + events.breakers.stream().map(b -> b.from() + "->" + b.to()).toList());
            assertThat(failures).as("calls in flight when the process was killed failed").isNotEmpty();
            assertThat(events.breakerTransitions("busy-1", "closed", "open"))
                    .as("one SIGKILL of a process with calls in flight opened the breaker; the calls failed with "
                            + failures).isEmpty();
            assertThat(pool.endpoints("busy").get(0).breaker().state()).isEqualTo(BreakerState.CLOSED);
        }
    }

    /**
     * ConnectFailureException's javadoc: "The server could not be reached: its process did not start, the
     * connection was refused, or the handshake failed." docs/resilience.md lists "connection refused" under
     * {@code connect_failure}, which is also how the call's {@code callEnded} event classifies it.
     *
     * <p>The server stops before the pool exists, so every request needs a new connection, and that is refused.
     * (Stopping it under a pool that holds a kept-alive connection to it is another case: a request sent on that
     * connection fails before any answer and is a transport failure; see the next test.)
     */
    @Test
    void aRefusedConnectionIsAConnectFailureException() {
        TestkitHttpServer server = TestkitHttpServer.start(TestServer.create());
        server.stop(); // its port now refuses connections
        EventLog events = new EventLog();
        try (McpPool pool = McpPool.builder().server(ServerConfig.builder("refusing",
                        new EndpointConfig.Http(server.uri())).health(HealthSettings.DISABLED).build())
                .eventListener(events).build()) {
            Throwable refused = catchThrowable(() -> pool.callTool("refusing", "echo", Map.of("message", "down")));
            assertThat(refused).as("the public type of a refused connection").isInstanceOf(ConnectFailureException.class);
            EventLog.Ended ended = events.ended.stream().filter(e -> e.errorType() != null).findFirst().orElseThrow();
            assertThat(ended.errorType()).isEqualTo(ErrorType.CONNECT_FAILURE);
        }
    }

    /**
     * docs/resilience.md, "Errors": "The first call after a server stops can therefore fail either way, depending
     * on whether the client had noticed the closed connection before it sent." Either way, the exception and the
     * call's event agree: refused on a new connection, a connect failure; failed on the kept-alive connection the
     * server closed, a transport failure (the request may have reached the server).
     */
    @Test
    void theFirstCallAfterTheServerStopsIsAConnectOrATransportFailure() {
        TestkitHttpServer server = TestkitHttpServer.start(TestServer.create());
        EventLog events = new EventLog();
        try (McpPool pool = McpPool.builder().server(ServerConfig.builder("stopping",
                        new EndpointConfig.Http(server.uri())).health(HealthSettings.DISABLED)
                        .retry(RetrySettings.NONE).build())
                .eventListener(events).build()) {
            assertThat(pool.callTool("stopping", "echo", Map.of("message", "up")).text()).isEqualTo("up");
            server.stop();
            Throwable failed = catchThrowable(() -> pool.callTool("stopping", "echo", Map.of("message", "down")));
            EventLog.Ended ended = events.ended.stream().filter(e -> e.errorType() != null).findFirst().orElseThrow();
            if (failed instanceof ConnectFailureException) {
                assertThat(ended.errorType()).isEqualTo(ErrorType.CONNECT_FAILURE);
            } else {
                assertThat(failed).as("not refused, so failed on the closed connection").isInstanceOf(TransportFailureException.class);
                assertThat(ended.errorType()).isEqualTo(ErrorType.TRANSPORT_FAILURE);
            }
        } finally {
            server.stop();
        }
    }

    /**
     * docs/resilience.md, "Endpoints and balancing": "When every endpoint is unhealthy but some breakers still
     * permit calls, those endpoints are used anyway (health is a preference, checks can be wrong; an open
     * breaker is a refusal)." Also Endpoint's javadoc: an unhealthy endpoint "gets no calls while another
     * endpoint can take them".
     */
    @Test
    void whenEveryEndpointIsUnhealthyTheyAreUsedAnyway() {
        ServerConfig config = ServerConfig.builder("looping", List.of(
                        new Replica(Optional.of("looping-1"), Figures.testkitStdio(), 1, 0)))
                .pool(PoolSettings.builder().minSessions(1).maxSessions(1).build())
                .health(HealthSettings.DISABLED)
                .breaker(BreakerSettings.builder().enabled(false).build()) // breakers permit every call
                .supervision(new SupervisionSettings(Duration.ofMillis(10), Duration.ofMillis(50), 2,
                        Duration.ofMinutes(1), Duration.ofMinutes(1)))
                .build();
        try (McpPool pool = McpPool.builder().server(config).housekeepingInterval(Duration.ofMillis(100)).build()) {
            for (int crash = 1; crash <= 2; crash++) {
                long restarts = crash - 1;
                await().atMost(Duration.ofSeconds(30)).until(() -> status(pool).supervision().restarts() == restarts
                        && status(pool).pool().sessions() == 1);
                catchThrowable(() -> pool.callTool("looping", "crash", Map.of("exitCode", 3)));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> status(pool).supervision().restarts() == 2
                    && status(pool).pool().sessions() == 1);
            EndpointStatus status = status(pool);
            assertThat(status.supervision().crashLoop()).isTrue();
            assertThat(status.health()).isEqualTo(HealthStatus.UNHEALTHY);
            assertThat(status.breaker().state().refuses()).isFalse();

            // The only endpoint is unhealthy (crash loop) but has a live process and a breaker that permits calls.
            Throwable error = catchThrowable(() -> pool.callTool("looping", "echo", Map.of("message", "still there?")));
            assertThat(error).as("a call to a server whose every endpoint is unhealthy but permitted by its breaker")
                    .isNull();
        }
    }

    private static EndpointStatus status(McpPool pool) {
        return pool.endpoints("looping").get(0);
    }
}
