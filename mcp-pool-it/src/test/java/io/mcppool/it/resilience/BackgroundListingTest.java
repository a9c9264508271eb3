package io.mcppool.it.resilience;

import io.mcppool.status.BreakerState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mcppool.McpPool;
import io.mcppool.config.BreakerSettings;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.HealthSettings;
import io.mcppool.config.PoolSettings;
import io.mcppool.config.RetrySettings;
import io.mcppool.config.ServerConfig;
import io.mcppool.status.BreakerControl;
import io.mcppool.testkit.TestServer;
import io.mcppool.testkit.TestkitHttpServer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The catalog's background listings have no vote in an endpoint's breaker (issue 11, finding 9; documented in
 * docs/resilience.md): a server whose {@code tools/list} fails again and again, listed every 100 ms by
 * {@code catalogRefresh}, keeps a closed breaker, and the calls nobody refused go through.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BackgroundListingTest {
    private TestkitHttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void failingBackgroundListingsDoNotOpenTheBreaker() {
        server = TestkitHttpServer.start(TestServer.builder().build());
        ServerConfig config = ServerConfig.builder("listless", new EndpointConfig.Http(server.uri()))
                .pool(PoolSettings.builder().minSessions(1).keepaliveInterval(Duration.ZERO).build())
                .health(HealthSettings.DISABLED)
                .retry(RetrySettings.builder().maxAttempts(1).build())
                .breaker(BreakerSettings.builder().consecutiveFailures(2).minCalls(2).window(4)
                        .openFor(Duration.ofSeconds(30)).build())
                .catalogRefresh(Duration.ofMillis(100))
                .build();
        try (McpPool pool = McpPool.builder().server(config).build()) {
            assertThat(pool.callTool("listless", "echo", Map.of("message", "warm")).text()).isEqualTo("warm");
            int before = server.cannedReplies().size();
            server.respondWith(500, null, 10, "tools/list");
            // Ten listings answered 500, far past the two failures in a row that open this breaker (were they to
            // count, the breaker would open after two and refuse the rest).
            BreakerControl breaker = pool.circuitBreaker("listless", pool.endpoints("listless").get(0).name());
            await().atMost(Duration.ofSeconds(30)).until(() -> server.cannedReplies().size() - before >= 10
                    || breaker.state() != BreakerState.CLOSED);
            assertThat(breaker.state()).isEqualTo(BreakerState.CLOSED);
            assertThat(pool.callTool("listless", "echo", Map.of("message", "still here")).text())
                    .isEqualTo("still here");
        }
    }
}
