package io.mcppool.it.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.call.CallOptions;
import io.mcppool.call.CallTimeoutException;
import io.mcppool.McpPool;
import io.mcppool.config.PoolSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Acceptance 5: a 200 ms deadline on a long sleep fails at the deadline, not when the tool would end, and the
 * server sees the cancellation of exactly that request.
 */
class DeadlineTest {

    @Test
    void deadlineFailsFastAndSendsCancelledForThatRequest() {
        PoolSettings pool = PoolSettings.builder().minSessions(1).maxSessions(1).build();
        try (McpPool mcp = McpPool.builder().server(Servers.testkit("slow", pool).build()).build()) {
            mcp.callTool("slow", "echo", Map.of("message", "warm")); // session open, JIT warm

            long start = System.nanoTime();
            assertThatThrownBy(() -> mcp.callTool("slow", "sleep", Map.of("ms", 120_000),
                    CallOptions.builder().timeout(Duration.ofMillis(200)).build()))
                    .isInstanceOf(CallTimeoutException.class)
                    .hasMessageContaining("server 'slow'")
                    .hasMessageContaining("tool 'sleep'")
                    // the engine's deadline ended it, not the blocking call's safety net 10 s later (nor the sleep)
                    .hasMessageNotContaining("deadline plus");
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(tookMs).as("ms until the timeout was reported: not before the deadline").isGreaterThanOrEqualTo(195);

            // The server ran the sleep under one request id and recorded notifications/cancelled for exactly it.
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                JsonNode stats = mcp.callTool("slow", "stats", Map.of()).structuredContent();
                List<String> cancelled = new ArrayList<>();
                stats.path("cancelled").forEach(id -> cancelled.add(id.asText()));
                assertThat(cancelled).hasSize(1);
                JsonNode executed = stats.path("executionsByRequest").elements().next();
                assertThat(executed.has(cancelled.get(0))).as("cancelled id %s is one the server executed: %s",
                        cancelled.get(0), executed).isTrue();
            });
        }
    }

    @Test
    void cancellingTheFutureCancelsTheRequestAtTheServer() throws Exception {
        PoolSettings pool = PoolSettings.builder().minSessions(1).maxSessions(1).build();
        try (McpPool mcp = McpPool.builder().server(Servers.testkit("cancel", pool).build()).build()) {
            mcp.callTool("cancel", "echo", Map.of("message", "warm"));
            var call = mcp.callToolAsync("cancel", "sleep", Map.of("ms", 30_000));
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    mcp.snapshot().servers().get(0).endpoints().get(0).inFlight() == 1);
            assertThat(call.cancel(true)).isTrue();
            assertThat(call).isCancelled();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                JsonNode stats = mcp.callTool("cancel", "stats", Map.of()).structuredContent();
                assertThat(stats.path("cancelled")).hasSize(1);
            });
            // the slot came back: nothing is left in flight but the stats call just made
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    mcp.snapshot().servers().get(0).endpoints().get(0).inFlight() == 0);
        }
    }
}
