package io.mcppool.it.metrics;

import io.mcppool.status.BreakerState;
import static io.mcppool.it.metrics.TestkitServers.endpoint;
import static io.mcppool.it.metrics.TestkitServers.oneSession;
import static io.mcppool.it.metrics.TestkitServers.testkit;
import static io.mcppool.metrics.McpPoolMetrics.ACQUIRE_DURATION;
import static io.mcppool.metrics.McpPoolMetrics.ACQUIRE_PENDING;
import static io.mcppool.metrics.McpPoolMetrics.ACQUIRE_TIMEOUTS;
import static io.mcppool.metrics.McpPoolMetrics.BREAKER_STATE;
import static io.mcppool.metrics.McpPoolMetrics.BREAKER_TRANSITIONS;
import static io.mcppool.metrics.McpPoolMetrics.HEALTH;
import static io.mcppool.metrics.McpPoolMetrics.OPERATION_DURATION;
import static io.mcppool.metrics.McpPoolMetrics.PROCESS_EXITS;
import static io.mcppool.metrics.McpPoolMetrics.PROCESS_STARTS;
import static io.mcppool.metrics.McpPoolMetrics.REQUESTS_IN_FLIGHT;
import static io.mcppool.metrics.McpPoolMetrics.SESSIONS;
import static io.mcppool.metrics.McpPoolMetrics.SESSIONS_CLOSED;
import static io.mcppool.metrics.McpPoolMetrics.SESSIONS_OPENED;
import static io.mcppool.metrics.McpPoolMetrics.SESSION_OPEN_FAILURES;
import static io.mcppool.metrics.McpPoolMetrics.UTILIZATION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mcppool.call.CallOptions;
import io.mcppool.call.CallTimeoutException;
import io.mcppool.McpPool;
import io.mcppool.call.PoolExhaustedException;
import io.mcppool.config.PoolSettings;
import io.mcppool.metrics.McpPoolMetrics;
import io.mcppool.status.EndpointSnapshot;
import io.mcppool.protocol.CallToolResult;
import io.mcppool.protocol.Json;
import io.mcppool.internal.resilience.CircuitBreaker;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 4, acceptance 1 (the metrics part): known traffic against the real testkit stdio server gives
 * exact counter values, tags and gauge states in a {@link SimpleMeterRegistry}.
 */
class PoolMetricsTest {
    static final int N = 20; // successful echo calls
    static final int M = 5;  // fail calls: results with isError
    static final int K = 5;  // sleep calls that time out: five in a row open the breaker (consecutiveFailures: 5)

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    Timer operation(String tool, String outcome, String errorType) {
        return registry.get(OPERATION_DURATION).tags("server", "tk", "mcp.method.name", "tools/call",
                "gen_ai.tool.name", tool, "outcome", outcome, "error.type", errorType).timer();
    }

    double counter(String name, String... tags) {
        return registry.get(name).tags(tags).counter().count();
    }

    double gauge(String name, String... tags) {
        return registry.get(name).tags(tags).gauge().value();
    }

    @Test
    void knownTrafficGivesExactCountsTagsAndStates() throws Exception {
        // Given to the builder, so the session opened at start is counted too; gauges read a fresh snapshot.
        McpPoolMetrics metrics = McpPoolMetrics.builder().snapshotTtl(Duration.ZERO).build(registry);
        // The timeouts come from the server's own callTimeout (200 ms): only those count against the endpoint, not a
        // deadline a caller chose (docs/resilience.md); the other calls choose a long one of their own.
        McpPool pool = McpPool.builder().server(oneSession("tk").toBuilder().callTimeout(Duration.ofMillis(200)).build())
                .eventListener(metrics).build();
        metrics.bindTo(pool);
        CallOptions patient = CallOptions.builder().timeout(Duration.ofSeconds(30)).build();
        String ep;
        try {
            for (int i = 0; i < N; i++) {
                assertThat(pool.callTool("tk", "echo", Map.of("message", "m" + i), patient).failed()).isFalse();
            }
            for (int i = 0; i < M; i++) {
                CallToolResult r = pool.callTool("tk", "fail", Map.of("message", "nope " + i), patient);
                assertThat(r.failed()).isTrue();
            }
            for (int i = 0; i < K; i++) {
                assertThatThrownBy(() -> pool.callTool("tk", "sleep", Map.of("ms", 5000)))
                        .isInstanceOf(CallTimeoutException.class);
            }
            ep = endpoint(pool, "tk").endpoint();
            assertThat(pool.circuitBreaker("tk", ep).state()).isEqualTo(BreakerState.OPEN);

            // ---- calls: exact at return, one series per (tool, outcome, error type)
            assertThat(operation("echo", "success", "none").count()).isEqualTo(N);
            assertThat(operation("fail", "tool_error", "tool_error").count()).isEqualTo(M);
            Timer timeouts = operation("sleep", "failure", "timeout");
            assertThat(timeouts.count()).isEqualTo(K);
            assertThat(timeouts.totalTime(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(K * 200.0);
            assertThat(timeouts.max(TimeUnit.MILLISECONDS)).isBetween(200.0, 4000.0);
            assertThat(registry.find(OPERATION_DURATION).timers()).hasSize(3);

            // ---- acquires: every call got a slot at once
            String[] epTags = {"server", "tk", "endpoint", ep};
            assertThat(registry.get(ACQUIRE_DURATION).tags(epTags).tag("outcome", "acquired").timer().count())
                    .isEqualTo(N + M + K);
            assertThat(registry.get(ACQUIRE_DURATION).tags(epTags).tag("outcome", "failed").timer().count()).isZero();
            assertThat(counter(ACQUIRE_TIMEOUTS, epTags)).isZero();

            // ---- sessions and the process: one of each, still open
            assertThat(counter(SESSIONS_OPENED, epTags)).isEqualTo(1.0);
            assertThat(counter(SESSION_OPEN_FAILURES, epTags)).isZero();
            assertThat(registry.find(SESSIONS_CLOSED).counters()).allSatisfy(c -> assertThat(c.count()).isZero());
            assertThat(counter(PROCESS_STARTS, epTags)).isEqualTo(1.0);

            // ---- gauges from the pool's state: one idle session, nothing in flight or waiting
            assertThat(gauge(SESSIONS, "server", "tk", "endpoint", ep, "state", "active")).isZero();
            assertThat(gauge(SESSIONS, "server", "tk", "endpoint", ep, "state", "idle")).isEqualTo(1.0);
            assertThat(gauge(SESSIONS, "server", "tk", "endpoint", ep, "state", "opening")).isZero();
            assertThat(gauge(REQUESTS_IN_FLIGHT, epTags)).isZero();
            assertThat(gauge(ACQUIRE_PENDING, epTags)).isZero();
            assertThat(gauge(UTILIZATION, epTags)).isZero();

            // ---- the breaker opened by the timeouts, and the endpoint's health says so
            assertThat(gauge(BREAKER_STATE, epTags)).isEqualTo(2.0);
            assertThat(counter(BREAKER_TRANSITIONS, "server", "tk", "endpoint", ep, "from", "closed", "to", "open"))
                    .isEqualTo(1.0);
            assertThat(registry.find(BREAKER_TRANSITIONS).counters()).hasSize(1);
            assertThat(gauge(HEALTH, epTags)).isEqualTo(0.0); // unhealthy: "circuit breaker open: 5 consecutive failures"

            // ---- the same traffic in the JSON snapshot (the seeds' export_metrics("json"))
            JsonNode json = Json.mapper().readTree(pool.exportMetrics("json"));
            JsonNode server = json.path("servers").get(0);
            assertThat(server.path("name").asText()).isEqualTo("tk");
            JsonNode window = server.path("window");
            assertThat(window.path("calls").asLong()).isEqualTo(N + M + K);
            assertThat(window.path("successes").asLong()).isEqualTo(N);
            assertThat(window.path("toolErrors").asLong()).isEqualTo(M);
            assertThat(window.path("failures").asLong()).isEqualTo(K);
            assertThat(window.path("errorsByType").path("timeout").asLong()).isEqualTo(K);
            assertThat(server.path("totals").path("calls").asLong()).isEqualTo(N + M + K);
            JsonNode endpointJson = server.path("endpoints").get(0);
            assertThat(endpointJson.path("endpoint").asText()).isEqualTo(ep);
            assertThat(endpointJson.path("breaker").path("state").asText()).isEqualTo("open");
            assertThat(endpointJson.path("health").path("status").asText()).isEqualTo("unhealthy");
            assertThat(endpointJson.path("status").asText()).isEqualTo("unhealthy");
            assertThat(json.path("status").asText()).isEqualTo("unhealthy");

            // ---- the counters agree with the pool's own
            EndpointSnapshot snapshot = endpoint(pool, "tk");
            assertThat(counter(SESSIONS_OPENED, epTags)).isEqualTo(snapshot.sessionsOpened());
            assertThat(counter(ACQUIRE_TIMEOUTS, epTags)).isEqualTo(snapshot.acquireTimeouts());
        } finally {
            pool.close();
        }
        String[] epTags = {"server", "tk", "endpoint", ep};
        // closing the pool ends the session and its process, as requested
        assertThat(counter(SESSIONS_CLOSED, "server", "tk", "endpoint", ep, "reason", "pool_closed")).isEqualTo(1.0);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(counter(PROCESS_EXITS, "server", "tk", "endpoint", ep, "reason", "requested")).isEqualTo(1.0));
        assertThat(counter(PROCESS_EXITS, "server", "tk", "endpoint", ep, "reason", "unexpected")).isZero();
        assertThat(gauge(SESSIONS, "server", "tk", "endpoint", ep, "state", "idle")).isZero();
        assertThat(counter(SESSIONS_OPENED, epTags)).isEqualTo(1.0);

        metrics.close();
        assertThat(registry.getMeters()).isEmpty();
    }

    @Test
    void anExhaustedPoolShowsPendingCallersThenCountsTheTimeout() throws Exception {
        McpPoolMetrics metrics = McpPoolMetrics.builder().snapshotTtl(Duration.ZERO).build(registry);
        PoolSettings oneSlot = PoolSettings.builder().minSessions(1).maxSessions(1).maxConcurrentRequests(1)
                .acquireTimeout(Duration.ofMillis(500)).build();
        try (McpPool pool = McpPool.builder().server(testkit("tk", oneSlot)).eventListener(metrics).build()) {
            metrics.bindTo(pool);
            // The one slot is free only once the session is open and the catalog has listed through it: on a loaded
            // machine either can take longer than the 500 ms a caller may wait here.
            pool.catalog().loaded("tk").copy().orTimeout(30, TimeUnit.SECONDS).join();
            await().atMost(Duration.ofSeconds(30)).until(() -> endpoint(pool, "tk").sessions() == 1
                    && endpoint(pool, "tk").inFlight() == 0);
            pool.callTool("tk", "echo", Map.of("message", "warm")); // the session is open
            String ep = endpoint(pool, "tk").endpoint();
            String[] epTags = {"server", "tk", "endpoint", ep};

            CompletableFuture<CallToolResult> slow = pool.callToolAsync("tk", "sleep", Map.of("ms", 1500));
            await().atMost(Duration.ofSeconds(5)).until(() -> gauge(REQUESTS_IN_FLIGHT, epTags) == 1.0);
            assertThat(gauge(UTILIZATION, epTags)).isEqualTo(1.0);
            assertThat(gauge(SESSIONS, "server", "tk", "endpoint", ep, "state", "active")).isEqualTo(1.0);
            assertThat(gauge(SESSIONS, "server", "tk", "endpoint", ep, "state", "idle")).isZero();

            CompletableFuture<CallToolResult> waiting = pool.callToolAsync("tk", "echo", Map.of("message", "late"));
            await().atMost(Duration.ofSeconds(5)).until(() -> gauge(ACQUIRE_PENDING, epTags) == 1.0);
            assertThatThrownBy(waiting::join).hasCauseInstanceOf(PoolExhaustedException.class);

            assertThat(gauge(ACQUIRE_PENDING, epTags)).isZero();
            assertThat(counter(ACQUIRE_TIMEOUTS, epTags)).isEqualTo(1.0);
            Timer failed = registry.get(ACQUIRE_DURATION).tags(epTags).tag("outcome", "failed").timer();
            assertThat(failed.count()).isEqualTo(1);
            assertThat(failed.totalTime(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(450.0);
            assertThat(registry.get(OPERATION_DURATION).tags("gen_ai.tool.name", "echo", "outcome", "failure",
                    "error.type", "pool_exhausted").timer().count()).isEqualTo(1);
            assertThat(counter(ACQUIRE_TIMEOUTS, epTags)).isEqualTo(endpoint(pool, "tk").acquireTimeouts());

            assertThat(slow.get(10, TimeUnit.SECONDS).failed()).isFalse();
            assertThat(registry.get(OPERATION_DURATION).tags("gen_ai.tool.name", "sleep", "outcome", "success")
                    .timer().count()).isEqualTo(1);
            assertThat(gauge(REQUESTS_IN_FLIGHT, epTags)).isZero();
        } finally {
            metrics.close();
        }
    }

    @Test
    void bindingARunningPoolCountsLaterCallsAndCloseRemovesEverything() {
        try (McpPool pool = McpPool.builder().server(oneSession("late")).build()) {
            pool.callTool("late", "echo", Map.of("message", "before"));
            McpPoolMetrics metrics = McpPoolMetrics.bind(pool, registry);
            String ep = endpoint(pool, "late").endpoint();
            // gauges exist at once, before any event (the session may still be busy with the catalog's listing,
            // which starts when it joins: it is idle once that is done)
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                    .until(() -> gauge(SESSIONS, "server", "late", "endpoint", ep, "state", "idle") == 1.0);
            assertThat(gauge(BREAKER_STATE, "server", "late", "endpoint", ep)).isZero();
            pool.callTool("late", "echo", Map.of("message", "after"));
            assertThat(registry.get(OPERATION_DURATION).tags("server", "late").timer().count()).isEqualTo(1);
            assertThatThrownBy(() -> metrics.bindTo(pool)).isInstanceOf(IllegalStateException.class);

            metrics.close();
            assertThat(registry.getMeters()).isEmpty();
            pool.callTool("late", "echo", Map.of("message", "gone"));
            assertThat(registry.getMeters()).isEmpty();
            assertThat(pool.removeEventListener(metrics)).isFalse(); // close took it out
        }
    }
}
