package io.mcppool.it.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mcppool.McpPool;
import io.mcppool.config.CacheSettings;
import io.mcppool.config.SharedCacheSettings;
import io.mcppool.protocol.CallToolResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Acceptance 4, second half: {@code redis-server} killed while two replicas take calls. No call fails; both report
 * the shared cache degraded; when Redis is back they use it again.
 */
class SharedCacheOutageTest {
    static RedisServer redis;
    static final String PREFIX = "it-outage:";

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.started();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
    }

    static McpPool replica(CacheEvents events) {
        SharedCacheSettings shared = new SharedCacheSettings(Optional.of(redis.url()), PREFIX, Optional.empty(),
                Duration.ofMillis(250));
        return CacheTestkit.ready(McpPool.create(CacheTestkit.config(
                CacheTestkit.server("tk", true, CacheSettings.ttl(Duration.ofMinutes(5)), Map.of()).build())
                .withSharedCache(shared), List.of(events)));
    }

    @Test
    void killingRedisMidRunLeavesEveryCallSucceedingAndItIsUsedAgainWhenBack() throws Exception {
        CacheEvents eventsA = new CacheEvents();
        CacheEvents eventsB = new CacheEvents();
        try (McpPool a = replica(eventsA); McpPool b = replica(eventsB);
             ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger calls = new AtomicInteger();
            List<CompletableFuture<Void>> loops = new ArrayList<>();
            for (McpPool pool : List.of(a, b)) {
                for (int t = 0; t < 4; t++) {
                    int caller = t;
                    loops.add(CompletableFuture.runAsync(() -> {
                        int i = 0;
                        while (!stop.get()) {
                            // Fresh arguments every time, so each call is a miss that reads and writes Redis.
                            String message = "c" + caller + "-" + i++ + "-" + System.identityHashCode(pool);
                            CallToolResult r = pool.callTool("tk", "echo", Map.of("message", message));
                            assertThat(r.text()).isEqualTo(message);
                            calls.incrementAndGet();
                        }
                    }, callers));
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() > 100 && redis.keys(PREFIX).size() > 50);

            redis.kill();
            int atKill = calls.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> a.resultCache().stats().sharedState().equals("degraded")
                    && b.resultCache().stats().sharedState().equals("degraded"));
            await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() > atKill + 200);
            assertThat(eventsA.of("shared ")).containsExactly("shared degraded");
            assertThat(eventsB.of("shared ")).containsExactly("shared degraded");

            redis.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> a.resultCache().stats().sharedState().equals("up")
                    && b.resultCache().stats().sharedState().equals("up"));
            int atRecovery = calls.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() > atRecovery + 100);
            stop.set(true);
            for (CompletableFuture<Void> loop : loops) {
                loop.get(30, TimeUnit.SECONDS); // rethrows the first failed call or wrong answer, if any
            }
            assertThat(eventsA.of("shared ")).containsExactly("shared degraded", "shared up");
            assertThat(eventsB.of("shared ")).containsExactly("shared degraded", "shared up");

            // Back in use: what A caches now is a hit for B (B never ran add, so its hit came from Redis).
            eventsB.clear();
            assertThat(a.callTool("tk", "add", Map.of("a", 40, "b", 2)).text()).isEqualTo("42");
            await().atMost(Duration.ofSeconds(5)).until(() -> redis.keys(PREFIX + "tk:add:").size() == 1);
            assertThat(b.callTool("tk", "add", Map.of("a", 40, "b", 2)).text()).isEqualTo("42");
            assertThat(eventsB.lines).containsExactly("hit tk/add");
            assertThat(CacheTestkit.executions(b, "tk", "add")).isZero();
        }
    }
}
