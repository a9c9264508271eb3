package io.mcppool.it.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mcppool.call.CallOptions;
import io.mcppool.McpPool;
import io.mcppool.it.interop.Interop.ProgressLog;
import io.mcppool.status.EndpointSnapshot;
import io.mcppool.protocol.CallToolResult;
import io.mcppool.protocol.Progress;
import io.mcppool.protocol.Tool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pool against {@code @modelcontextprotocol/server-everything} over stdio
 * ({@code node dist/index.js stdio}). Never calls {@code get-env}: it dumps the environment.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EverythingStdioTest {
    private static final String SERVER = "everything";

    private static String script;
    private static Set<Long> before;
    private static McpPool pool;

    @BeforeAll
    static void startPool() {
        script = NpmPeers.script(NpmPeers.EVERYTHING).toString();
        before = ChildProcesses.matching(script, "stdio");
        pool = Interop.pool(SERVER, NpmPeers.everythingStdio(), 1, 2);
    }

    @AfterAll
    static void closePool() {
        if (pool != null) {
            pool.close();
        }
        assertThat(ChildProcesses.awaitGone(before, Duration.ofSeconds(10), script, "stdio"))
                .as("server-everything processes still running after pool.close()").isEmpty();
    }

    @Test
    void listsItsTools() {
        List<Tool> tools = pool.listTools(SERVER);
        assertThat(Interop.names(tools)).contains("echo", "get-sum", "trigger-long-running-operation");
        Tool longRunning = tools.stream().filter(t -> t.name().equals("trigger-long-running-operation"))
                .findFirst().orElseThrow();
        assertThat(longRunning.inputSchema().path("properties").has("duration")).isTrue();
        assertThat(longRunning.inputSchema().path("properties").has("steps")).isTrue();
        Tool echo = tools.stream().filter(t -> t.name().equals("echo")).findFirst().orElseThrow();
        assertThat(echo.annotationsOrEmpty().readOnlyHint()).isTrue();
    }

    /**
     * After {@code notifications/initialized} the server registers the tools that depend on the
     * client's capabilities and sends {@code tools/list_changed}: the pool's cached list must follow.
     * The pool declares neither sampling, elicitation nor roots, so the tools needing them stay away.
     */
    @Test
    void toolListFollowsListChangedAndMatchesTheDeclaredCapabilities() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(Interop.names(pool.listTools(SERVER))).contains("simulate-research-query"));
        assertThat(Interop.names(pool.listTools(SERVER)))
                .doesNotContain("get-roots-list", "trigger-sampling-request", "trigger-elicitation-request",
                        "trigger-sampling-request-async", "trigger-elicitation-request-async")
                .hasSize(13)
                .doesNotHaveDuplicates();
    }

    @Test
    void echoAndGetSum() {
        assertThat(pool.callTool(SERVER, "echo", Map.of("message", "hi everything")).text())
                .isEqualTo("Echo: hi everything");
        CallToolResult sum = pool.callTool(SERVER, "get-sum", Map.of("a", 19, "b", 23));
        assertThat(sum.failed()).isFalse();
        assertThat(sum.text()).isEqualTo("The sum of 19 and 23 is 42.");
    }

    @Test
    void progressFromALongRunningOperation() {
        ProgressLog progress = new ProgressLog();
        CallToolResult r = pool.callTool(SERVER, "trigger-long-running-operation", Map.of("duration", 1, "steps", 3),
                CallOptions.builder().onProgress(progress).timeout(Duration.ofSeconds(20)).build());
        assertThat(r.text()).isEqualTo("Long running operation completed. Duration: 1 seconds, Steps: 3.");
        assertThat(progress.values()).containsExactly(1.0, 2.0, 3.0);
        assertThat(progress.all()).extracting(Progress::total).containsOnly(3.0);
    }

    @Test
    void twoHundredConcurrentEchoesOnTwoSessions() {
        String name = "everything-load";
        Set<Long> mine = ChildProcesses.matching(script, "stdio");
        try (McpPool load = Interop.pool(name, NpmPeers.everythingStdio(), 1, 2)) {
            List<String> payloads = new ArrayList<>();
            List<CompletableFuture<CallToolResult>> calls = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                // a few payloads with characters a newline-delimited wire must escape
                String payload = "payload-" + i + (i % 10 == 0 ? " line\nbreak \"q\" ✓" : "");
                payloads.add(payload);
                calls.add(load.callToolAsync(name, "echo", Map.of("message", payload)));
            }
            CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            for (int i = 0; i < 200; i++) {
                assertThat(calls.get(i).join().text()).as("call %d", i).isEqualTo("Echo: " + payloads.get(i));
            }
            EndpointSnapshot endpoint = load.snapshot().servers().get(0).endpoints().get(0);
            assertThat(endpoint.sessionsOpened()).as("sessions opened").isBetween(1L, 2L);
            assertThat(endpoint.sessions()).isLessThanOrEqualTo(2);
            // The second session's arrival has the catalog list the server again, in the background: bounded wait.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    load.snapshot().servers().get(0).endpoints().get(0).inFlight()).isZero());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertThat(ChildProcesses.awaitGone(mine, Duration.ofSeconds(10), script, "stdio"))
                .as("the load pool's server-everything processes after close()").isEmpty();
    }
}
