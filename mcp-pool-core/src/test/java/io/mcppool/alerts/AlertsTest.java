package io.mcppool.alerts;

import io.mcppool.status.HealthStatus;
import io.mcppool.status.BreakerState;
import static io.mcppool.stats.StatsFixture.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.call.ErrorType;
import io.mcppool.protocol.Json;
import io.mcppool.stats.StatsFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Acceptance 4 of issue 4: alert callbacks fire exactly once per crossing and once on clearing, with a
 * controllable clock. Every kind, repeated evaluations, flapping around the threshold, hysteresis.
 */
class AlertsTest {

    /** Records each callback as one line, and the alerts themselves. */
    static final class Recorder implements AlertListener {
        final List<String> lines = new CopyOnWriteArrayList<>();
        final List<Alert> alerts = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();

        @Override
        public void onFire(Alert alert) {
            record("fire", alert);
        }

        @Override
        public void onClear(Alert alert) {
            record("clear", alert);
        }

        private void record(String what, Alert a) {
            lines.add(what + " " + a.name() + " " + a.server() + (a.endpoint() == null ? "" : " " + a.endpoint()));
            alerts.add(a);
            threads.add(Thread.currentThread().getName());
        }

        Alert last() {
            return alerts.get(alerts.size() - 1);
        }
    }

    private static void evaluateTimes(Alerts alerts, int n) {
        for (int i = 0; i < n; i++) {
            alerts.evaluate();
        }
    }

    /** Server "s", endpoint "ep" with 10 slots at most, {@code inFlight} of them busy. */
    private static void inFlight(StatsFixture f, int n) {
        f.server("s", endpoint("ep", 3, n, null)).maxCapacity("s", "ep", 10);
    }

    // ------------------------------------------------------------------ utilization

    @Test
    void utilizationFiresOncePerCrossingAndClearsOnce() {
        StatsFixture f = new StatsFixture();
        inFlight(f, 5);
        Recorder r = new Recorder();
        Alerts alerts = Alerts.on(f.stats).add(AlertRule.utilizationAbove(0.80), r);

        evaluateTimes(alerts, 3);
        assertThat(r.lines).isEmpty();

        f.advance(Duration.ofSeconds(1));
        inFlight(f, 9);
        Instant crossedAt = f.clock.instant();
        evaluateTimes(alerts, 5);
        assertThat(r.lines).containsExactly("fire utilization s ep");
        Alert fired = r.last();
        assertThat(fired.kind()).isEqualTo(AlertKind.UTILIZATION);
        assertThat(fired.value()).isEqualTo(0.9);
        assertThat(fired.threshold()).isEqualTo(0.8);
        assertThat(fired.firedAt()).isEqualTo(crossedAt);
        assertThat(fired.clearedAt()).isNull();
        assertThat(fired.active()).isTrue();
        assertThat(fired.message()).isEqualTo("server 's' endpoint 'ep': saturation 90% > 80% (9 of 10 slots in flight)");
        assertThat(alerts.active()).containsExactly(fired);

        inFlight(f, 10); // further up: still the same crossing
        evaluateTimes(alerts, 3);
        assertThat(r.lines).hasSize(1);

        f.advance(Duration.ofSeconds(1));
        inFlight(f, 8); // exactly the threshold is not above it: clears
        evaluateTimes(alerts, 4);
        assertThat(r.lines).containsExactly("fire utilization s ep", "clear utilization s ep");
        Alert cleared = r.last();
        assertThat(cleared.firedAt()).isEqualTo(crossedAt);
        assertThat(cleared.clearedAt()).isEqualTo(f.clock.instant());
        assertThat(cleared.value()).isEqualTo(0.8);
        assertThat(cleared.active()).isFalse();
        assertThat(alerts.active()).isEmpty();
    }

    @Test
    void flappingAroundTheThresholdFiresAndClearsOnEachCrossing() {
        StatsFixture f = new StatsFixture();
        inFlight(f, 0);
        Recorder r = new Recorder();
        Alerts alerts = Alerts.on(f.stats).add(AlertRule.utilizationAbove(0.80), r);
        int[] series = {9, 7, 9, 9, 7, 7, 9, 8, 9, 10, 1};
        for (int v : series) {
            inFlight(f, v);
            f.advance(Duration.ofMillis(100));
            evaluateTimes(alerts, 2);
        }
        assertThat(r.lines).containsExactly(
                "fire utilization s ep", "clear utilization s ep",   // 9, 7
                "fire utilization s ep", "clear utilization s ep",   // 9 9, 7 7
                "fire utilization s ep", "clear utilization s ep",   // 9, 8
                "fire utilization s ep", "clear utilization s ep");  // 9 10, 1
    }

    @Test
    void hysteresisKeepsAFlappingValueFromFlapping() {
        StatsFixture f = new StatsFixture();
        inFlight(f, 0);
        Recorder r = new Recorder();
        Alerts alerts = Alerts.on(f.stats).add(AlertRule.utilizationAbove(0.80).clearAtOrBelow(0.50), r);
        int[] series = {9, 7, 9, 6, 9, 5, 7, 8, 9};
        List<Integer> linesAfter = new java.util.ArrayList<>();
        for (int v : series) {
            inFlight(f, v);
            alerts.evaluate();
            linesAfter.add(r.lines.size());
        }
        // fires at the first 9, clears only at 5, fires again at the last 9
        assertThat(linesAfter).containsExactly(1, 1, 1, 1, 1, 2, 2, 2, 3);
        assertThat(r.lines).containsExactly("fire utilization s ep", "clear utilization s ep", "fire utilization s ep");
    }

    @Test
    void utilizationIsWatchedPerEndpoint() {
        StatsFixture f = new StatsFixture();
        f.server("s", endpoint("a", 3, 9, null), endpoint("b", 3, 1, null)).maxCapacity("s", "a", 10)
                .maxCapacity("s", "b", 10);
        Recorder r = new Recorder();
        Alerts alerts = Alerts.on(f.stats).add(AlertRule.utilizationAbove(0.80), r);
        alerts.evaluate();
        f.server("s", endpoint("a", 3, 9, null), endpoint("b", 3, 10, null));
        alerts.evaluate();
        f.server("s", endpoint("a", 3, 0, null), endpoint("b", 3, 10, null));
        alerts.evaluate();
        assertThat(r.lines).containsExactly("fire utilization s a", "fire utilization s b", "clear utilization s a");
    }

    // ------------------------------------------------------------------ error rate

    @Test
    void errorRateFiresOnceAndClearsWhenTheWindowForgetsTheErrors() {
        StatsFixture f = new StatsFixture().server("s");
        Recorder r = new Recorder();
        Alerts alerts = Alerts.on(f.stats).add(AlertRule.errorRateAbove(0.20), r);

        f.failures("s", 5, ErrorType.TIMEOUT); // 100%, but over 5 calls: fewer than minCalls (10)
        evaluateTimes(alerts, 3);
        assertThat(r.lines).isEmpty();

        f.ok("s", 5); // 5 of 10 = 50%
        evaluateTimes(alerts, 3);
        assertThat(r.lines).containsExactly("fire error_rate s");
        assertThat(r.last().endpoint()).isNull();
        assertThat(r.last().value()).isEqualTo(0.5);
        assertThat(r.last().message()).isEqualTo("server 's': error rate 50% > 20% over the last 60 s (5 of 10 calls)");

        f.advance(Duration.ofSeconds(59));
        evaluateTimes(alerts, 3);
        assertThat(r.lines).hasSize(1);
        f.advance(Duration.ofSeconds(1)); // the window is empty: rate 0
        evaluateTimes(alerts, 3);
        assertThat(r.lines).containsExactly("fire error_rate s", "clear error_rate s");
        assertThat(r.last().value()).isZero();
    }

    @Test
    void errorRateCrossesAgainAsTheWindowSlides() {
        StatsFixture f = new StatsFixture().server("s");
        Recorder r = new Recorder();
        Alerts alerts = Alerts.on(f.stats).add(AlertRule.errorRateAbove(0.20), r);
        f.failures("s", 10, ErrorType.TRANSPORT_FAILURE); // t = 0: 100%
        alerts.evaluate();
        f.advance(Duration.ofSeconds(30)).ok("s", 90); // t = 30: 10 of 100 = 10%
        alerts.evaluate();
        f.advance(Duration.ofSeconds(30)); // t = 60: the failures left; 0 of 90
        alerts.evaluate();
        f.failures("s", 30, ErrorType.TIMEOUT); // 30 of 120 = 25%
        alerts.evaluate();
        f.ok("s", 30); // 30 of 150 = 20%: at the threshold, so it clears
        alerts.evaluate();
        f.failures("s", 1, ErrorType.TIMEOUT); // 31 of 151
        alerts.evaluate();
        evaluateTimes(alerts, 3);
        assertThat(r.lines).containsExactly("fire error_rate s", "clear error_rate s", "fire error_rate s",
                "clear error_rate s", "fire error_rate s");
    }

    @Test
    void fewerCallsThanMinCallsDoNotClearAHighRate() {
        StatsFixture f = new StatsFixture().server("s");
        Recorder r = new Recorder();
        Alerts alerts = Alerts.on(f.stats).add(AlertRule.errorRateAbove(0.20), r);
        f.failures("s", 5, ErrorType.TIMEOUT); // t = 0
        f.advance(Duration.ofSeconds(30)).failures("s", 5, ErrorType.TIMEOUT); // t = 30: 10 of 10
        alerts.evaluate();
        f.advance(Duration.ofSeconds(30)); // t = 60: 5 of 5, fewer than minCalls, still 100%
        alerts.evaluate();
        assertThat(r.lines).containsExactly("fire error_rate s");
        f.advance(Duration.ofSeconds(30)); // t = 90: nothing left
        alerts.evaluate();
        assertThat(r.lines).containsExactly("fire error_rate s", "clear error_rate s");
    }

    @Test
    void errorRateIsPerServerAndRulesCanBeLimitedToServers() {
        StatsFixture f = new StatsFixture().server("a").server("b").server("c");
        Recorder all = new Recorder();
        Recorder onlyC = new Recorder();
        Alerts alerts = Alerts.on(f.stats).add(AlertRule.errorRateAbove(0.5).minCalls(2), all)
                .add(AlertRule.errorRateAbove(0.5).minCalls(2).forServers("c").named("c-errors"), onlyC);
        f.ok("a", 10).failures("b", 2, ErrorType.TIMEOUT).failures("c", 2, ErrorType.TIMEOUT);
        alerts.evaluate();
        assertThat(all.lines).containsExactly("fire error_rate b", "fire error_rate c");
        assertThat(onlyC.lines).containsExactly("fire c-errors c");
    }

    // ------------------------------------------------------------------ breaker

    @Test
    void breakerOpenFiresOnTheEventItselfAndClearsWhenClosed() {
        StatsFixture f = new StatsFixture().server("s");
        Recorder r = new Recorder();
        Alerts alerts = Alerts.on(f.stats).add(AlertRule.breakerOpen(), r);

        f.stats.breakerStateChanged("s", "ep", BreakerState.CLOSED, BreakerState.OPEN); // no evaluate(): the event evaluates
        assertThat(r.lines).containsExactly("fire breaker_open s ep");
        assertThat(r.last().value()).isEqualTo(1);
        assertThat(r.last().message()).isEqualTo("server 's' endpoint 'ep': circuit breaker open");
        evaluateTimes(alerts, 3);
        f.stats.breakerStateChanged("s", "ep", BreakerState.OPEN, BreakerState.HALF_OPEN); // still failing over: keeps firing
        f.stats.breakerStateChanged("s", "ep", BreakerState.HALF_OPEN, BreakerState.OPEN);
        assertThat(r.lines).hasSize(1);
        f.stats.breakerStateChanged("s", "ep", BreakerState.OPEN, BreakerState.HALF_OPEN);
        f.stats.breakerStateChanged("s", "ep", BreakerState.HALF_OPEN, BreakerState.CLOSED);
        evaluateTimes(alerts, 3);
        assertThat(r.lines).containsExactly("fire breaker_open s ep", "clear breaker_open s ep");
        assertThat(r.last().value()).isZero();

        f.advance(Duration.ofMinutes(1));
        f.stats.breakerStateChanged("s", "ep", BreakerState.CLOSED, BreakerState.FORCED_OPEN);
        f.stats.breakerStateChanged("s", "ep", BreakerState.FORCED_OPEN, BreakerState.DISABLED);
        assertThat(r.lines).containsExactly("fire breaker_open s ep", "clear breaker_open s ep",
                "fire breaker_open s ep", "clear breaker_open s ep");
        assertThat(r.alerts.get(2).firedAt()).isEqualTo(f.clock.instant());
    }

    // ------------------------------------------------------------------ endpoint unhealthy

    @Test
    void endpointUnhealthyFollowsTheStatusRule() {
        StatsFixture f = new StatsFixture().server("s");
        Recorder r = new Recorder();
        Alerts alerts = Alerts.on(f.stats).add(AlertRule.endpointUnhealthy(), r);

        f.stats.healthChanged("s", "ep", HealthStatus.HEALTHY, HealthStatus.UNHEALTHY, "3 pings failed");
        assertThat(r.lines).containsExactly("fire endpoint_unhealthy s ep");
        assertThat(r.last().message()).isEqualTo(
                "server 's' endpoint 'ep' is unhealthy: health check reports unhealthy: 3 pings failed");
        f.stats.healthChanged("s", "ep", HealthStatus.UNHEALTHY, HealthStatus.DEGRADED, "slow"); // degraded is not unhealthy
        assertThat(r.lines).containsExactly("fire endpoint_unhealthy s ep", "clear endpoint_unhealthy s ep");
        assertThat(r.last().message()).isEqualTo("server 's' endpoint 'ep' is degraded: health check reports degraded: slow");
        f.stats.healthChanged("s", "ep", HealthStatus.DEGRADED, HealthStatus.HEALTHY, null);
        evaluateTimes(alerts, 2);
        assertThat(r.lines).hasSize(2);

        // the process cannot start: no session, and the open failed
        f.server("s", endpoint("ep", 0, 0, "cannot start '/nope'"));
        f.stats.sessionOpenFailed("s", "ep", new IllegalStateException("cannot start '/nope'"));
        f.stats.sessionOpenFailed("s", "ep", new IllegalStateException("cannot start '/nope'")); // backoff retry
        evaluateTimes(alerts, 2);
        assertThat(r.lines).containsExactly("fire endpoint_unhealthy s ep", "clear endpoint_unhealthy s ep",
                "fire endpoint_unhealthy s ep");
        f.server("s", endpoint("ep", 1, 0, null));
        f.stats.sessionOpened("s", "ep", "2025-11-25");
        assertThat(r.lines).containsExactly("fire endpoint_unhealthy s ep", "clear endpoint_unhealthy s ep",
                "fire endpoint_unhealthy s ep", "clear endpoint_unhealthy s ep");

        // and by error rate, which only evaluate() sees
        f.failures("s", 10, ErrorType.TIMEOUT);
        assertThat(r.lines).hasSize(4);
        alerts.evaluate();
        assertThat(r.lines).hasSize(5);
        f.advance(Duration.ofSeconds(60));
        alerts.evaluate();
        assertThat(r.lines).hasSize(6).endsWith("clear endpoint_unhealthy s ep");
    }

    // ------------------------------------------------------------------ crash loop

    @Test
    void crashLoopFiresAtTheNthExitWithinThePeriodAndClearsAsExitsAge() {
        StatsFixture f = new StatsFixture().server("s");
        Recorder r = new Recorder();
        Alerts alerts = Alerts.on(f.stats).add(AlertRule.crashLoop(3, Duration.ofSeconds(60)), r);

        f.stats.processExited("s", "ep", 1, 1, false); // t = 0
        f.advance(Duration.ofSeconds(10));
        f.stats.processExited("s", "ep", 2, 0, true); // expected: not a crash
        f.stats.processExited("s", "ep", 3, 1, false); // t = 10
        assertThat(r.lines).isEmpty();
        f.advance(Duration.ofSeconds(10));
        f.stats.processExited("s", "ep", 4, 137, false); // t = 20: the third within 60 s
        assertThat(r.lines).containsExactly("fire crash_loop s ep");
        assertThat(r.last().value()).isEqualTo(3);
        assertThat(r.last().threshold()).isEqualTo(3);
        assertThat(r.last().message()).isEqualTo("server 's' endpoint 'ep': 3 unexpected process exits within 60 s");
        f.advance(Duration.ofSeconds(10));
        f.stats.processExited("s", "ep", 5, 1, false); // t = 30: a fourth, same crossing
        evaluateTimes(alerts, 3);
        assertThat(r.lines).hasSize(1);

        f.advance(Duration.ofSeconds(29)); // t = 59: all four within 60 s
        alerts.evaluate();
        f.advance(Duration.ofSeconds(1)); // t = 60: the first is out; 3 remain
        alerts.evaluate();
        assertThat(r.lines).hasSize(1);
        f.advance(Duration.ofSeconds(10)); // t = 70: 2 remain (t = 20, 30)
        evaluateTimes(alerts, 3);
        assertThat(r.lines).containsExactly("fire crash_loop s ep", "clear crash_loop s ep");
        assertThat(r.last().value()).isEqualTo(2);

        // exits further apart than the period never make a loop
        for (int i = 0; i < 5; i++) {
            f.advance(Duration.ofSeconds(31));
            f.stats.processExited("s", "ep", 10 + i, 1, false);
            alerts.evaluate();
        }
        assertThat(r.lines).hasSize(2);
        // and three close together do again
        f.stats.processExited("s", "ep", 20, 1, false);
        assertThat(r.lines).containsExactly("fire crash_loop s ep", "clear crash_loop s ep", "fire crash_loop s ep");
    }

    // ------------------------------------------------------------------ all together

    @Test
    void everyKindAtOnceEachWithItsOwnState() {
        StatsFixture f = new StatsFixture();
        inFlight(f, 0);
        Recorder r = new Recorder();
        Alerts alerts = Alerts.on(f.stats)
                .add(AlertRule.utilizationAbove(0.8), r)
                .add(AlertRule.errorRateAbove(0.2), r)
                .add(AlertRule.breakerOpen(), r)
                .add(AlertRule.endpointUnhealthy(), r)
                .add(AlertRule.crashLoop(2, Duration.ofSeconds(30)), r);
        inFlight(f, 9);
        f.failures("s", 10, ErrorType.TIMEOUT); // error rate 100%: also unhealthy by the rule
        alerts.evaluate();
        f.stats.breakerStateChanged("s", "ep", BreakerState.CLOSED, BreakerState.OPEN);
        f.stats.processExited("s", "ep", 1, 1, false);
        f.stats.processExited("s", "ep", 2, 1, false);
        evaluateTimes(alerts, 3);
        assertThat(r.lines).containsExactly("fire utilization s ep", "fire error_rate s", "fire endpoint_unhealthy s ep",
                "fire breaker_open s ep", "fire crash_loop s ep");
        assertThat(alerts.active()).extracting(Alert::kind).containsExactly(AlertKind.UTILIZATION,
                AlertKind.ERROR_RATE, AlertKind.BREAKER_OPEN, AlertKind.ENDPOINT_UNHEALTHY, AlertKind.CRASH_LOOP);

        inFlight(f, 1);
        f.stats.breakerStateChanged("s", "ep", BreakerState.OPEN, BreakerState.CLOSED); // evaluates everything: utilization clears too
        f.advance(Duration.ofSeconds(60)); // errors and crashes age out
        evaluateTimes(alerts, 3);
        assertThat(r.lines.subList(5, r.lines.size())).containsExactly("clear utilization s ep",
                "clear breaker_open s ep", "clear error_rate s", "clear endpoint_unhealthy s ep",
                "clear crash_loop s ep");
        assertThat(alerts.active()).isEmpty();
    }

    @Test
    void aThrowingListenerNeitherRefiresNorStopsOthers() {
        StatsFixture f = new StatsFixture();
        inFlight(f, 9);
        Recorder r = new Recorder();
        List<String> thrown = new CopyOnWriteArrayList<>();
        AlertListener broken = AlertListener.of(a -> {
            thrown.add("fire");
            throw new IllegalStateException("boom");
        }, a -> {
            thrown.add("clear");
            throw new IllegalStateException("boom");
        });
        Alerts alerts = Alerts.on(f.stats).add(AlertRule.utilizationAbove(0.8), broken)
                .add(AlertRule.utilizationAbove(0.8), r);
        evaluateTimes(alerts, 3);
        inFlight(f, 1);
        evaluateTimes(alerts, 3);
        assertThat(thrown).containsExactly("fire", "clear");
        assertThat(r.lines).containsExactly("fire utilization s ep", "clear utilization s ep");
    }

    @Test
    void anAlertOfAServerThatLeftThePoolClears() {
        StatsFixture f = new StatsFixture().server("s").server("t");
        Recorder r = new Recorder();
        Alerts alerts = Alerts.on(f.stats).add(AlertRule.breakerOpen(), r);
        f.stats.breakerStateChanged("t", "ep", BreakerState.CLOSED, BreakerState.OPEN);
        f.removeServer("t");
        alerts.evaluate();
        assertThat(r.lines).containsExactly("fire breaker_open t ep", "clear breaker_open t ep");
        assertThat(r.last().message()).contains("no longer watched");
    }

    @Test
    void aRemovedListenerIsToldNothingMore() {
        StatsFixture f = new StatsFixture().server("s");
        Recorder r = new Recorder();
        Alerts alerts = Alerts.on(f.stats).add(AlertRule.breakerOpen(), r);
        assertThat(alerts.remove(r)).isTrue();
        f.stats.breakerStateChanged("s", "ep", BreakerState.CLOSED, BreakerState.OPEN);
        alerts.evaluate();
        assertThat(r.lines).isEmpty();
        assertThat(alerts.active()).isEmpty();
    }

    @Test
    void alertsSerialiseToJson() throws Exception {
        StatsFixture f = new StatsFixture().server("s");
        Recorder r = new Recorder();
        Alerts.on(f.stats).add(AlertRule.breakerOpen().named("breaker"), r);
        f.stats.breakerStateChanged("s", "ep", BreakerState.CLOSED, BreakerState.OPEN);
        JsonNode json = Json.mapper().readTree(Json.mapper().writeValueAsString(r.last()));
        assertThat(json.path("name").asText()).isEqualTo("breaker");
        assertThat(json.path("kind").asText()).isEqualTo("breaker_open");
        assertThat(json.path("server").asText()).isEqualTo("s");
        assertThat(json.path("endpoint").asText()).isEqualTo("ep");
        assertThat(json.path("value").asDouble()).isEqualTo(1.0);
        assertThat(json.path("threshold").asDouble()).isEqualTo(1.0);
        assertThat(json.path("firedAt").asText()).isEqualTo("2025-01-01T00:00:00Z");
        assertThat(json.has("clearedAt")).isFalse();
    }

    @Test
    void rulesCheckTheirArguments() {
        assertThatThrownBy(() -> AlertRule.utilizationAbove(80)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0.8 = 80%");
        assertThatThrownBy(() -> AlertRule.breakerOpen().clearAtOrBelow(0.5)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> AlertRule.utilizationAbove(0.5).clearAtOrBelow(0.6))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AlertRule.utilizationAbove(0.5).minCalls(3)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> AlertRule.crashLoop(0, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(AlertRule.errorRateAbove(0.2).minCalls()).isEqualTo(AlertRule.DEFAULT_MIN_CALLS);
    }

    // ------------------------------------------------------------------ scheduling

    /** The executor's queued tasks that may still run. */
    private static java.util.List<Runnable> live(ScheduledThreadPoolExecutor executor) {
        return executor.getQueue().stream()
                .filter(t -> !(t instanceof java.util.concurrent.Future<?> f && f.isCancelled())).toList();
    }

    @Test
    void scheduledEvaluationRunsOnTheExecutorAndStopsOnClose() throws Exception {
        StatsFixture f = new StatsFixture();
        inFlight(f, 0);
        Recorder r = new Recorder();
        AtomicInteger runs = new AtomicInteger(); // tasks the scheduler ran: evaluations, and markers
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1,
                task -> new Thread(task, "alerts-test-scheduler")) {
            @Override
            protected void afterExecute(Runnable task, Throwable t) {
                runs.incrementAndGet();
            }
        };
        executor.setRemoveOnCancelPolicy(true);
        try {
            Alerts alerts = Alerts.on(f.stats).add(AlertRule.utilizationAbove(0.8), r).add(AlertRule.breakerOpen(), r)
                    .scheduleOn(executor, Duration.ofMillis(10));
            inFlight(f, 9);
            await().atMost(Duration.ofSeconds(5)).until(() -> r.lines.size() == 1);
            // an event-triggered evaluation runs on the executor too, not on the event's thread
            f.stats.breakerStateChanged("s", "ep", BreakerState.CLOSED, BreakerState.OPEN);
            await().atMost(Duration.ofSeconds(5)).until(() -> r.lines.size() == 2);
            assertThat(r.threads).containsOnly("alerts-test-scheduler");
            int seen = runs.get();
            await().atMost(Duration.ofSeconds(30)).until(() -> runs.get() >= seen + 10); // many evaluations
            assertThat(r.lines).as("still one alert each").containsExactly("fire utilization s ep", "fire breaker_open s ep");

            alerts.close();
            // One thread runs the scheduler's tasks in turn: once this one has run, an evaluation that was running
            // when close() came has ended, and the cancelled schedule has left the queue.
            // A periodic task cancelled in the instant between its run and its re-queueing goes back into the queue
            // cancelled (the JDK's executor removes it only when it comes due): that is not a schedule.
            executor.submit(() -> { }).get(5, TimeUnit.SECONDS);
            assertThat(live(executor)).as("nothing scheduled after close").isEmpty();
            inFlight(f, 0);
            f.stats.breakerStateChanged("s", "ep", BreakerState.OPEN, BreakerState.CLOSED); // would queue an evaluation if still listening
            executor.submit(() -> { }).get(5, TimeUnit.SECONDS);
            assertThat(live(executor)).isEmpty();
            assertThat(r.lines).hasSize(2);
        } finally {
            executor.shutdownNow();
        }
    }
}
