package io.mcppool.it.resilience;

import io.mcppool.status.BreakerState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mcppool.McpPool;
import io.mcppool.call.TransportFailureException;
import io.mcppool.config.BalanceStrategy;
import io.mcppool.config.BreakerSettings;
import io.mcppool.config.HealthSettings;
import io.mcppool.config.PoolSettings;
import io.mcppool.config.Replica;
import io.mcppool.config.RetrySettings;
import io.mcppool.config.ServerConfig;
import io.mcppool.config.SupervisionSettings;
import io.mcppool.protocol.CallToolResult;
import io.mcppool.internal.resilience.CircuitBreaker;
import io.mcppool.status.EndpointStatus;
import io.mcppool.status.HealthStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3 acceptance: three stdio replicas of one server, 32 callers, and a replica's process killed (SIGKILL)
 * every 500 ms. A read-only call never fails (it is retried elsewhere); a write ({@code record}) is never
 * executed twice (the shared journal shows each key at most once) and fails only with a transport failure;
 * once the killing stops, every endpoint is healthy again within 5 s.
 */
class StdioReplicaKillTest {
    private static final String SERVER = "replicated";
    private static final int REPLICAS = 3;
    private static final int CALLERS = 32;
    private static final Duration KILLING = Duration.ofSeconds(8);
    private static final Duration KILL_EVERY = Duration.ofMillis(500);
    private static final Duration RECOVERY_LIMIT = Duration.ofSeconds(5);
    /** Each caller's bound, whatever the clock says. */
    private static final int MAX_CALLS_PER_CALLER = 20_000;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void readOnlyCallsSurviveKilledReplicasAndWritesNeverRunTwice() throws Exception {
        Path journal = dir.resolve("journal.txt");
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> labels = new ArrayList<>();
        List<Replica> replicas = new ArrayList<>();
        for (int i = 1; i <= REPLICAS; i++) {
            String label = "kill-test-" + run + "-replica-" + i;
            labels.add(label);
            replicas.add(new Replica(Optional.of("replica-" + i),
                    Figures.testkitStdio("--label", label, "--journal", journal.toString()), 1, 0));
        }
        ServerConfig config = ServerConfig.builder(SERVER, replicas)
                .balance(BalanceStrategy.LEAST_OUTSTANDING)
                .trusted(true) // echo's readOnlyHint makes it safe to repeat; record has none
                .pool(PoolSettings.builder().minSessions(1).maxSessions(1).maxConcurrentRequests(64)
                        .acquireTimeout(Duration.ofSeconds(5)).build())
                .breaker(BreakerSettings.builder().openFor(Duration.ofSeconds(1)).build())
                .supervision(new SupervisionSettings(Duration.ofMillis(50), Duration.ofMillis(500),
                        SupervisionSettings.DEFAULTS.crashLoopRestarts(), SupervisionSettings.DEFAULTS.crashLoopWindow(),
                        Duration.ofSeconds(2)))
                .health(new HealthSettings(true, Duration.ofMillis(400), Duration.ofSeconds(1), 3, 2))
                .retry(RetrySettings.builder().maxAttempts(5).budget(1.0).minRetries(100_000).build())
                .build();
        EventLog events = new EventLog();

        AtomicLong echoCalls = new AtomicLong();
        AtomicLong recordCalls = new AtomicLong();
        ConcurrentLinkedQueue<String> echoFailures = new ConcurrentLinkedQueue<>();
        Set<String> recordedOk = ConcurrentHashMap.newKeySet();
        Map<String, Throwable> recordFailed = new ConcurrentHashMap<>();
        int kills = 0;
        long recoveryNanos;
        List<EndpointStatus> finalStatus;

        try (McpPool pool = McpPool.builder().server(config).eventListener(events)
                .housekeepingInterval(Duration.ofMillis(100)).build()) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> allRecovered(pool.endpoints(SERVER)));
            assertThat(pool.listTools(SERVER)).isNotEmpty(); // the annotations decide what may be retried
            for (String label : labels) {
                assertThat(Figures.processesLabelled(label)).as(label).hasSize(1);
            }

            long start = System.nanoTime();
            long hardStop = start + KILLING.plus(RECOVERY_LIMIT).plusSeconds(5).toNanos();
            AtomicLong stopAt = new AtomicLong(hardStop);
            List<Thread> callers = new ArrayList<>();
            for (int c = 0; c < CALLERS; c++) {
                int caller = c;
                callers.add(Thread.ofPlatform().name("caller-" + c).start(() -> {
                    for (int i = 0; i < MAX_CALLS_PER_CALLER && System.nanoTime() - stopAt.get() < 0; i++) {
                        if (i % 2 == 0) {
                            String message = "caller " + caller + " call " + i;
                            echoCalls.incrementAndGet();
                            try {
                                CallToolResult r = pool.callTool(SERVER, "echo", Map.of("message", message));
                                if (r.failed() || !message.equals(r.text())) {
                                    echoFailures.add(message + ": wrong answer " + r);
                                }
                            } catch (RuntimeException e) {
                                echoFailures.add(message + ": " + e);
                            }
                        } else {
                            String key = "k-" + caller + "-" + i;
                            recordCalls.incrementAndGet();
                            try {
                                pool.callTool(SERVER, "record", Map.of("key", key));
                                recordedOk.add(key);
                            } catch (RuntimeException e) {
                                recordFailed.put(key, e);
                            }
                        }
                    }
                }));
            }

            try {
                // The kills: every 500 ms, a random replica that has a process, as long as another replica is
                // recovered and so can take its calls: "retried elsewhere" needs an elsewhere. On a loaded machine a
                // restart can take longer than 500 ms, and killing the last live replica while the others restart
                // leaves no endpoint, which ends a call by the documented rule (RoutedCall: every endpoint
                // unreachable), not by a failure to retry.
                long killUntil = start + KILLING.toNanos();
                while (System.nanoTime() - killUntil < 0) {
                    Thread.sleep(KILL_EVERY.toMillis());
                    List<EndpointStatus> status = pool.endpoints(SERVER);
                    List<Integer> candidates = new ArrayList<>();
                    for (int i = 0; i < REPLICAS; i++) {
                        int victim = i;
                        boolean anotherRecovered = IntStream.range(0, REPLICAS)
                                .anyMatch(j -> j != victim && allRecovered(List.of(status.get(j))));
                        if (anotherRecovered && !Figures.processesLabelled(labels.get(i)).isEmpty()) {
                            candidates.add(i);
                        }
                    }
                    if (candidates.isEmpty()) {
                        continue;
                    }
                    int victim = candidates.get(ThreadLocalRandom.current().nextInt(candidates.size()));
                    for (ProcessHandle p : Figures.processesLabelled(labels.get(victim))) {
                        if (p.destroyForcibly()) {
                            kills++;
                        }
                    }
                }

                // The callers go on: a half-open breaker closes on their trial calls.
                long killingStopped = System.nanoTime();
                await().atMost(RECOVERY_LIMIT).pollInterval(Duration.ofMillis(20))
                        .until(() -> allRecovered(pool.endpoints(SERVER)));
                recoveryNanos = System.nanoTime() - killingStopped;
            } finally {
                stopAt.set(System.nanoTime());
                for (Thread t : callers) {
                    t.join(TimeUnit.SECONDS.toMillis(60));
                }
            }
            for (Thread t : callers) {
                assertThat(t.isAlive()).as(t.getName() + " still running").isFalse();
            }
            finalStatus = pool.endpoints(SERVER);
        }

        List<String> lines = Files.exists(journal) ? Files.readAllLines(journal) : List.of();
        Map<String, Long> executions = lines.stream().collect(Collectors.groupingBy(Function.identity(),
                Collectors.counting()));
        List<String> duplicated = executions.entrySet().stream().filter(e -> e.getValue() > 1)
                .map(e -> e.getKey() + " x" + e.getValue()).toList();
        long restarts = finalStatus.stream().mapToLong(s -> s.supervision().restarts()).sum();
        Map<String, Long> failureTypes = new HashMap<>();
        recordFailed.values().forEach(e -> failureTypes.merge(e.getClass().getSimpleName(), 1L, Long::sum));

        new Figures("StdioReplicaKillTest: 3 stdio replicas, " + CALLERS + " callers, a replica SIGKILLed every "
                + KILL_EVERY.toMillis() + " ms for " + KILLING.toSeconds() + " s")
                .put("calls: echo", echoCalls.get())
                .put("calls: record", recordCalls.get())
                .put("failed: echo", echoFailures.size())
                .put("failed: record", recordFailed.size() + " " + failureTypes)
                .put("retried (retryScheduled): echo", events.toolRetries("echo"))
                .put("retried (retryScheduled): record", events.toolRetries("record"))
                .put("attempts (endpointPicked)", events.toolAttempts())
                .put("record executions in the journal", lines.size())
                .put("duplicated (keys executed twice)", duplicated.size())
                .put("kills (SIGKILL)", kills)
                .put("restarts (EndpointStatus.supervision)", restarts + " "
                        + finalStatus.stream().map(s -> s.name() + "=" + s.supervision().restarts()).toList())
                .put("crash loops entered", finalStatus.stream().filter(s -> s.supervision().crashLoop()).count()
                        + " now; health changes to unhealthy: " + events.health.stream()
                        .filter(h -> h.to().equals("unhealthy")).count())
                .put("breaker openings", events.breakers.stream().filter(b -> b.to().equals("open")).count())
                .put("recovery after the last kill", Figures.millis(recoveryNanos))
                .print();

        assertThat(echoFailures).as("echo calls that failed (read-only: must be retried elsewhere)").isEmpty();
        assertThat(duplicated).as("record keys executed more than once").isEmpty();
        List<String> missing = recordedOk.stream().filter(k -> executions.getOrDefault(k, 0L) != 1).toList();
        assertThat(missing).as("successful record calls whose key is not in the journal exactly once").isEmpty();
        assertThat(recordFailed).as("record failures other than TransportFailureException")
                .allSatisfy((key, e) -> assertThat(e).isInstanceOf(TransportFailureException.class));
        List<String> unasked = executions.keySet().stream()
                .filter(k -> !recordedOk.contains(k) && !recordFailed.containsKey(k)).toList();
        assertThat(unasked).as("journal keys that no call asked for").isEmpty();
        assertThat(kills).as("kills done").isGreaterThanOrEqualTo(10);
        // A kill during a process's start fails the start rather than crashing a running process: not a restart.
        assertThat(restarts).as("restarts counted by supervision").isPositive();
        assertThat(recoveryNanos).isLessThanOrEqualTo(RECOVERY_LIMIT.toNanos());
    }

    private static boolean allRecovered(List<EndpointStatus> endpoints) {
        return endpoints.stream().allMatch(s -> s.health() == HealthStatus.HEALTHY
                && s.breaker().state() == BreakerState.CLOSED && s.ready() && s.available());
    }
}
