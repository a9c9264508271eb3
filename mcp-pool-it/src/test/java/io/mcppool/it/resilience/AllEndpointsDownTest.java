package io.mcppool.it.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mcppool.McpPool;
import io.mcppool.call.NoEndpointAvailableException;
import io.mcppool.config.BreakerSettings;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.HealthSettings;
import io.mcppool.config.Replica;
import io.mcppool.config.RetrySettings;
import io.mcppool.config.ServerConfig;
import io.mcppool.testkit.TestServer;
import io.mcppool.testkit.TestkitHttpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 3 acceptance: every endpoint of a server is down, either refusing connections or answering 503 to
 * everything. Calls fail with {@link NoEndpointAvailableException} naming the server and each endpoint's
 * state once the breakers are open, they fail fast then, and retries stay within the retry budget.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AllEndpointsDownTest {
    private static final String SERVER = "down";
    private static final int CALLS = 200;
    private static final double BUDGET = 0.2;
    private static final int MIN_RETRIES = 3;
    private static final Duration BUDGET_WINDOW = Duration.ofSeconds(30);
    private static final long ONE_MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final List<TestkitHttpServer> servers = new ArrayList<>();

    @AfterEach
    void stopServers() {
        servers.forEach(TestkitHttpServer::stop);
    }

    @Test
    void bothReplicasRefuseConnections() {
        run("both replicas stopped (connection refused)", TestkitHttpServer::stop);
    }

    @Test
    void bothReplicasAnswer503ToEverything() {
        run("both replicas answer 503 to every POST", s -> s.respondWith(503, null));
    }

    private void run(String variant, Consumer<TestkitHttpServer> takeDown) {
        for (int i = 0; i < 2; i++) {
            servers.add(TestkitHttpServer.start(TestServer.create()));
        }
        ServerConfig config = ServerConfig.builder(SERVER, List.of(
                        new Replica(Optional.of("down-1"), new EndpointConfig.Http(servers.get(0).uri()), 1, 0),
                        new Replica(Optional.of("down-2"), new EndpointConfig.Http(servers.get(1).uri()), 1, 0)))
                .trusted(true)
                .health(HealthSettings.DISABLED) // the breakers alone judge the endpoints here
                // Opens late (25 failures in a row), so that the retry budget is what limits retries until then.
                .breaker(BreakerSettings.builder().consecutiveFailures(25).failureRate(100).window(100).minCalls(100)
                        .openFor(Duration.ofSeconds(30)).build())
                .retry(RetrySettings.builder().maxAttempts(5).initialBackoff(Duration.ofMillis(2))
                        .maxBackoff(Duration.ofMillis(10)).budget(BUDGET).budgetWindow(BUDGET_WINDOW)
                        .minRetries(MIN_RETRIES).build())
                .build();
        EventLog events = new EventLog();
        List<RuntimeException> errors = new ArrayList<>();
        List<Long> took = new ArrayList<>();
        List<Boolean> afterBothOpened = new ArrayList<>();
        long started;
        long finished;
        try (McpPool pool = McpPool.builder().server(config).eventListener(events).build()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.endpoints(SERVER).stream()
                    .allMatch(s -> s.pool().sessions() == 1));
            assertThat(pool.listTools(SERVER)).isNotEmpty();
            assertThat(pool.callTool(SERVER, "echo", Map.of("message", "up")).text()).isEqualTo("up");
            servers.forEach(takeDown);

            started = System.nanoTime();
            Map<String, String> arguments = Map.of("message", "anyone?");
            for (int i = 0; i < CALLS; i++) {
                boolean bothOpen = events.breakerTransitions("down-1", "closed", "open").size()
                        + events.breakerTransitions("down-2", "closed", "open").size() == 2;
                RuntimeException error = null;
                long start = System.nanoTime();
                try {
                    pool.callTool(SERVER, "echo", arguments);
                } catch (RuntimeException e) {
                    error = e;
                }
                took.add(System.nanoTime() - start);
                errors.add(error);
                afterBothOpened.add(bothOpen);
            }
            finished = System.nanoTime();
        }

        long retries = events.toolRetries("echo");
        long attempts = events.picks.stream().filter(p -> "echo".equals(p.call().toolOrNull())).count()
                - 1; // the call before the endpoints went down
        long allowed = Math.max(MIN_RETRIES, (long) Math.floor(BUDGET * CALLS));
        Map<String, Long> types = new LinkedHashMap<>();
        errors.forEach(e -> types.merge(e == null ? "success" : e.getClass().getSimpleName(), 1L, Long::sum));
        List<Long> fast = new ArrayList<>();
        for (int i = 0; i < CALLS; i++) {
            if (afterBothOpened.get(i)) {
                fast.add(took.get(i));
            }
        }
        int firstFast = afterBothOpened.indexOf(true);

        new Figures("AllEndpointsDownTest: " + variant)
                .put("calls", CALLS)
                .put("attempts (endpointPicked)", attempts)
                .put("retries (retryScheduled)", retries + " (budget: max(" + MIN_RETRIES + ", " + BUDGET + " x " + CALLS
                        + ") = " + allowed + ")")
                .put("outcomes", types)
                .put("first call's failure", errors.get(0))
                .put("calls before both breakers were open", firstFast < 0 ? CALLS : firstFast)
                .put("failing fast after both breakers opened: calls", fast.size())
                .put("failing fast: median", fast.isEmpty() ? "-" : Figures.micros(Figures.percentile(fast, 50)))
                .put("failing fast: p99", fast.isEmpty() ? "-" : Figures.micros(Figures.percentile(fast, 99)))
                .put("calls before: median", firstFast <= 0 ? "-"
                        : Figures.micros(Figures.percentile(took.subList(0, firstFast), 50)))
                .print();

        assertThat(finished - started).as("the test ran within one budget window").isLessThan(BUDGET_WINDOW.toNanos());
        assertThat(errors).as("every call failed").doesNotContainNull();
        assertThat(retries).as("retries within the budget").isLessThanOrEqualTo(allowed);
        assertThat(fast).as("calls made after both breakers opened").hasSizeGreaterThanOrEqualTo(50);
        for (int i = firstFast; i < CALLS; i++) {
            RuntimeException e = errors.get(i);
            assertThat(e).isInstanceOf(NoEndpointAvailableException.class)
                    .hasMessageContaining("server '" + SERVER + "'")
                    .hasMessageContaining("down-1: breaker open for")
                    .hasMessageContaining("down-2: breaker open for");
            assertThat(((NoEndpointAvailableException) e).endpointStates())
                    .containsOnlyKeys("down-1", "down-2")
                    .allSatisfy((name, state) -> assertThat(state).startsWith("breaker open for"));
        }
        assertThat(Figures.percentile(fast, 50)).as("median time to fail once the breakers are open, ns")
                .isLessThan(ONE_MS);
    }
}
