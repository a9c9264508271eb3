package io.mcppool.it.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mcppool.call.CallOptions;
import io.mcppool.McpPool;
import io.mcppool.config.PoolMode;
import io.mcppool.config.PoolSettings;
import io.mcppool.status.EndpointSnapshot;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Session lifecycle: maxLifetime retirement, idle expiry above minSessions, sticky keys and their expiry. */
class LifecycleTest {

    private static EndpointSnapshot endpoint(McpPool mcp) {
        return mcp.snapshot().servers().get(0).endpoints().get(0);
    }

    @Test
    void sessionsPastMaxLifetimeAreRetiredAndReplacedInTheBackground() {
        PoolSettings pool = PoolSettings.builder().minSessions(1).maxSessions(1).maxLifetime(Duration.ofMillis(1500))
                .build();
        try (McpPool mcp = McpPool.builder().server(Servers.testkit("aging", pool).build())
                .housekeepingInterval(Duration.ofMillis(100)).build()) {
            assertThat(mcp.callTool("aging", "echo", Map.of("message", "a")).text()).isEqualTo("a");
            await().atMost(Duration.ofSeconds(15)).until(() -> endpoint(mcp).sessionsOpened() >= 2
                    && endpoint(mcp).sessionsClosed() >= 1 && endpoint(mcp).sessions() == 1);
            assertThat(mcp.callTool("aging", "echo", Map.of("message", "b")).text()).isEqualTo("b");
        }
    }

    @Test
    void idleSessionsAboveMinimumAreClosed() throws Exception {
        PoolSettings pool = PoolSettings.builder().minSessions(1).maxSessions(3).maxConcurrentRequests(1)
                .idleTimeout(Duration.ofMillis(500)).build();
        try (McpPool mcp = McpPool.builder().server(Servers.testkit("elastic", pool).build())
                .housekeepingInterval(Duration.ofMillis(100)).build()) {
            var calls = java.util.stream.IntStream.range(0, 3)
                    .mapToObj(i -> mcp.callToolAsync("elastic", "sleep", Map.of("ms", 1500))).toList();
            await().atMost(Duration.ofSeconds(20)).until(() -> endpoint(mcp).sessions() == 3);
            for (var c : calls) {
                assertThat(c.get().text()).startsWith("slept");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> endpoint(mcp).sessions() == 1);
            assertThat(endpoint(mcp).sessionsClosed()).isEqualTo(2);
        }
    }

    @Test
    void stickyKeysGetTheirOwnSessionAndExpireWhenIdle() {
        PoolSettings pool = PoolSettings.builder().mode(PoolMode.STICKY).maxSessions(4)
                .idleTimeout(Duration.ofSeconds(3)).build();
        try (McpPool mcp = McpPool.builder().server(Servers.testkit("stateful", pool).build())
                .housekeepingInterval(Duration.ofMillis(100)).build()) {
            CallOptions alice = CallOptions.builder().affinityKey("alice").build();
            CallOptions bob = CallOptions.builder().affinityKey("bob").build();
            Map<String, Object> inc = Map.of("action", "increment");
            assertThat(mcp.callTool("stateful", "counter", inc, alice).text()).isEqualTo("1");
            assertThat(mcp.callTool("stateful", "counter", inc, alice).text()).isEqualTo("2");
            assertThat(mcp.callTool("stateful", "counter", inc, bob).text()).isEqualTo("1");
            assertThat(mcp.callTool("stateful", "counter", inc, alice).text()).isEqualTo("3");
            assertThat(endpoint(mcp).sessions()).isEqualTo(2);
            await().atMost(Duration.ofSeconds(15)).until(() -> endpoint(mcp).sessions() == 0);
            // an expired key starts over on a new session
            assertThat(mcp.callTool("stateful", "counter", inc, alice).text()).isEqualTo("1");
        }
    }
}
