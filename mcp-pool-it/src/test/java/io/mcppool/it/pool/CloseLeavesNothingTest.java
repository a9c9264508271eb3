package io.mcppool.it.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mcppool.call.CallOptions;
import io.mcppool.McpPool;
import io.mcppool.config.PoolMode;
import io.mcppool.config.PoolSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Acceptance 6: after close() no child process and no thread the pool started is left. */
class CloseLeavesNothingTest {

    @Test
    void closeEndsEveryProcessAndThread() {
        Set<Thread> threadsBefore = Thread.getAllStackTraces().keySet();
        McpPool mcp = McpPool.builder()
                .server(Servers.testkit("multi", PoolSettings.builder().minSessions(2).maxSessions(3).build()).build())
                .server(Servers.testkit("sticky", PoolSettings.builder().mode(PoolMode.STICKY).maxSessions(3).build()).build())
                .server(Servers.testkit("exclusive", PoolSettings.builder().mode(PoolMode.EXCLUSIVE).minSessions(1)
                        .maxSessions(2).build()).build())
                .shutdownGrace(Duration.ofSeconds(2))
                .build();
        try {
            List<Object> results = new ArrayList<>();
            for (String key : List.of("alice", "bob")) {
                results.add(mcp.callTool("sticky", "echo", Map.of("message", key),
                        CallOptions.builder().affinityKey(key).build()).text());
            }
            results.add(mcp.callTool("multi", "echo", Map.of("message", "m")).text());
            results.add(mcp.callTool("exclusive", "echo", Map.of("message", "e")).text());
            assertThat(results).containsExactly("alice", "bob", "m", "e");
            // A call still running at close is given the grace period, then its process is ended.
            mcp.callToolAsync("multi", "sleep", Map.of("ms", 60_000));
            assertThat(Servers.testkitChildren()).hasSizeGreaterThanOrEqualTo(5);
        } finally {
            mcp.close();
        }
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList())
                .as("child processes after close").isEmpty();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            Set<String> started = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> !threadsBefore.contains(t) && t.isAlive())
                    .filter(t -> t.getName().startsWith("mcp-pool"))
                    .map(t -> t.getName() + (t.isDaemon() ? " (daemon)" : " (NON-daemon)"))
                    .collect(Collectors.toSet());
            assertThat(started).as("threads the pool started, still alive").isEmpty();
        });
        // Awaitility's own poller thread is the test's, not the pool's: it may still be ending as the wait returns.
        assertThat(Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !threadsBefore.contains(t) && t.isAlive() && !t.isDaemon())
                .map(Thread::getName).filter(name -> !name.startsWith("awaitility")).toList())
                .as("non-daemon threads started during the test").isEmpty();
    }
}
