package io.mcppool.stats;

import io.mcppool.status.BreakerState;
import io.mcppool.status.HealthStatus;
import static io.mcppool.status.HealthStatus.DEGRADED;
import static io.mcppool.status.HealthStatus.HEALTHY;
import static io.mcppool.status.HealthStatus.UNHEALTHY;
import static io.mcppool.stats.StatsFixture.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mcppool.call.ErrorType;
import io.mcppool.events.CallOutcome;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The status rule of HealthRules, row by row: one server "s" with one endpoint "ep", unless a row says otherwise. */
class HealthRulesTest {

    private static Arguments row(String name, Consumer<StatsFixture> setup, HealthStatus expected, String reason) {
        return Arguments.of(name, setup, expected, reason);
    }

    static Stream<Arguments> endpointRows() {
        return Stream.of(
                row("sessions open, nothing reported", f -> { }, HEALTHY, null),
                row("no session, none failed (a lazy pool)", f -> f.server("s", endpoint("ep", 0, 0, null)), HEALTHY, null),
                row("health check healthy", f -> f.stats.healthChanged("s", "ep", HealthStatus.UNKNOWN, HealthStatus.HEALTHY, "ok"), HEALTHY, null),
                row("health check degraded", f -> f.stats.healthChanged("s", "ep", HealthStatus.HEALTHY, HealthStatus.DEGRADED, "slow pings"),
                        DEGRADED, "health check reports degraded: slow pings"),
                row("health check unhealthy", f -> f.stats.healthChanged("s", "ep", HealthStatus.HEALTHY, HealthStatus.UNHEALTHY, "3 pings failed"),
                        UNHEALTHY, "health check reports unhealthy: 3 pings failed"),
                row("health back to healthy", f -> {
                    f.stats.healthChanged("s", "ep", HealthStatus.HEALTHY, HealthStatus.UNHEALTHY, "x");
                    f.stats.healthChanged("s", "ep", HealthStatus.UNHEALTHY, HealthStatus.HEALTHY, "ok");
                }, HEALTHY, null),
                row("breaker open", f -> f.stats.breakerStateChanged("s", "ep", BreakerState.CLOSED, BreakerState.OPEN), UNHEALTHY,
                        "circuit breaker is open"),
                row("breaker forced open", f -> f.stats.breakerStateChanged("s", "ep", BreakerState.CLOSED, BreakerState.FORCED_OPEN), UNHEALTHY,
                        "circuit breaker is forced_open"),
                row("breaker half open", f -> f.stats.breakerStateChanged("s", "ep", BreakerState.OPEN, BreakerState.HALF_OPEN), DEGRADED,
                        "circuit breaker is half_open"),
                row("breaker closed again", f -> {
                    f.stats.breakerStateChanged("s", "ep", BreakerState.CLOSED, BreakerState.OPEN);
                    f.stats.breakerStateChanged("s", "ep", BreakerState.HALF_OPEN, BreakerState.CLOSED);
                }, HEALTHY, null),
                row("breaker disabled", f -> f.stats.breakerStateChanged("s", "ep", BreakerState.CLOSED, BreakerState.DISABLED), HEALTHY, null),
                row("no session and the last open failed", f -> f.server("s", endpoint("ep", 0, 0, "cannot start 'x'")),
                        UNHEALTHY, "no open session; the last attempt to open one failed: cannot start 'x'"),
                row("sessions open but the last open failed", f -> f.server("s", endpoint("ep", 1, 0, "handshake timed out")),
                        DEGRADED, "the last attempt to open a session failed: handshake timed out"),
                row("error rate 9% over 100 calls", f -> f.ok("s", 91).failures("s", 9, ErrorType.TIMEOUT), HEALTHY, null),
                row("error rate 10% over 100 calls", f -> f.ok("s", 90).failures("s", 10, ErrorType.TIMEOUT), DEGRADED,
                        "error rate 10% >= 10% over the last 60 s (10 of 100 calls)"),
                row("error rate 49% over 100 calls", f -> f.ok("s", 51).failures("s", 49, ErrorType.TRANSPORT_FAILURE),
                        DEGRADED, "error rate 49% >= 10%"),
                row("error rate 50% over 100 calls", f -> f.ok("s", 50).failures("s", 50, ErrorType.TRANSPORT_FAILURE),
                        UNHEALTHY, "error rate 50% >= 50% over the last 60 s (50 of 100 calls)"),
                row("error rate 100% over 9 calls (fewer than minCalls)", f -> f.failures("s", 9, ErrorType.TIMEOUT),
                        HEALTHY, null),
                row("error rate 100% over 10 calls", f -> f.failures("s", 10, ErrorType.TIMEOUT), UNHEALTHY,
                        "error rate 100% >= 50%"),
                row("failures older than the window", f -> f.failures("s", 50, ErrorType.TIMEOUT)
                        .advance(Duration.ofSeconds(60)), HEALTHY, null),
                row("only tool errors", f -> f.toolErrors("s", 50), HEALTHY, null),
                row("only cancelled and invalid requests", f -> f.failures("s", 20, ErrorType.CANCELLED)
                        .failures("s", 20, ErrorType.INVALID_REQUEST), HEALTHY, null),
                row("saturation 85%", f -> f.server("s", endpoint("ep", 5, 17, null)).maxCapacity("s", "ep", 20),
                        HEALTHY, null),
                row("saturation 90%", f -> f.server("s", endpoint("ep", 5, 18, null)).maxCapacity("s", "ep", 20),
                        DEGRADED, "saturation 90% >= 90% (18 of 20 slots in flight)"),
                row("open sessions full but the pool may grow (utilization 100%, saturation 25%)",
                        f -> f.server("s", endpoint("ep", 1, 4, null)).maxCapacity("s", "ep", 16), HEALTHY, null),
                row("two unexpected exits within 60 s", f -> exits(f, 2, Duration.ofSeconds(10)), HEALTHY, null),
                row("three unexpected exits within 60 s", f -> exits(f, 3, Duration.ofSeconds(10)), DEGRADED,
                        "crash loop: 3 unexpected process exits within 60 s"),
                row("three unexpected exits spread over more than 60 s", f -> exits(f, 3, Duration.ofSeconds(31)),
                        HEALTHY, null),
                row("expected exits are not crashes", f -> {
                    for (int i = 0; i < 5; i++) {
                        f.stats.processExited("s", "ep", i, 0, true);
                    }
                }, HEALTHY, null),
                row("unhealthy wins over degraded, and both reasons are given", f -> {
                    f.stats.breakerStateChanged("s", "ep", BreakerState.CLOSED, BreakerState.OPEN);
                    f.stats.healthChanged("s", "ep", HealthStatus.HEALTHY, HealthStatus.DEGRADED, "slow");
                }, UNHEALTHY, "health check reports degraded: slow"));
    }

    private static void exits(StatsFixture f, int n, Duration apart) {
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                f.advance(apart);
            }
            f.stats.processExited("s", "ep", i, 1, false);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpointRows")
    void endpointStatus(String name, Consumer<StatsFixture> setup, HealthStatus expected, String reason) {
        StatsFixture f = new StatsFixture().server("s");
        setup.accept(f);
        EndpointMetrics e = f.endpointMetrics("s", "ep");
        assertThat(e.status()).as(name).isEqualTo(expected);
        if (reason == null) {
            assertThat(e.reasons()).isEmpty();
        } else {
            assertThat(e.reasons()).anySatisfy(r -> assertThat(r).startsWith(reason));
        }
        // one endpoint: the server has the same status and reasons, and so has the pool
        ServerMetrics s = f.stats.serverMetrics("s");
        assertThat(s.status()).isEqualTo(expected);
        assertThat(s.reasons()).containsExactlyElementsOf(e.reasons());
        HealthSummary summary = f.stats.healthSummary();
        assertThat(summary.status()).isEqualTo(expected);
        if (expected != HEALTHY) {
            assertThat(summary.reasons()).containsExactly("server 's' is " + expected.tagValue());
        }
    }

    @Test
    void aServerWithSeveralEndpointsIsUnhealthyOnlyWhenAllAre() {
        StatsFixture f = new StatsFixture().server("s", endpoint("a", 1, 0, null), endpoint("b", 1, 0, null));
        assertThat(f.stats.serverMetrics("s").status()).isEqualTo(HEALTHY);
        f.stats.breakerStateChanged("s", "a", BreakerState.CLOSED, BreakerState.OPEN);
        ServerMetrics one = f.stats.serverMetrics("s");
        assertThat(one.status()).isEqualTo(DEGRADED);
        assertThat(one.reasons()).containsExactly("1 of 2 endpoints are unhealthy", "endpoint 'a': circuit breaker is open");
        f.stats.healthChanged("s", "b", HealthStatus.HEALTHY, HealthStatus.UNHEALTHY, "no pong");
        ServerMetrics both = f.stats.serverMetrics("s");
        assertThat(both.status()).isEqualTo(UNHEALTHY);
        assertThat(both.reasons()).containsExactly("all 2 endpoints are unhealthy",
                "endpoint 'a': circuit breaker is open", "endpoint 'b': health check reports unhealthy: no pong");
    }

    @Test
    void aServersOwnErrorRateCountsCallsWithoutAnEndpoint() {
        StatsFixture f = new StatsFixture().server("s");
        f.ok("s", 10);
        // 10 calls failed before an endpoint was picked: the endpoint saw 10 successes only
        f.calls("s", null, 10, CallOutcome.FAILURE, ErrorType.POOL_EXHAUSTED, Duration.ofMillis(1));
        assertThat(f.endpointMetrics("s", "ep").status()).isEqualTo(HEALTHY);
        ServerMetrics s = f.stats.serverMetrics("s");
        assertThat(s.status()).isEqualTo(UNHEALTHY);
        assertThat(s.reasons()).containsExactly("error rate 50% >= 50% over the last 60 s (10 of 20 calls)");
    }

    @Test
    void overallIsTheWorstOfTheRequiredServers() {
        StatsFixture f = new StatsFixture().server("a").server("b").server("c");
        assertThat(f.stats.healthSummary().status()).isEqualTo(HEALTHY);
        f.stats.healthChanged("b", "ep", HealthStatus.HEALTHY, HealthStatus.DEGRADED, "slow");
        f.stats.breakerStateChanged("c", "ep", BreakerState.CLOSED, BreakerState.OPEN);
        HealthSummary summary = f.stats.healthSummary();
        assertThat(summary.status()).isEqualTo(UNHEALTHY);
        assertThat(summary.healthyServers()).containsExactly("a");
        assertThat(summary.degradedServers()).containsExactly("b");
        assertThat(summary.unhealthyServers()).containsExactly("c");
        assertThat(summary.reasons()).containsExactly("server 'b' is degraded", "server 'c' is unhealthy");
    }

    @Test
    void anOptionalServerLowersTheOverallStatusAtMostToDegraded() {
        StatsFixture f = new StatsFixture(StatsOptions.DEFAULTS.withRules(
                HealthRules.DEFAULTS.withOptionalServers(Set.of("c")))).server("a").server("c");
        f.stats.breakerStateChanged("c", "ep", BreakerState.CLOSED, BreakerState.OPEN);
        HealthSummary summary = f.stats.healthSummary();
        assertThat(summary.status()).isEqualTo(DEGRADED);
        assertThat(summary.reasons()).containsExactly("optional server 'c' is unhealthy");
        assertThat(summary.server("c").orElseThrow().required()).isFalse();
        assertThat(summary.server("c").orElseThrow().status()).isEqualTo(UNHEALTHY);
    }

    @Test
    void aPoolWithoutServersIsUnhealthy() {
        HealthSummary summary = new StatsFixture().stats.healthSummary();
        assertThat(summary.status()).isEqualTo(UNHEALTHY);
        assertThat(summary.reasons()).containsExactly("no servers configured");
    }

    @Test
    void thresholdsAreConfigurable() {
        HealthRules rules = HealthRules.DEFAULTS.withErrorRates(0.2, 0.9).withMinCalls(5).withDegradedSaturation(0.5)
                .withCrashLoop(2, Duration.ofMinutes(5));
        StatsFixture f = new StatsFixture(StatsOptions.DEFAULTS.withRules(rules)).server("s");
        f.ok("s", 4).failures("s", 1, ErrorType.TIMEOUT); // 20% over 5 calls
        assertThat(f.endpointMetrics("s", "ep").reasons()).containsExactly(
                "error rate 20% >= 20% over the last 60 s (1 of 5 calls)");
        f.stats.processExited("s", "ep", 1, 1, false);
        f.advance(Duration.ofMinutes(4));
        f.stats.processExited("s", "ep", 2, 1, false);
        assertThat(f.endpointMetrics("s", "ep").reasons()).containsExactly(
                "crash loop: 2 unexpected process exits within 300 s");
        assertThatThrownBy(() -> HealthRules.DEFAULTS.withErrorRates(10, 50))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0.1 = 10%");
    }

    @Test
    void reasonsNameTheFigures() {
        StatsFixture f = new StatsFixture().server("s");
        f.ok("s", 25).failures("s", 3, ErrorType.TIMEOUT);
        assertThat(f.stats.healthSummary().server("s").orElseThrow().reasons())
                .isEqualTo(List.of("error rate 10.7% >= 10% over the last 60 s (3 of 28 calls)"));
    }
}
