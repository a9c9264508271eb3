package io.mcppool.stats;

import io.mcppool.testing.ManualClock;
import io.mcppool.status.BreakerState;
import io.mcppool.status.HealthStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.call.ErrorType;
import io.mcppool.call.UnknownServerException;
import io.mcppool.events.CallOutcome;
import io.mcppool.events.SessionCloseReason;
import io.mcppool.protocol.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class PoolStatsTest {

    @Test
    void countsCallsByOutcomeAndErrorTypeAndRatesOnlyServerErrors() {
        StatsFixture f = new StatsFixture().server("s");
        f.ok("s", 20).toolErrors("s", 5).failures("s", 3, ErrorType.TIMEOUT).failures("s", 2, ErrorType.CANCELLED)
                .failures("s", 1, ErrorType.INVALID_REQUEST).failures("s", 1, ErrorType.POOL_EXHAUSTED);

        WindowStats w = f.stats.serverMetrics("s").window();
        assertThat(w.calls()).isEqualTo(32);
        assertThat(w.successes()).isEqualTo(20);
        assertThat(w.toolErrors()).isEqualTo(5);
        assertThat(w.failures()).isEqualTo(7);
        // cancelled and invalid_request are the caller's doing; tool errors are the tool's answer
        assertThat(w.errors()).isEqualTo(4);
        assertThat(w.errorRate()).isEqualTo(4 / 32.0);
        assertThat(w.toolErrorRate()).isEqualTo(5 / 32.0);
        assertThat(w.errorsByType()).containsExactly(Map.entry("timeout", 3L), Map.entry("tool_error", 5L),
                Map.entry("invalid_request", 1L), Map.entry("pool_exhausted", 1L), Map.entry("cancelled", 2L));
        assertThat(f.stats.serverMetrics("s").totals()).isEqualTo(new Totals(32, 20, 5, 7));
        assertThat(f.endpointMetrics("s", "ep").window()).isEqualTo(w);
    }

    @Test
    void aCallCountsUntilItsBucketLeavesTheWindow() {
        StatsFixture f = new StatsFixture().server("s"); // 60 s in 12 buckets of 5 s; the clock starts at 0
        f.ok("s", 1); // t = 0: the first bucket, [0, 5 s)
        f.advance(Duration.ofMillis(4_999)).ok("s", 1); // t = 4.999 s: the same bucket
        f.advance(Duration.ofMillis(1)).ok("s", 1); // t = 5 s: the second bucket
        f.advance(Duration.ofMillis(54_999)); // t = 59.999 s
        assertThat(calls(f)).isEqualTo(3);
        f.advance(Duration.ofMillis(1)); // t = 60 s: the first bucket is out, with both of its calls
        assertThat(calls(f)).isEqualTo(1);
        f.advance(Duration.ofMillis(4_999)); // t = 64.999 s
        assertThat(calls(f)).isEqualTo(1);
        f.advance(Duration.ofMillis(1)); // t = 65 s
        assertThat(calls(f)).isZero();
        assertThat(f.stats.serverMetrics("s").window().latency()).isNull();
        assertThat(f.stats.serverMetrics("s").window().errorRate()).isZero();
        // totals are not windowed
        assertThat(f.stats.serverMetrics("s").totals().calls()).isEqualTo(3);
    }

    @Test
    void theWindowSlidesBucketByBucketAndReusesItsSlots() {
        StatsFixture f = new StatsFixture().server("s");
        for (int i = 0; i < 12; i++) { // one call at the start of each bucket: t = 0, 5, ..., 55 s
            f.ok("s", i + 1);
            f.advance(Duration.ofSeconds(5));
        }
        // t = 60 s: the bucket of t = 0 (1 call) is out; 2 + 3 + ... + 12 remain
        assertThat(calls(f)).isEqualTo(77);
        f.ok("s", 100); // goes to the slot the first bucket had
        assertThat(calls(f)).isEqualTo(177);
        f.advance(Duration.ofSeconds(30)); // t = 90 s: buckets of t < 35 s are out
        assertThat(calls(f)).isEqualTo(8 + 9 + 10 + 11 + 12 + 100);
        f.advance(Duration.ofMinutes(10)); // long idle: every slot holds an old bucket
        assertThat(calls(f)).isZero();
        f.ok("s", 2);
        assertThat(calls(f)).isEqualTo(2);
    }

    @Test
    void aShorterWindowWithOtherBuckets() {
        StatsFixture f = new StatsFixture(StatsOptions.DEFAULTS.withWindow(Duration.ofSeconds(10), 10)).server("s");
        f.ok("s", 1).advance(Duration.ofMillis(9_999));
        assertThat(calls(f)).isEqualTo(1);
        f.advance(Duration.ofMillis(1));
        assertThat(calls(f)).isZero();
        assertThat(f.stats.allMetrics().windowSeconds()).isEqualTo(10);
    }

    private static long calls(StatsFixture f) {
        return f.stats.serverMetrics("s").window().calls();
    }

    @Test
    void percentilesAreWithinTheStatedAccuracy() {
        StatsFixture f = new StatsFixture().server("s");
        Random random = new Random(42);
        List<Long> nanos = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            // log-normal around 20 ms, from tens of µs to seconds
            long v = (long) (Math.exp(random.nextGaussian() * 1.5 + Math.log(20e6)));
            nanos.add(v);
            f.calls("s", "ep", 1, CallOutcome.SUCCESS, null, Duration.ofNanos(v));
        }
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        Latency l = f.stats.serverMetrics("s").window().latency();
        assertWithinAccuracy(l.p50Ms(), exact(sorted, 0.50));
        assertWithinAccuracy(l.p95Ms(), exact(sorted, 0.95));
        assertWithinAccuracy(l.p99Ms(), exact(sorted, 0.99));
        assertThat(l.maxMs()).isEqualTo(sorted[sorted.length - 1] / 1e6);
        assertThat(l.meanMs()).isCloseTo(Arrays.stream(sorted).average().orElseThrow() / 1e6, within(1e-6));
    }

    @Test
    void percentilesOfAKnownSequence() {
        StatsFixture f = new StatsFixture().server("s");
        for (int ms = 1; ms <= 1000; ms++) {
            f.calls("s", "ep", 1, CallOutcome.SUCCESS, null, Duration.ofMillis(ms));
        }
        Latency l = f.stats.serverMetrics("s").window().latency();
        assertWithinAccuracy(l.p50Ms(), 500);
        assertWithinAccuracy(l.p95Ms(), 950);
        assertWithinAccuracy(l.p99Ms(), 990);
        assertThat(l.maxMs()).isEqualTo(1000);
        assertThat(l.meanMs()).isEqualTo(500.5);
    }

    @Test
    void onePercentileSampleIsNeverReportedAboveTheMax() {
        StatsFixture f = new StatsFixture().server("s");
        f.calls("s", "ep", 1, CallOutcome.SUCCESS, null, Duration.ofNanos(5_000_400));
        Latency l = f.stats.serverMetrics("s").window().latency();
        assertThat(l.p99Ms()).isLessThanOrEqualTo(5.0004);
        assertWithinAccuracy(l.p50Ms(), 5.0004);
    }

    static double exact(long[] sortedNanos, double p) {
        int rank = (int) Math.max(1, Math.ceil(p * sortedNanos.length));
        return sortedNanos[rank - 1] / 1e6;
    }

    /** The documented accuracy: 3.2% or 1 µs, whichever is larger. */
    static void assertWithinAccuracy(double reportedMs, double exactMs) {
        assertThat(reportedMs).isCloseTo(exactMs, within(Math.max(exactMs * 0.032, 0.001)));
    }

    @Test
    void warmHitRatioCountsAcquiresThatDidNotWait() {
        StatsFixture f = new StatsFixture().server("s");
        assertThat(f.stats.serverMetrics("s").window().warmHitRatio()).isNull();
        for (int i = 0; i < 8; i++) {
            f.stats.acquireEnded(StatsFixture.call("s", "ep"), 20_000, true); // 20 µs: a free slot
        }
        f.stats.acquireEnded(StatsFixture.call("s", "ep"), 1_000_000, true); // exactly the threshold: still warm
        f.stats.acquireEnded(StatsFixture.call("s", "ep"), 50_000_000, true); // waited for a session to open
        f.stats.acquireEnded(StatsFixture.call("s", "ep"), 5_000_000_000L, false); // pool exhausted
        WindowStats w = f.stats.serverMetrics("s").window();
        assertThat(w.acquires()).isEqualTo(11);
        assertThat(w.warmAcquires()).isEqualTo(9);
        assertThat(w.warmHitRatio()).isEqualTo(9 / 11.0);
        f.advance(Duration.ofSeconds(60));
        assertThat(f.stats.serverMetrics("s").window().warmHitRatio()).isNull();
    }

    @Test
    void theWarmThresholdIsConfigurable() {
        StatsFixture f = new StatsFixture(StatsOptions.DEFAULTS.withWarmThreshold(Duration.ofMillis(100))).server("s");
        f.stats.acquireEnded(StatsFixture.call("s", "ep"), 50_000_000, true);
        assertThat(f.stats.serverMetrics("s").window().warmHitRatio()).isEqualTo(1.0);
    }

    @Test
    void callsThatEndedBeforeAnEndpointWasPickedCountForTheServerOnly() {
        StatsFixture f = new StatsFixture().server("s");
        f.ok("s", 2);
        f.calls("s", null, 1, CallOutcome.FAILURE, ErrorType.INVALID_REQUEST, Duration.ofMillis(3));
        ServerMetrics s = f.stats.serverMetrics("s");
        assertThat(s.window().calls()).isEqualTo(3);
        assertThat(s.endpoints()).extracting(EndpointMetrics::endpoint).containsExactly("ep");
        assertThat(s.endpoints().get(0).window().calls()).isEqualTo(2);
        assertThat(f.stats.allMetrics().window().calls()).isEqualTo(3);
    }

    @Test
    void breakerAndHealthAreTheLastReportedWithTheirTime() {
        StatsFixture f = new StatsFixture().server("s");
        EndpointMetrics fresh = f.endpointMetrics("s", "ep");
        assertThat(fresh.breaker()).isEqualTo(new EndpointMetrics.Breaker("closed", null));
        assertThat(fresh.health()).isEqualTo(new EndpointMetrics.Health("unknown", null, null));

        f.advance(Duration.ofSeconds(7));
        f.stats.breakerStateChanged("s", "ep", BreakerState.CLOSED, BreakerState.OPEN);
        f.stats.healthChanged("s", "ep", HealthStatus.HEALTHY, HealthStatus.UNHEALTHY, "3 pings failed");
        EndpointMetrics e = f.endpointMetrics("s", "ep");
        assertThat(e.breaker()).isEqualTo(new EndpointMetrics.Breaker("open", f.clock.instant()));
        assertThat(e.health()).isEqualTo(new EndpointMetrics.Health("unhealthy", "3 pings failed", f.clock.instant()));
    }

    @Test
    void sessionAndProcessEventsAreCounted() {
        StatsFixture f = new StatsFixture().server("s");
        f.stats.processStarted("s", "ep", 10);
        f.stats.sessionOpened("s", "ep", "2025-11-25");
        f.stats.sessionClosed("s", "ep", SessionCloseReason.BROKEN);
        f.stats.processExited("s", "ep", 10, 3, false);
        f.stats.sessionOpenFailed("s", "ep", new IllegalStateException("cannot start 'nope'"));
        f.stats.processStarted("s", "ep", 11);
        f.stats.sessionOpened("s", "ep", "2025-11-25");
        f.stats.processRestarted("s", "ep", 11, 1);
        f.stats.sessionClosed("s", "ep", SessionCloseReason.IDLE);
        f.stats.processExited("s", "ep", 11, 0, true);
        EndpointMetrics.Lifecycle l = f.endpointMetrics("s", "ep").lifecycle();
        assertThat(l.sessionsOpened()).isEqualTo(2);
        assertThat(l.sessionOpenFailures()).isEqualTo(1);
        assertThat(l.sessionsClosed()).containsExactly(Map.entry("idle", 1L), Map.entry("broken", 1L));
        assertThat(l.openFailing()).isFalse(); // a later open succeeded
        assertThat(l.lastOpenFailure()).isEqualTo("cannot start 'nope'");
        assertThat(l.processStarts()).isEqualTo(2);
        assertThat(l.unexpectedExits()).isEqualTo(1);
        assertThat(l.expectedExits()).isEqualTo(1);
        assertThat(l.recentUnexpectedExits()).isEqualTo(1);
        assertThat(l.restarts()).isEqualTo(1);
        assertThat(l.lastExitCode()).isZero();
    }

    @Test
    void failureMessagesAndHealthReasonsAreMaskedLikeLogLines() {
        StatsFixture f = new StatsFixture().server("s", StatsFixture.endpoint("ep", 0, 0,
                "cannot start 'server --token s3cr3t-value'"));
        f.stats.sessionOpenFailed("s", "ep", new IllegalStateException("cannot start 'server --token s3cr3t-value'"));
        f.stats.healthChanged("s", "ep", HealthStatus.HEALTHY, HealthStatus.UNHEALTHY, "GET https://user:pw@host/mcp?api_key=s3cr3t-value failed");
        String json = f.stats.export("json");
        assertThat(json).doesNotContain("s3cr3t").doesNotContain("user:pw").contains("--token ***");
        assertThat(f.stats.healthSummary().reasons()).isNotEmpty();
        assertThat(Json.mapper().valueToTree(f.stats.healthSummary()).toString()).doesNotContain("s3cr3t");
    }

    @Test
    void unexpectedExitsAreCountedWithinAPeriod() {
        StatsFixture f = new StatsFixture().server("s");
        f.stats.processExited("s", "ep", 1, 1, false);
        f.advance(Duration.ofSeconds(30));
        f.stats.processExited("s", "ep", 2, 1, false);
        f.stats.processExited("s", "ep", 3, 0, true); // expected: not a crash
        f.advance(Duration.ofSeconds(29));
        assertThat(f.stats.unexpectedExitsWithin("s", "ep", Duration.ofSeconds(60))).isEqualTo(2);
        assertThat(f.stats.unexpectedExitsWithin("s", "ep", Duration.ofSeconds(30))).isEqualTo(1);
        f.advance(Duration.ofSeconds(1)); // the first exit is 60 s old: out of a 60 s period
        assertThat(f.stats.unexpectedExitsWithin("s", "ep", Duration.ofSeconds(60))).isEqualTo(1);
        assertThat(f.stats.unexpectedExitsWithin("s", "other", Duration.ofSeconds(60))).isZero();
        assertThat(f.stats.unexpectedExitsWithin("nope", "ep", Duration.ofSeconds(60))).isZero();
    }

    @Test
    void resetForgetsCountsButKeepsStates() {
        StatsFixture f = new StatsFixture().server("s");
        f.ok("s", 5).failures("s", 5, ErrorType.TIMEOUT);
        f.stats.acquireEnded(StatsFixture.call("s", "ep"), 1, true);
        f.stats.sessionOpened("s", "ep", "v");
        f.stats.processExited("s", "ep", 1, 1, false);
        f.stats.breakerStateChanged("s", "ep", BreakerState.CLOSED, BreakerState.OPEN);
        f.stats.reset();
        ServerMetrics s = f.stats.serverMetrics("s");
        assertThat(s.window().calls()).isZero();
        assertThat(s.window().acquires()).isZero();
        assertThat(s.totals()).isEqualTo(new Totals(0, 0, 0, 0));
        EndpointMetrics e = s.endpoints().get(0);
        assertThat(e.lifecycle().sessionsOpened()).isZero();
        assertThat(e.lifecycle().unexpectedExits()).isZero();
        assertThat(f.stats.unexpectedExitsWithin("s", "ep", Duration.ofMinutes(1))).isZero();
        assertThat(e.breaker().state()).isEqualTo("open");
        assertThat(e.status()).isEqualTo(HealthStatus.UNHEALTHY);
        f.ok("s", 1);
        assertThat(f.stats.serverMetrics("s").window().calls()).isEqualTo(1);
    }

    @Test
    void theSnapshotGivesPoolSizesUtilizationAndSaturation() {
        StatsFixture f = new StatsFixture().server("s", StatsFixture.endpoint("ep", 2, 6, null))
                .maxCapacity("s", "ep", 16);
        EndpointMetrics.Pool p = f.endpointMetrics("s", "ep").pool();
        assertThat(p.sessions()).isEqualTo(2);
        assertThat(p.capacity()).isEqualTo(8);
        assertThat(p.maxCapacity()).isEqualTo(16);
        assertThat(p.inFlight()).isEqualTo(6);
        assertThat(p.utilization()).isEqualTo(0.75);
        assertThat(p.saturation()).isEqualTo(6 / 16.0);
        ServerMetrics s = f.stats.serverMetrics("s");
        assertThat(s.transport()).isEqualTo("stdio");
        assertThat(s.toolCount()).isEqualTo(3);
        // without a known maximum, saturation is utilization
        f.maxCapacity("s", "ep", 0);
        assertThat(f.endpointMetrics("s", "ep").pool().saturation()).isEqualTo(0.75);
    }

    @Test
    void unknownServersAreRefusedByName() {
        StatsFixture f = new StatsFixture().server("a").server("b");
        assertThatThrownBy(() -> f.stats.serverMetrics("c")).isInstanceOf(UnknownServerException.class)
                .hasMessageContaining("known: a, b");
    }

    @Test
    void withoutSnapshotsTheServersAreThoseEventsNamed() {
        ManualClock clock = new ManualClock();
        PoolStats stats = PoolStats.builder().clock(clock).build();
        stats.callEnded(StatsFixture.call("b", "e2"), CallOutcome.SUCCESS, null, 1_000_000);
        stats.callEnded(StatsFixture.call("a", "e1"), CallOutcome.SUCCESS, null, 1_000_000);
        PoolMetrics m = stats.allMetrics();
        assertThat(m.servers()).extracting(ServerMetrics::name).containsExactly("a", "b");
        assertThat(m.servers().get(0).endpoints().get(0).pool()).isNull();
        assertThat(m.servers().get(0).transport()).isNull();
        assertThat(m.status()).isEqualTo(HealthStatus.HEALTHY);
        assertThatThrownBy(() -> stats.serverMetrics("c")).isInstanceOf(UnknownServerException.class);
        // without pool state, "no session and the last open failed" comes from the events
        stats.sessionOpenFailed("a", "e1", new RuntimeException("refused"));
        assertThat(stats.serverMetrics("a").status()).isEqualTo(HealthStatus.UNHEALTHY);
        stats.sessionOpened("a", "e1", "v");
        assertThat(stats.serverMetrics("a").status()).isEqualTo(HealthStatus.HEALTHY);
    }

    @Test
    void aRemovedServerIsForgotten() {
        StatsFixture f = new StatsFixture().server("a").server("b");
        f.ok("b", 3);
        f.removeServer("b");
        f.stats.configReloaded(List.of(), List.of("b"), List.of());
        assertThat(f.stats.allMetrics().servers()).extracting(ServerMetrics::name).containsExactly("a");
        assertThat(f.stats.allMetrics().window().calls()).isZero();
    }

    @Test
    void metricsAndSummarySerialiseToJson() throws Exception {
        StatsFixture f = new StatsFixture().server("s");
        f.ok("s", 18).failures("s", 2, ErrorType.TIMEOUT);
        f.stats.breakerStateChanged("s", "ep", BreakerState.CLOSED, BreakerState.HALF_OPEN);

        String json = f.stats.export("json");
        JsonNode tree = Json.mapper().readTree(json);
        assertThat(tree.path("takenAt").asText()).isEqualTo("2025-01-01T00:00:00Z");
        assertThat(tree.path("windowSeconds").asLong()).isEqualTo(60);
        assertThat(tree.path("status").asText()).isEqualTo("degraded");
        JsonNode server = tree.path("servers").path(0);
        assertThat(server.path("name").asText()).isEqualTo("s");
        assertThat(server.path("window").path("calls").asLong()).isEqualTo(20);
        assertThat(server.path("window").path("errorRate").asDouble()).isEqualTo(0.1);
        assertThat(server.path("window").path("errorsByType").path("timeout").asLong()).isEqualTo(2);
        assertThat(server.path("window").path("latency").path("p99Ms").isNumber()).isTrue();
        JsonNode endpoint = server.path("endpoints").path(0);
        assertThat(endpoint.path("breaker").path("state").asText()).isEqualTo("half_open");
        assertThat(endpoint.path("breaker").path("changedAt").asText()).isEqualTo("2025-01-01T00:00:00Z");
        assertThat(endpoint.path("pool").path("sessions").asInt()).isEqualTo(1);
        assertThat(endpoint.path("status").asText()).isEqualTo("degraded");

        JsonNode summary = Json.mapper().valueToTree(f.stats.healthSummary());
        assertThat(summary.path("status").asText()).isEqualTo("degraded");
        assertThat(summary.path("degradedServers").path(0).asText()).isEqualTo("s");
        assertThat(summary.path("servers").path(0).path("endpoints").path(0).path("health").path("status").asText())
                .isEqualTo("unknown");
        // no NaN anywhere: a window without calls has no latency and no hit ratio, and a 0 error rate
        f.advance(Duration.ofMinutes(2));
        String empty = f.stats.export("JSON");
        assertThat(empty).doesNotContain("NaN");
        assertThat(Json.mapper().readTree(empty).path("servers").path(0).path("window").has("latency")).isFalse();
    }

    @Test
    void prometheusExportComesFromTheMicrometerBinding() {
        StatsFixture f = new StatsFixture().server("s");
        assertThatThrownBy(() -> f.stats.export("prometheus")).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("McpPoolMetrics");
        PoolStats withScrape = PoolStats.builder().prometheus(() -> "# HELP x\n").build();
        assertThat(withScrape.export("prometheus")).isEqualTo("# HELP x\n");
        assertThatThrownBy(() -> f.stats.export("xml")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("use json or prometheus");
    }

    @Test
    void withTheSystemClockCallsAreCountedByTheirOwnTimeAndBogusTimesFallBackToTheClock() {
        PoolStats stats = PoolStats.builder().build();
        var proper = new io.mcppool.events.CallContext("s", "tools/call", "t", System.nanoTime());
        proper.endpoint("ep");
        stats.acquireEnded(proper, 1_000, true);
        stats.callEnded(proper, CallOutcome.SUCCESS, null, 2_000_000);
        // a context made with a start of 0 (not System.nanoTime()): its time is ignored, the clock's is used
        var bogus = new io.mcppool.events.CallContext("s", "tools/call", "t", 0);
        bogus.endpoint("ep");
        stats.acquireEnded(bogus, 1_000, true);
        stats.callEnded(bogus, CallOutcome.SUCCESS, null, 2_000_000);
        var future = new io.mcppool.events.CallContext("s", "tools/call", "t", System.nanoTime() + 1_000_000);
        future.endpoint("ep");
        stats.callEnded(future, CallOutcome.SUCCESS, null, 1);
        WindowStats w = stats.serverMetrics("s").window();
        assertThat(w.calls()).isEqualTo(3);
        assertThat(w.acquires()).isEqualTo(2);
    }

    @Test
    void concurrentRecordingLosesNothing() throws Exception {
        StatsFixture f = new StatsFixture().server("s");
        int threads = 8;
        int perThread = 50_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    var call = StatsFixture.call("s", "ep");
                    f.stats.acquireEnded(call, 1_000, true);
                    f.stats.callEnded(call, i % 10 == 0 ? CallOutcome.FAILURE : CallOutcome.SUCCESS,
                            i % 10 == 0 ? ErrorType.TIMEOUT : null, 1_000_000L * (1 + (i + id) % 100));
                }
            }));
        }
        // the clock moves (within one window) while they record, so buckets are created under contention
        Thread ticker = Thread.ofPlatform().start(() -> {
            try {
                start.await();
            } catch (InterruptedException e) {
                return;
            }
            for (int i = 0; i < 50; i++) {
                f.clock.advance(Duration.ofMillis(500));
                Thread.onSpinWait();
            }
        });
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        ticker.join();
        WindowStats w = f.stats.serverMetrics("s").window();
        long total = (long) threads * perThread;
        assertThat(w.calls()).isEqualTo(total);
        assertThat(w.failures()).isEqualTo(total / 10);
        assertThat(w.acquires()).isEqualTo(total);
        assertThat(f.stats.serverMetrics("s").totals().calls()).isEqualTo(total);
    }
}
