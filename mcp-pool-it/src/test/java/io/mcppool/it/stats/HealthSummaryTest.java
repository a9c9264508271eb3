package io.mcppool.it.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.call.CallOptions;
import io.mcppool.call.CallTimeoutException;
import io.mcppool.McpPool;
import io.mcppool.call.McpPoolException;
import io.mcppool.alerts.Alert;
import io.mcppool.alerts.AlertListener;
import io.mcppool.alerts.AlertRule;
import io.mcppool.alerts.Alerts;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.PoolSettings;
import io.mcppool.config.ServerConfig;
import io.mcppool.protocol.CallToolResult;
import io.mcppool.protocol.Json;
import io.mcppool.stats.EndpointMetrics;
import io.mcppool.status.HealthStatus;
import io.mcppool.stats.HealthSummary;
import io.mcppool.stats.PoolStats;
import io.mcppool.stats.ServerMetrics;
import io.mcppool.stats.Totals;
import io.mcppool.stats.WindowStats;
import io.mcppool.testkit.TestkitCommand;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** PoolStats, its health summary and alerts against the real testkit stdio server. */
class HealthSummaryTest {

    private static EndpointConfig.Stdio stdio(List<String> cmd) {
        return new EndpointConfig.Stdio(cmd.get(0), cmd.subList(1, cmd.size()), Map.of(), Optional.empty(),
                Duration.ofSeconds(2));
    }

    private static ServerConfig testkit(String name) {
        return ServerConfig.builder(name, stdio(TestkitCommand.stdio()))
                .pool(PoolSettings.builder().minSessions(1).maxSessions(1).build()).build();
    }

    private static int sessions(McpPool pool) {
        return pool.snapshot().servers().get(0).endpoints().get(0).sessions();
    }

    @Test
    void knownTrafficShowsExactlyInTheSummaryAndItsJson() throws Exception {
        try (McpPool pool = McpPool.builder().server(testkit("tk")).build();
             PoolStats stats = PoolStats.attach(pool)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> sessions(pool) == 1);
            List<Alert> fired = new CopyOnWriteArrayList<>();
            Alerts alerts = Alerts.on(stats).add(AlertRule.errorRateAbove(0.10), AlertListener.of(fired::add, a -> { }));

            for (int i = 0; i < 20; i++) {
                pool.callTool("tk", "echo", Map.of("message", "m" + i));
            }
            for (int i = 0; i < 5; i++) {
                CallToolResult r = pool.callTool("tk", "fail", Map.of("message", "no " + i));
                assertThat(r.failed()).isTrue();
            }
            CallOptions quick = CallOptions.builder().timeout(Duration.ofMillis(200)).build();
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> pool.callTool("tk", "sleep", Map.of("ms", 5000), quick))
                        .isInstanceOf(CallTimeoutException.class);
            }

            // exact when the calls have returned: calls are counted before their callers see them
            ServerMetrics server = stats.serverMetrics("tk");
            WindowStats w = server.window();
            assertThat(w.calls()).isEqualTo(28);
            assertThat(w.successes()).isEqualTo(20);
            assertThat(w.toolErrors()).isEqualTo(5);
            assertThat(w.failures()).isEqualTo(3);
            assertThat(w.errors()).isEqualTo(3);
            assertThat(w.errorRate()).isEqualTo(3 / 28.0);
            assertThat(w.toolErrorRate()).isEqualTo(5 / 28.0);
            assertThat(w.errorsByType()).containsExactly(Map.entry("timeout", 3L), Map.entry("tool_error", 5L));
            assertThat(w.acquires()).isEqualTo(28);
            assertThat(w.warmHitRatio()).isNotNull().isGreaterThan(0.5); // the session was open and had free slots
            assertThat(w.latency().maxMs()).isGreaterThanOrEqualTo(200);
            assertThat(w.latency().p99Ms()).isGreaterThan(150); // the timeouts are the slowest 3 of 28 (> 1%)
            assertThat(w.latency().p50Ms()).isLessThan(200);
            assertThat(server.totals()).isEqualTo(new Totals(28, 20, 5, 3));

            EndpointMetrics endpoint = server.endpoints().get(0);
            assertThat(endpoint.window()).isEqualTo(w);
            assertThat(endpoint.pool().sessions()).isEqualTo(1);
            assertThat(endpoint.pool().maxCapacity()).isEqualTo(PoolSettings.DEFAULTS.maxConcurrentRequests());
            assertThat(endpoint.breaker().state()).isEqualTo("closed");
            assertThat(endpoint.health().status()).isEqualTo("unknown");

            // 3 of 28 (10.7%) is at least 10%: degraded, and the reason says so
            HealthSummary summary = stats.healthSummary();
            assertThat(summary.status()).isEqualTo(HealthStatus.DEGRADED);
            assertThat(summary.degradedServers()).containsExactly("tk");
            HealthSummary.ServerHealth tk = summary.server("tk").orElseThrow();
            assertThat(tk.calls()).isEqualTo(28);
            assertThat(tk.errorRate()).isCloseTo(0.107, within(0.001));
            assertThat(tk.reasons()).containsExactly("error rate 10.7% >= 10% over the last 60 s (3 of 28 calls)");
            assertThat(tk.endpoints().get(0).pool().inFlight()).isZero();

            // the summary and the export are JSON with the same figures
            JsonNode json = Json.mapper().readTree(Json.mapper().writeValueAsString(summary));
            assertThat(json.path("status").asText()).isEqualTo("degraded");
            assertThat(json.path("takenAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
            JsonNode s = json.path("servers").path(0);
            assertThat(s.path("calls").asLong()).isEqualTo(28);
            assertThat(s.path("errorRate").asDouble()).isEqualTo(3 / 28.0);
            assertThat(s.path("latency").path("p95Ms").isNumber()).isTrue();
            assertThat(s.path("endpoints").path(0).path("breaker").path("state").asText()).isEqualTo("closed");
            JsonNode all = Json.mapper().readTree(stats.export("json"));
            JsonNode window = all.path("servers").path(0).path("window");
            assertThat(window.path("successes").asLong()).isEqualTo(20);
            assertThat(window.path("toolErrors").asLong()).isEqualTo(5);
            assertThat(window.path("errorsByType").path("timeout").asLong()).isEqualTo(3);
            assertThat(all.path("totals").path("calls").asLong()).isEqualTo(28);

            alerts.evaluate();
            alerts.evaluate();
            assertThat(fired).singleElement().satisfies(a -> {
                assertThat(a.server()).isEqualTo("tk");
                assertThat(a.value()).isEqualTo(3 / 28.0);
            });

            stats.reset();
            assertThat(stats.serverMetrics("tk").window().calls()).isZero();
            assertThat(stats.healthSummary().status()).isEqualTo(HealthStatus.HEALTHY);
        }
    }

    @Test
    void aServerThatCannotStartIsUnhealthyAndAlerts() {
        ServerConfig broken = ServerConfig.builder("broken",
                        stdio(List.of("/nonexistent/mcp-server-" + ProcessHandle.current().pid())))
                .pool(PoolSettings.builder().minSessions(1).maxSessions(1).acquireTimeout(Duration.ofSeconds(2)).build())
                .build();
        try (McpPool pool = McpPool.builder().server(broken).server(testkit("fine")).build();
             PoolStats stats = PoolStats.attach(pool)) {
            List<String> lines = new CopyOnWriteArrayList<>();
            Alerts alerts = Alerts.on(stats).add(AlertRule.endpointUnhealthy(),
                    AlertListener.of(a -> lines.add("fire " + a.server()), a -> lines.add("clear " + a.server())));
            // the pool retries opening in the background; each failure is an event that evaluates the rules
            await().atMost(Duration.ofSeconds(30)).until(() -> !lines.isEmpty());
            assertThatThrownBy(() -> pool.callTool("broken", "echo", Map.of("message", "x")))
                    .isInstanceOf(McpPoolException.class);
            await().atMost(Duration.ofSeconds(30)).until(() -> sessions(pool) == 0
                    && pool.snapshot().servers().get(1).endpoints().get(0).sessions() == 1);
            alerts.evaluate();
            assertThat(lines).containsExactly("fire broken");

            HealthSummary summary = stats.healthSummary();
            assertThat(summary.status()).isEqualTo(HealthStatus.UNHEALTHY);
            assertThat(summary.unhealthyServers()).containsExactly("broken");
            assertThat(summary.healthyServers()).containsExactly("fine");
            // Failed opens also count against the breaker, which opens after five of them: either may be listed too.
            assertThat(summary.server("broken").orElseThrow().reasons())
                    .anySatisfy(r -> assertThat(r).startsWith("no open session; the last attempt to open one failed: "))
                    .allSatisfy(r -> assertThat(r).containsAnyOf("no open session", "circuit breaker", "unhealthy"));
            EndpointMetrics e = stats.serverMetrics("broken").endpoints().get(0);
            assertThat(e.lifecycle().openFailing()).isTrue();
            assertThat(e.lifecycle().sessionOpenFailures()).isPositive();
            assertThat(e.window().errorsByType()).containsKey("connect_failure");
        }
    }

    @Test
    void aCrashingServerMakesACrashLoopAlert() {
        try (McpPool pool = McpPool.builder().server(testkit("crashy")).build();
             PoolStats stats = PoolStats.attach(pool)) {
            List<Alert> fired = new CopyOnWriteArrayList<>();
            Alerts.on(stats).add(AlertRule.crashLoop(3, Duration.ofMinutes(1)), AlertListener.of(fired::add, a -> { }));
            for (int i = 0; i < 3; i++) {
                await().atMost(Duration.ofSeconds(30)).until(() -> sessions(pool) == 1);
                assertThatThrownBy(() -> pool.callTool("crashy", "crash", Map.of("exitCode", 3)))
                        .isInstanceOf(McpPoolException.class);
                int exits = i + 1;
                await().atMost(Duration.ofSeconds(30)).until(() ->
                        stats.serverMetrics("crashy").endpoints().get(0).lifecycle().unexpectedExits() == exits);
            }
            // the third unexpected exit evaluated the rule: no evaluate() needed
            assertThat(fired).singleElement().satisfies(a -> {
                assertThat(a.name()).isEqualTo("crash_loop");
                assertThat(a.value()).isEqualTo(3);
            });
            EndpointMetrics e = stats.serverMetrics("crashy").endpoints().get(0);
            assertThat(e.lifecycle().lastExitCode()).isIn(3, -1); // -1 when the session saw EOF before the exit
            assertThat(e.lifecycle().sessionsClosed()).containsEntry("broken", 3L);
            assertThat(e.status()).isEqualTo(HealthStatus.DEGRADED);
            assertThat(e.reasons()).contains("crash loop: 3 unexpected process exits within 60 s");
        }
    }
}
