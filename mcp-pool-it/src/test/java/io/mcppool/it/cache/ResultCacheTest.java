package io.mcppool.it.cache;

import static io.mcppool.it.cache.CacheTestkit.executions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mcppool.call.CallOptions;
import io.mcppool.McpPool;
import io.mcppool.cache.CacheStats;
import io.mcppool.config.CacheSettings;
import io.mcppool.config.ToolConfig;
import io.mcppool.protocol.CallToolResult;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Acceptance 1 of the result cache, plus invalidation and scopes, against real testkit processes: one trusted
 * server with a server-wide cache, one untrusted with the same cache block, and one trusted server whose
 * {@code add} tool is configured shared between scopes.
 */
class ResultCacheTest {
    static final Duration TTL = Duration.ofMillis(1500);
    static final CacheEvents events = new CacheEvents();
    static McpPool pool;

    @BeforeAll
    static void start() {
        pool = McpPool.create(CacheTestkit.config(
                CacheTestkit.server("trusted", true, CacheSettings.ttl(TTL), Map.of()).build(),
                CacheTestkit.server("untrusted", false, CacheSettings.ttl(TTL), Map.of()).build(),
                CacheTestkit.server("shared", true, CacheSettings.ttl(Duration.ofMinutes(1)),
                        Map.of("add", ToolConfig.DEFAULTS.withCache(CacheSettings.ttl(Duration.ofMinutes(1)).withShared(true))))
                        .build()), List.of(events));
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

    @Test
    void aTrustedReadOnlyToolIsServedFromCacheWithinItsTtlAndFetchedAgainAfter() {
        int before = executions(pool, "trusted", "echo");
        long stored = System.nanoTime();
        CallToolResult first = pool.callTool("trusted", "echo", Map.of("message", "ttl"));
        CallToolResult second = pool.callTool("trusted", "echo", Map.of("message", "ttl"));

        assertThat(first.text()).isEqualTo("ttl");
        assertThat(second.text()).isEqualTo("ttl");
        assertThat(second).as("each caller gets its own copy").isNotSameAs(first);
        assertThat(executions(pool, "trusted", "echo")).as("served from the cache within the TTL").isEqualTo(before + 1);
        assertThat(events.of("hit ")).containsExactly("hit trusted/echo");
        assertThat(events.ended).containsExactly("echo success", "echo success");

        // The housekeeping drops the entry once its TTL is over (not before), and the next call goes upstream.
        await().atMost(Duration.ofSeconds(10)).until(() -> events.of("evicted ").contains("evicted trusted/echo expired"));
        assertThat(System.nanoTime() - stored).isGreaterThanOrEqualTo(TTL.toNanos());
        assertThat(pool.callTool("trusted", "echo", Map.of("message", "ttl")).text()).isEqualTo("ttl");
        assertThat(executions(pool, "trusted", "echo")).as("fetched again after the TTL").isEqualTo(before + 2);
        assertThat(events.of("miss ")).containsExactly("miss trusted/echo", "miss trusted/echo");
    }

    @Test
    void argumentOrderAndNumberSpellingDoNotChangeTheKey() {
        int before = executions(pool, "shared", "add");
        Map<String, Object> ab = new LinkedHashMap<>();
        ab.put("a", 2);
        ab.put("b", 3);
        Map<String, Object> ba = new LinkedHashMap<>();
        ba.put("b", 3.0);
        ba.put("a", 2L);
        assertThat(pool.callTool("shared", "add", ab).text()).isEqualTo("5");
        assertThat(pool.callTool("shared", "add", ba).text()).isEqualTo("5");
        assertThat(pool.callTool("shared", "add", Map.of("a", 2, "b", 4)).text()).isEqualTo("6");
        assertThat(executions(pool, "shared", "add")).isEqualTo(before + 2);
        assertThat(events.of("hit ")).containsExactly("hit shared/add");
    }

    @Test
    void untrustedReadOnlyToolsErrorsAndWritingToolsAreNeverCached() {
        int echoBefore = executions(pool, "untrusted", "echo");
        int failBefore = executions(pool, "trusted", "fail");
        List<Long> recordCounts = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            assertThat(pool.callTool("untrusted", "echo", Map.of("message", "m")).text()).isEqualTo("m");
            assertThat(pool.callTool("trusted", "fail", Map.of("message", "broken")).failed()).isTrue();
            recordCounts.add(Long.parseLong(pool.callTool("trusted", "record", Map.of("key", "cache-test")).text()));
        }
        assertThat(executions(pool, "untrusted", "echo")).as("untrusted server's read-only tool").isEqualTo(echoBefore + 3);
        assertThat(executions(pool, "trusted", "fail")).as("isError results").isEqualTo(failBefore + 3);
        long n = recordCounts.get(0);
        assertThat(recordCounts).as("a tool that writes runs every time").containsExactly(n, n + 1, n + 2);
        // Only fail, read-only on the trusted server, was cacheable: its isError results were misses, never stored.
        assertThat(events.lines).containsOnly("miss trusted/fail").hasSize(3);
        assertThat(pool.resultCache().stats().entries()).isZero();
    }

    @Test
    void invalidationByToolByServerAndAll() {
        // On the server with long TTLs: echo and sleep in the server's region, add in a region of its own.
        Runnable callAll = () -> {
            pool.callTool("shared", "echo", Map.of("message", "inv"));
            pool.callTool("shared", "sleep", Map.of("ms", 1));
            pool.callTool("shared", "add", Map.of("a", 1, "b", 1));
        };
        java.util.function.Supplier<List<Integer>> counts = () -> List.of(executions(pool, "shared", "echo"),
                executions(pool, "shared", "sleep"), executions(pool, "shared", "add"));
        List<Integer> base = counts.get();
        callAll.run();
        callAll.run(); // all hits
        assertThat(counts.get()).containsExactly(base.get(0) + 1, base.get(1) + 1, base.get(2) + 1);

        pool.resultCache().invalidate("shared", "echo");
        callAll.run();
        assertThat(counts.get()).containsExactly(base.get(0) + 2, base.get(1) + 1, base.get(2) + 1);
        assertThat(events.of("evicted ")).containsExactly("evicted shared/echo invalidated");

        pool.resultCache().invalidate("trusted"); // another server's: nothing here changes
        callAll.run();
        assertThat(counts.get()).containsExactly(base.get(0) + 2, base.get(1) + 1, base.get(2) + 1);

        events.clear();
        pool.resultCache().invalidate("shared");
        callAll.run();
        assertThat(counts.get()).containsExactly(base.get(0) + 3, base.get(1) + 2, base.get(2) + 2);
        assertThat(events.of("evicted ")).containsExactlyInAnyOrder("evicted shared/echo invalidated",
                "evicted shared/sleep invalidated", "evicted shared/add invalidated");

        events.clear();
        pool.resultCache().invalidateAll();
        callAll.run();
        assertThat(counts.get()).containsExactly(base.get(0) + 4, base.get(1) + 3, base.get(2) + 3);
        assertThat(events.of("evicted ")).containsExactlyInAnyOrder("evicted shared/echo invalidated",
                "evicted shared/sleep invalidated", "evicted shared/add invalidated");
        assertThat(pool.resultCache().stats().evictions()).isGreaterThanOrEqualTo(7);
    }

    @Test
    void scopesDoNotSeeEachOthersEntriesUnlessTheToolIsShared() {
        CallOptions alice = CallOptions.builder().cacheScope("alice").build();
        CallOptions bob = CallOptions.builder().cacheScope("bob").build();
        int echo = executions(pool, "shared", "echo");
        int add = executions(pool, "shared", "add");

        pool.callTool("shared", "echo", Map.of("message", "scoped"), alice);
        pool.callTool("shared", "echo", Map.of("message", "scoped"), bob);
        pool.callTool("shared", "echo", Map.of("message", "scoped"), alice);
        pool.callTool("shared", "echo", Map.of("message", "scoped")); // the pool's own scope is a third one
        assertThat(executions(pool, "shared", "echo")).as("echo: one per scope").isEqualTo(echo + 3);

        pool.callTool("shared", "add", Map.of("a", 7, "b", 8), alice);
        pool.callTool("shared", "add", Map.of("a", 7, "b", 8), bob);
        pool.callTool("shared", "add", Map.of("a", 7, "b", 8));
        assertThat(executions(pool, "shared", "add")).as("add is configured shared").isEqualTo(add + 1);

        CacheStats stats = pool.resultCache().stats();
        assertThat(stats.entries()).isEqualTo(4);
        assertThat(stats.bytes()).isPositive();
        assertThat(stats.sharedState()).isEqualTo("none");
    }
}
