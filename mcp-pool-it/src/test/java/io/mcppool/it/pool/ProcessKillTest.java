package io.mcppool.it.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mcppool.McpPool;
import io.mcppool.call.TransportFailureException;
import io.mcppool.config.PoolSettings;
import io.mcppool.protocol.CallToolResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Acceptance 4: a killed server fails its in-flight calls fast and is replaced in the background. */
class ProcessKillTest {

    @Test
    void inFlightCallsFailFastAndThePoolRecovers() throws Exception {
        PoolSettings pool = PoolSettings.builder().minSessions(1).maxSessions(1).maxConcurrentRequests(32).build();
        try (McpPool mcp = McpPool.builder().server(Servers.testkit("victim", pool).build()).build()) {
            assertThat(mcp.callTool("victim", "echo", Map.of("message", "warm")).text()).isEqualTo("warm");
            List<ProcessHandle> before = Servers.testkitChildren();
            assertThat(before).hasSize(1);

            List<CompletableFuture<CallToolResult>> inFlight = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                inFlight.add(mcp.callToolAsync("victim", "sleep", Map.of("ms", 20_000)));
            }
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    mcp.snapshot().servers().get(0).endpoints().get(0).inFlight() == 10);

            long killedAt = System.nanoTime();
            before.get(0).destroyForcibly();
            for (CompletableFuture<CallToolResult> f : inFlight) {
                try {
                    f.get(2, TimeUnit.SECONDS);
                    throw new AssertionError("a call on the killed process succeeded");
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(TransportFailureException.class)
                            .hasMessageContaining("server 'victim'")
                            .hasMessageContaining("exited");
                }
            }
            long failedWithinMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
            assertThat(failedWithinMs).as("in-flight calls fail fast").isLessThan(2000);

            // The replacement is opened in the background; a later call succeeds on it.
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() ->
                    "after".equals(mcp.callTool("victim", "echo", Map.of("message", "after")).text()));
            List<ProcessHandle> after = Servers.testkitChildren();
            assertThat(after).hasSize(1);
            assertThat(after.get(0).pid()).isNotEqualTo(before.get(0).pid());
        }
    }
}
