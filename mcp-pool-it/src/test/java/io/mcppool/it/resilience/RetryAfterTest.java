package io.mcppool.it.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.call.ErrorType;
import io.mcppool.McpPool;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.HealthSettings;
import io.mcppool.config.PoolSettings;
import io.mcppool.config.RetrySettings;
import io.mcppool.config.ServerConfig;
import io.mcppool.protocol.CallToolResult;
import io.mcppool.protocol.Json;
import io.mcppool.testkit.TestServer;
import io.mcppool.testkit.TestkitHttpServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 3 acceptance: a throttled call (HTTP 429 with {@code Retry-After: 1}) is tried again after the
 * server's one second, not after the retry policy's own (tiny) backoff, and then succeeds.
 */
class RetryAfterTest {
    private TestkitHttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aThrottledCallWaitsForRetryAfterAndThenSucceeds() {
        // A tool that notes when a call reached it (same JVM: the same nanoTime clock as the server's log).
        List<Long> reached = new CopyOnWriteArrayList<>();
        ObjectNode schema = Json.object().put("type", "object");
        schema.putObject("properties").putObject("message").put("type", "string");
        server = TestkitHttpServer.start(TestServer.builder()
                .tool("stamp", schema, ctx -> {
                    reached.add(System.nanoTime());
                    return CallToolResult.text(ctx.arguments().path("message").asText());
                })
                .build());
        ServerConfig config = ServerConfig.builder("throttled", new EndpointConfig.Http(server.uri()))
                .pool(PoolSettings.builder().minSessions(1).keepaliveInterval(Duration.ZERO).build())
                .health(HealthSettings.DISABLED)
                .retry(RetrySettings.builder().maxAttempts(3).initialBackoff(Duration.ofMillis(10))
                        .maxBackoff(Duration.ofMillis(20)).build())
                .build();
        EventLog events = new EventLog();
        try (McpPool pool = McpPool.builder().server(config).eventListener(events).build()) {
            // The session is open and the tool list loaded before the 429 is armed: it must hit the tools/call.
            assertThat(pool.callTool("throttled", "stamp", Map.of("message", "warm")).text()).isEqualTo("warm");
            reached.clear();
            server.respondWith(429, Duration.ofSeconds(1), 1, "tools/call");

            long start = System.nanoTime();
            CallToolResult result = pool.callTool("throttled", "stamp", Map.of("message", "after a wait"));
            long took = System.nanoTime() - start;

            assertThat(result.text()).isEqualTo("after a wait");
            assertThat(server.cannedReplies()).hasSize(1);
            TestkitHttpServer.CannedReply refused = server.cannedReplies().get(0);
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.method()).isEqualTo("tools/call");
            assertThat(reached).as("the tool ran once, on the second attempt").hasSize(1);
            long between = reached.get(0) - refused.atNanos();

            List<EventLog.Retry> retries = events.retries.stream().filter(r -> "stamp".equals(r.call().toolOrNull()))
                    .toList();
            assertThat(retries).hasSize(1);
            EventLog.Retry retry = retries.get(0);
            new Figures("RetryAfterTest: 429 with Retry-After: 1 on the first tools/call, policy backoff 10-20 ms")
                    .put("retryScheduled backoff", retry.backoff().toMillis() + " ms")
                    .put("first attempt -> second attempt at the server", Figures.millis(between))
                    .put("call took", Figures.millis(took))
                    .print();

            assertThat(retry.nextAttempt()).isEqualTo(2);
            assertThat(retry.cause()).isEqualTo(ErrorType.THROTTLED);
            assertThat(retry.backoff()).isEqualTo(Duration.ofSeconds(1));
            assertThat(between).as("from the 429 to the second attempt, ns")
                    .isBetween(TimeUnit.MILLISECONDS.toNanos(900), TimeUnit.MILLISECONDS.toNanos(1600));
            assertThat(events.picks.stream().filter(p -> "stamp".equals(p.call().toolOrNull()))).hasSize(3);
        }
    }
}
