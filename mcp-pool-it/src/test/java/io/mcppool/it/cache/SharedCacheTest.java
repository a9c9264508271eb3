package io.mcppool.it.cache;

import static io.mcppool.it.cache.CacheTestkit.executions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mcppool.McpPool;
import io.mcppool.config.CacheSettings;
import io.mcppool.config.SharedCacheSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Acceptance 4, first half: two pools (two gateway replicas, each with its own testkit process) behind one real
 * Redis; what one caches is a hit for the other; invalidation reaches Redis; TTLs are the shorter of the two.
 */
class SharedCacheTest {
    static RedisServer redis;
    static final String PREFIX = "it-shared:";
    final CacheEvents eventsA = new CacheEvents();
    final CacheEvents eventsB = new CacheEvents();
    McpPool a;
    McpPool b;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.started();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
    }

    static McpPool replica(CacheEvents events, Duration sharedTtl) {
        SharedCacheSettings shared = new SharedCacheSettings(java.util.Optional.of(redis.url()), PREFIX,
                java.util.Optional.ofNullable(sharedTtl), Duration.ofMillis(250));
        return CacheTestkit.ready(McpPool.create(CacheTestkit.config(
                CacheTestkit.server("tk", true, CacheSettings.ttl(Duration.ofMinutes(5)), Map.of()).build())
                .withSharedCache(shared), List.of(events)));
    }

    @BeforeEach
    void startPools() {
        try (var c = redis.client()) {
            c.flushAll();
        }
        a = replica(eventsA, Duration.ofMinutes(1));
        b = replica(eventsB, Duration.ofMinutes(1));
        await().atMost(Duration.ofSeconds(5)).until(() -> a.resultCache().stats().sharedState().equals("up")
                && b.resultCache().stats().sharedState().equals("up"));
    }

    @AfterEach
    void stopPools() {
        a.close();
        b.close();
    }

    @Test
    void aResultCachedByOneReplicaIsAHitForTheOther() {
        assertThat(a.callTool("tk", "echo", Map.of("message", "shared")).text()).isEqualTo("shared");
        // The write to Redis happens off the caller's thread.
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.keys(PREFIX).size() == 1);
        assertThat(redis.keys(PREFIX).get(0)).startsWith(PREFIX + "tk:echo:pool:");

        assertThat(b.callTool("tk", "echo", Map.of("message", "shared")).text()).isEqualTo("shared");
        assertThat(executions(b, "tk", "echo")).as("B never ran it").isZero();
        assertThat(executions(a, "tk", "echo")).isEqualTo(1);
        assertThat(eventsB.of("hit ")).containsExactly("hit tk/echo");
        assertThat(eventsB.of("miss ")).isEmpty();

        // B now holds it in memory too: a further call does not even ask Redis.
        assertThat(b.resultCache().stats().entries()).isEqualTo(1);
        assertThat(b.callTool("tk", "echo", Map.of("message", "shared")).text()).isEqualTo("shared");
        assertThat(b.resultCache().stats().hits()).isEqualTo(2);
    }

    @Test
    void invalidationOnOneReplicaClearsRedisSoTheOtherFetchesAgain() {
        a.callTool("tk", "echo", Map.of("message", "one"));
        a.callTool("tk", "add", Map.of("a", 1, "b", 2));
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.keys(PREFIX).size() == 2);

        a.resultCache().invalidate("tk", "echo");
        assertThat(redis.keys(PREFIX)).singleElement().satisfies(k -> assertThat(k).startsWith(PREFIX + "tk:add:"));
        b.callTool("tk", "echo", Map.of("message", "one"));
        b.callTool("tk", "add", Map.of("a", 1, "b", 2));
        assertThat(executions(b, "tk", "echo")).isEqualTo(1);
        assertThat(executions(b, "tk", "add")).as("still shared").isZero();

        // The CLI's path: clear by pattern without a pool.
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.keys(PREFIX).size() == 2);
        SharedCacheSettings settings = SharedCacheSettings.redis(redis.url()).withPrefix(PREFIX);
        assertThat(McpPool.clearSharedCache(settings, "tk", null)).isEqualTo(2);
        assertThat(redis.keys(PREFIX)).isEmpty();
    }

    @Test
    void anEntryLivesInRedisForTheShorterOfItsTtlAndTheSharedTtl() {
        McpPool c = replica(new CacheEvents(), Duration.ofSeconds(30));
        try {
            c.callTool("tk", "echo", Map.of("message", "ttl"));
            await().atMost(Duration.ofSeconds(5)).until(() -> redis.keys(PREFIX).size() == 1);
            try (var client = redis.client()) {
                long pttl = client.pttl(redis.keys(PREFIX).get(0));
                assertThat(pttl).isBetween(20_000L, 30_000L); // the shared 30 s, not the entry's 5 min
            }
        } finally {
            c.close();
        }
    }
}
