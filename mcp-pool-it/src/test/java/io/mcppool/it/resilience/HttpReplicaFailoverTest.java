package io.mcppool.it.resilience;

import io.mcppool.status.BreakerState;
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
import io.mcppool.events.CallOutcome;
import io.mcppool.protocol.CallToolResult;
import io.mcppool.status.BreakerControl;
import io.mcppool.status.HealthStatus;
import io.mcppool.testkit.TestServer;
import io.mcppool.testkit.TestkitHttpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 3 acceptance: two Streamable HTTP replicas; one is down for 5 s. Its breaker opens, callers see no
 * error, calls skip the open endpoint in well under a millisecond, and the replica takes traffic again once
 * it is back. Also: a server whose only breaker is forced open refuses a call in under a millisecond.
 */
class HttpReplicaFailoverTest {
    private static final String SERVER = "failover";
    private static final int CALLERS = 4;
    private static final Duration DOWN_FOR = Duration.ofSeconds(5);
    private static final long ONE_MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final List<TestkitHttpServer> servers = new ArrayList<>();

    @AfterEach
    void stopServers() {
        servers.forEach(TestkitHttpServer::stop);
    }

    private TestkitHttpServer startServer() {
        TestkitHttpServer s = TestkitHttpServer.start(TestServer.create());
        servers.add(s);
        return s;
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aStoppedReplicaIsSkippedFastAndTakesTrafficWhenBack() throws Exception {
        TestkitHttpServer one = startServer();
        TestkitHttpServer two = startServer();
        ServerConfig config = ServerConfig.builder(SERVER, List.of(
                        new Replica(Optional.of("http-1"), new EndpointConfig.Http(one.uri()), 1, 0),
                        new Replica(Optional.of("http-2"), new EndpointConfig.Http(two.uri()), 1, 0)))
                .trusted(true) // echo is read-only: a call cut off by the stop may go again
                .callTimeout(Duration.ofSeconds(10))
                .breaker(BreakerSettings.builder().openFor(Duration.ofSeconds(1)).build())
                .health(new HealthSettings(true, Duration.ofMillis(300), Duration.ofMillis(500), 3, 2))
                .retry(RetrySettings.builder().maxAttempts(5).initialBackoff(Duration.ofMillis(20))
                        .maxBackoff(Duration.ofMillis(200)).budget(1.0).minRetries(10_000).build())
                .build();
        EventLog events = new EventLog();
        AtomicLong calls = new AtomicLong();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        long stoppedAt;
        long restartedAt;
        long backInTrafficAt;

        try (McpPool pool = McpPool.builder().server(config).eventListener(events)
                .housekeepingInterval(Duration.ofMillis(100)).build()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.endpoints(SERVER).stream()
                    .allMatch(s -> s.ready() && s.health() == HealthStatus.HEALTHY));
            assertThat(pool.listTools(SERVER)).isNotEmpty();

            AtomicBoolean stop = new AtomicBoolean();
            long hardStop = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            List<Thread> callers = new ArrayList<>();
            for (int c = 0; c < CALLERS; c++) {
                int caller = c;
                callers.add(Thread.ofPlatform().name("caller-" + c).start(() -> {
                    for (int i = 0; i < 1_000_000 && !stop.get() && System.nanoTime() - hardStop < 0; i++) {
                        String message = "caller " + caller + " call " + i;
                        calls.incrementAndGet();
                        try {
                            CallToolResult r = pool.callTool(SERVER, "echo", Map.of("message", message));
                            if (r.failed() || !message.equals(r.text())) {
                                failures.add(message + ": wrong answer " + r);
                            }
                        } catch (RuntimeException e) {
                            failures.add(message + ": " + e);
                        }
                    }
                }));
            }
            try {
                Thread.sleep(1000); // both replicas take traffic
                stoppedAt = System.nanoTime();
                one.stop();
                Thread.sleep(DOWN_FOR.toMillis()); // the scenario: down for 5 s
                restartedAt = System.nanoTime();
                one.start();
                assertThat(one.port()).isEqualTo(config.replicas().get(0).endpoint() instanceof EndpointConfig.Http h
                        ? h.url().getPort() : -1);
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10)).until(() -> events.ended
                        .stream().anyMatch(e -> e.atNanos() > restartedAt && "http-1".equals(e.endpoint())
                                && e.outcome() == CallOutcome.SUCCESS));
                backInTrafficAt = events.ended.stream().filter(e -> e.atNanos() > restartedAt
                                && "http-1".equals(e.endpoint()) && e.outcome() == CallOutcome.SUCCESS)
                        .mapToLong(EventLog.Ended::atNanos).min().orElseThrow();
                // it also gets healthy again, breaker closed
                await().atMost(Duration.ofSeconds(10)).until(() -> pool.endpoints(SERVER).stream()
                        .allMatch(s -> s.health() == HealthStatus.HEALTHY
                                && s.breaker().state() == BreakerState.CLOSED));
            } finally {
                stop.set(true);
                for (Thread t : callers) {
                    t.join(TimeUnit.SECONDS.toMillis(30));
                }
            }
        }

        List<Long> opened = events.breakerTransitions("http-1", "closed", "open");
        assertThat(opened).as("http-1's breaker opened (closed -> open)").isNotEmpty();
        long firstOpen = opened.get(0);
        assertThat(firstOpen).isGreaterThan(stoppedAt);

        // The open periods of http-1's breaker: from each "-> open" to the next change.
        List<long[]> openPeriods = new ArrayList<>();
        List<EventLog.BreakerChange> changes = events.breakers.stream().filter(b -> b.endpoint().equals("http-1"))
                .toList();
        for (int i = 0; i < changes.size(); i++) {
            if (changes.get(i).to().equals("open")) {
                long end = i + 1 < changes.size() ? changes.get(i + 1).atNanos() : Long.MAX_VALUE;
                openPeriods.add(new long[] {changes.get(i).atNanos(), end});
            }
        }
        List<Long> routing = new ArrayList<>();
        List<String> toStopped = new ArrayList<>();
        for (EventLog.Pick p : events.picks) {
            if (p.endpoint().equals("http-1") && inAny(openPeriods, p.atNanos(), 0)) {
                toStopped.add("picked at +" + Figures.millis(p.atNanos() - stoppedAt));
            }
        }
        Map<io.mcppool.events.CallContext, List<EventLog.Pick>> picks = events.picksByCall();
        for (EventLog.Started s : events.started) {
            // Calls started in an open period (not in its last millisecond, where a pick may land after it ended).
            if (!inAny(openPeriods, s.atNanos(), ONE_MS)) {
                continue;
            }
            List<EventLog.Pick> mine = picks.get(s.call());
            assertThat(mine).as("a call started while the breaker was open was routed").isNotEmpty();
            EventLog.Pick first = mine.get(0);
            assertThat(first.endpoint()).isEqualTo("http-2");
            routing.add(first.atNanos() - s.atNanos());
        }
        long median = Figures.percentile(routing, 50);
        long p99 = Figures.percentile(routing, 99);

        new Figures("HttpReplicaFailoverTest: 2 HTTP replicas, " + CALLERS + " callers, http-1 stopped for "
                + DOWN_FOR.toSeconds() + " s")
                .put("calls (echo)", calls.get())
                .put("failed (caller-visible)", failures.size())
                .put("retried (retryScheduled)", events.toolRetries(null))
                .put("attempts (endpointPicked)", events.toolAttempts())
                .put("breaker openings of http-1", opened.size())
                .put("time until the breaker opened (from stop)", Figures.millis(firstOpen - stoppedAt))
                .put("calls started while http-1's breaker was open", routing.size())
                .put("routing (callStarted -> endpointPicked), median", Figures.micros(median))
                .put("routing (callStarted -> endpointPicked), p99", Figures.micros(p99))
                .put("picks of http-1 while its breaker was open", toStopped.size())
                .put("picks of http-1 while it was stopped (trial calls, failed over)", events.picks.stream()
                        .filter(p -> p.endpoint().equals("http-1") && p.atNanos() - stoppedAt > 0
                                && p.atNanos() - restartedAt < 0).count())
                .put("time to take traffic again (from start)", Figures.millis(backInTrafficAt - restartedAt))
                .print();

        assertThat(failures).as("caller-visible echo failures").isEmpty();
        assertThat(toStopped).as("picks of the stopped endpoint while its breaker was open").isEmpty();
        assertThat(routing).as("calls started while the breaker was open").hasSizeGreaterThan(100);
        assertThat(median).as("median routing time, ns").isLessThan(ONE_MS);
        assertThat(p99).as("p99 routing time, ns").isLessThan(ONE_MS);
        assertThat(backInTrafficAt - restartedAt).isLessThan(TimeUnit.SECONDS.toNanos(20));
    }

    private static boolean inAny(List<long[]> periods, long t, long endMargin) {
        for (long[] p : periods) {
            if (t - p[0] >= 0 && p[1] - endMargin - t > 0) {
                return true;
            }
        }
        return false;
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aForcedOpenBreakerRefusesCallsInUnderAMillisecond() {
        TestkitHttpServer only = startServer();
        ServerConfig config = ServerConfig.builder("forced", new EndpointConfig.Http(only.uri())).build();
        try (McpPool pool = McpPool.builder().server(config).build()) {
            assertThat(pool.callTool("forced", "echo", Map.of("message", "warm")).text()).isEqualTo("warm");
            // The catalog lists the server in the background once its session joins: let those requests land
            // before counting what reaches the server.
            pool.catalog().loaded("forced").copy().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
            String endpoint = pool.endpoints("forced").get(0).name();
            BreakerControl breaker = pool.circuitBreaker("forced", endpoint);
            breaker.forceOpen();
            long requestsBefore = only.requestCount();
            List<Long> took = new ArrayList<>();
            Map<String, String> arguments = Map.of("message", "refused");
            for (int i = 0; i < 250; i++) {
                RuntimeException refused = null;
                long start = System.nanoTime();
                try {
                    pool.callTool("forced", "echo", arguments);
                } catch (RuntimeException e) {
                    refused = e;
                }
                long nanos = System.nanoTime() - start;
                assertThat(refused).isInstanceOf(NoEndpointAvailableException.class)
                        .hasMessageContaining("server 'forced'")
                        .hasMessageContaining(endpoint + ": breaker forced open");
                if (i >= 50) { // the first 50 warm the path up
                    took.add(nanos);
                }
            }
            assertThat(only.requestCount()).as("nothing reached the server").isEqualTo(requestsBefore);
            long median = Figures.percentile(took, 50);
            new Figures("HttpReplicaFailoverTest: one endpoint, breaker forced open, 200 calls")
                    .put("NoEndpointAvailableException, median", Figures.micros(median))
                    .put("NoEndpointAvailableException, p99", Figures.micros(Figures.percentile(took, 99)))
                    .print();
            assertThat(median).as("median time to refuse, ns").isLessThan(ONE_MS);

            breaker.reset();
            assertThat(pool.callTool("forced", "echo", Map.of("message", "again")).text()).isEqualTo("again");
        }
    }
}
