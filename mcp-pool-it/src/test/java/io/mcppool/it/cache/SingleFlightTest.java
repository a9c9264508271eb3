package io.mcppool.it.cache;

import static io.mcppool.it.cache.CacheTestkit.executions;
import static org.assertj.core.api.Assertions.assertThat;

import io.mcppool.McpPool;
import io.mcppool.cache.CacheStats;
import io.mcppool.config.CacheSettings;
import io.mcppool.config.ToolConfig;
import io.mcppool.protocol.CallToolResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Acceptance 2: identical calls in flight at once reach the server once, with the cache on or off for the tool. */
class SingleFlightTest {
    static final CacheEvents events = new CacheEvents();
    static McpPool pool;

    @BeforeAll
    static void start() {
        pool = McpPool.create(CacheTestkit.config(
                CacheTestkit.server("cached", true, CacheSettings.ttl(Duration.ofMinutes(1)), Map.of()).build(),
                // Not cached (ttl 0), but the operator says running sleep once for several callers is fine.
                CacheTestkit.server("uncached", true, CacheSettings.OFF,
                        Map.of("sleep", ToolConfig.DEFAULTS.withCache(CacheSettings.OFF.withCoalesce(true)))).build()),
                List.of(events));
        CacheTestkit.ready(pool);
    }

    @AfterAll
    static void stop() {
        pool.close();
    }

    @BeforeEach
    void clean() {
        pool.resultCache().invalidateAll();
        events.clear();
    }

    /** {@code n} callers on threads of their own, released at once, each making the same blocking call. */
    static List<CallToolResult> concurrently(int n, String server, Map<String, ?> args) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<CallToolResult>> results = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                results.add(threads.submit(() -> {
                    go.await();
                    return pool.callTool(server, "sleep", args);
                }));
            }
            go.countDown();
            List<CallToolResult> out = new ArrayList<>();
            for (Future<CallToolResult> f : results) {
                out.add(f.get(30, TimeUnit.SECONDS));
            }
            return out;
        }
    }

    @Test
    void aHundredConcurrentIdenticalCallsReachTheServerOnce() throws Exception {
        int before = executions(pool, "cached", "sleep");
        CacheStats s0 = pool.resultCache().stats();

        List<CallToolResult> results = concurrently(100, "cached", Map.of("ms", 700));

        assertThat(results).hasSize(100).allSatisfy(r -> assertThat(r.text()).isEqualTo("slept 700ms"));
        assertThat(executions(pool, "cached", "sleep")).isEqualTo(before + 1);
        CacheStats s1 = pool.resultCache().stats();
        assertThat(s1.misses() - s0.misses()).isEqualTo(1);
        // Callers that came while it ran joined it; any that came after it ended were hits.
        assertThat((s1.coalesced() - s0.coalesced()) + (s1.hits() - s0.hits())).isEqualTo(99);
        assertThat(s1.coalesced() - s0.coalesced()).isPositive();
        assertThat(events.ended).hasSize(100).containsOnly("sleep success");
    }

    @Test
    void withTheCacheOffCoalescingStillServesConcurrentCallsOnceButNothingIsKept() throws Exception {
        int before = executions(pool, "uncached", "sleep");

        List<CallToolResult> results = concurrently(20, "uncached", Map.of("ms", 700));
        assertThat(results).hasSize(20).allSatisfy(r -> assertThat(r.text()).isEqualTo("slept 700ms"));
        assertThat(executions(pool, "uncached", "sleep")).isEqualTo(before + 1);
        assertThat(events.of("coalesced ")).hasSize(19);
        assertThat(events.of("miss ")).as("not cacheable: no hits or misses").isEmpty();

        pool.callTool("uncached", "sleep", Map.of("ms", 700));
        assertThat(executions(pool, "uncached", "sleep")).as("nothing was kept").isEqualTo(before + 2);
    }

    @Test
    void aCallerThatCancelsDoesNotCancelTheCallOthersWaitFor() throws Exception {
        int before = executions(pool, "cached", "sleep");
        CompletableFuture<CallToolResult> first = pool.callToolAsync("cached", "sleep", Map.of("ms", 600));
        CompletableFuture<CallToolResult> second = pool.callToolAsync("cached", "sleep", Map.of("ms", 600));
        first.cancel(true);

        assertThat(second.get(10, TimeUnit.SECONDS).text()).isEqualTo("slept 600ms");
        assertThat(first).isCancelled();
        assertThat(executions(pool, "cached", "sleep")).isEqualTo(before + 1);
        assertThat(events.of("coalesced ")).containsExactly("coalesced cached/sleep");
    }

    @Test
    void whenEveryCallerCancelsTheUpstreamCallIsCancelled() throws Exception {
        CompletableFuture<CallToolResult> first = pool.callToolAsync("cached", "sleep", Map.of("ms", 5000));
        CompletableFuture<CallToolResult> second = pool.callToolAsync("cached", "sleep", Map.of("ms", 5000));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                pool.snapshot().servers().get(0).endpoints().get(0).inFlight() == 1);
        first.cancel(true);
        second.cancel(true);
        // The request is cancelled (the server gets notifications/cancelled), so nothing stays in flight.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(3)).until(() ->
                pool.snapshot().servers().get(0).endpoints().get(0).inFlight() == 0);
        assertThat(pool.resultCache().stats().entries()).isZero();
        assertThat(events.ended).containsExactlyInAnyOrder("sleep failure", "sleep failure");
    }
}
