package io.mcppool.it.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.mcppool.call.ErrorType;
import io.mcppool.McpPool;
import io.mcppool.call.PoolClosedException;
import io.mcppool.config.PoolSettings;
import io.mcppool.events.CallOutcome;
import io.mcppool.events.CallContext;
import io.mcppool.events.PoolEvents;
import io.mcppool.protocol.CallToolResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What {@code close()} promises (issue 11, finding 8): it waits for calls in flight no longer than they need,
 * never longer than {@code shutdownGrace} plus a second all told, and a call it cuts short, or a call made
 * after it, fails as {@link PoolClosedException}: its own type, not a look-alike of a full pool.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClosingTest {
    private static final PoolSettings ONE = PoolSettings.builder().minSessions(1).maxSessions(1).build();

    private static McpPool pool(String name, Duration grace, PoolEvents events) {
        return McpPool.builder().server(Servers.testkit(name, ONE).build()).shutdownGrace(grace)
                .eventListener(events).build();
    }

    @Test
    void aCallOnAClosedPoolIsPoolClosedNotPoolExhausted() {
        McpPool mcp = pool("closed", Duration.ofSeconds(2), PoolEvents.NONE);
        assertThat(mcp.callTool("closed", "echo", Map.of("message", "x")).text()).isEqualTo("x");
        mcp.close();
        assertThatThrownBy(() -> mcp.callTool("closed", "echo", Map.of("message", "y")))
                .isInstanceOf(PoolClosedException.class)
                .hasMessageContaining("server 'closed'")
                .hasMessageContaining("the pool is closed");
        assertThat(catchThrowable(() -> mcp.callToolAsync("closed", "echo", Map.of("message", "z")).get()))
                .hasCauseInstanceOf(PoolClosedException.class);
    }

    @Test
    void closeWaitsForACallInFlightOnlyAsLongAsItNeeds() throws Exception {
        McpPool mcp = pool("short", Duration.ofSeconds(20), PoolEvents.NONE);
        mcp.callTool("short", "echo", Map.of("message", "warm"));
        CompletableFuture<CallToolResult> call = mcp.callToolAsync("short", "sleep", Map.of("ms", 1500));
        awaitInFlight(mcp);
        long start = System.nanoTime();
        mcp.close();
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(call.get(5, TimeUnit.SECONDS).text()).startsWith("slept 1500");
        // It finished the call (so at least most of its 1.5 s) and did not sit out the 20 s grace.
        assertThat(tookMs).isGreaterThanOrEqualTo(500).isLessThan(10_000);
    }

    @Test
    void closeCutsACallThatOutlastsTheGraceWithinTheGracePlusASecond() throws Exception {
        List<String> ends = new CopyOnWriteArrayList<>();
        PoolEvents recorder = new PoolEvents() {
            @Override
            public void callEnded(CallContext call, CallOutcome outcome, ErrorType errorType, long durationNanos) {
                ends.add(call.method() + " " + (errorType == null ? "-" : errorType.tagValue()));
            }
        };
        Duration grace = Duration.ofSeconds(2);
        McpPool mcp = pool("long", grace, recorder);
        mcp.callTool("long", "echo", Map.of("message", "warm"));
        CompletableFuture<CallToolResult> call = mcp.callToolAsync("long", "sleep", Map.of("ms", 60_000));
        awaitInFlight(mcp);
        long start = System.nanoTime();
        mcp.close();
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(tookMs).as("close() took %d ms with a %s grace", tookMs, grace)
                .isLessThanOrEqualTo(grace.plusSeconds(1).toMillis());
        Throwable failure = catchThrowable(() -> call.get(5, TimeUnit.SECONDS));
        assertThat(failure).isInstanceOf(ExecutionException.class);
        assertThat(failure.getCause()).isInstanceOf(PoolClosedException.class)
                .hasMessageContaining("server 'long'").hasMessageContaining("tool 'sleep'");
        assertThat(ends).contains("tools/call pool_closed");
    }

    @Test
    void closeDoesNotWaitForAHealthCheckStuckOnAServerThatStoppedReading() {
        // The server reads the handshake, the catalog's listings and a few pings, then nothing more: the next health
        // check's ping holds a slot until its 30 s timeout. It is the pool's own work, not a call: close() must not
        // give it the 20 s grace.
        var config = Servers.testkit("deaf", ONE, "--stop-reading-after", "8")
                .health(new io.mcppool.config.HealthSettings(true, Duration.ofMillis(100), Duration.ofSeconds(30), 3, 1))
                .build();
        McpPool mcp = McpPool.builder().server(config).shutdownGrace(Duration.ofSeconds(20)).build();
        try {
            // A ping to a server that reads answers within milliseconds; one in flight for a whole second is stuck.
            long[] since = {0};
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
                boolean busy = mcp.snapshot().servers().get(0).endpoints().get(0).inFlight() >= 1;
                since[0] = busy ? (since[0] == 0 ? System.nanoTime() : since[0]) : 0;
                return busy && System.nanoTime() - since[0] > TimeUnit.SECONDS.toNanos(1);
            });
        } catch (RuntimeException | AssertionError e) {
            mcp.close();
            throw e;
        }
        long start = System.nanoTime();
        mcp.close();
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(tookMs).as("close() with only a stuck health check in flight").isLessThan(10_000);
    }

    private static void awaitInFlight(McpPool mcp) {
        await().atMost(Duration.ofSeconds(20)).until(() ->
                mcp.snapshot().servers().get(0).endpoints().get(0).inFlight() >= 1);
    }
}
