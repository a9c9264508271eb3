package io.mcppool.it.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.mcppool.McpPool;
import io.mcppool.config.PoolSettings;
import io.mcppool.status.EndpointSnapshot;
import io.mcppool.protocol.CallToolResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Acceptance 3: 64 callers, 2,000 calls, maxSessions 4 x 16 slots: each caller gets its own answer. */
class ConcurrentCallsTest {

    @Test
    void sixtyFourCallersGetTheirOwnAnswersFromAtMostFourProcesses() throws Exception {
        PoolSettings pool = PoolSettings.builder().minSessions(1).maxSessions(4).maxConcurrentRequests(16).build();
        int callers = 64;
        int total = 2000;
        AtomicInteger next = new AtomicInteger();
        AtomicInteger mismatches = new AtomicInteger();
        Set<Long> pids = ConcurrentHashMap.newKeySet();
        try (McpPool mcp = McpPool.builder().server(Servers.testkit("echo", pool).build()).build()) {
            ExecutorService threads = Executors.newFixedThreadPool(callers);
            try {
                List<Future<Integer>> results = new ArrayList<>();
                for (int c = 0; c < callers; c++) {
                    int caller = c;
                    results.add(threads.submit(() -> {
                        int done = 0;
                        int i;
                        while ((i = next.getAndIncrement()) < total) {
                            String payload = "caller-" + caller + "-call-" + i + "-" + "x".repeat(i % 50);
                            CallToolResult r = mcp.callTool("echo", "echo", Map.of("message", payload));
                            if (!payload.equals(r.text()) || r.failed()) {
                                mismatches.incrementAndGet();
                            }
                            done++;
                            if (done % 25 == 0) {
                                Servers.testkitChildren().forEach(p -> pids.add(p.pid()));
                            }
                        }
                        return done;
                    }));
                }
                int calls = 0;
                for (Future<Integer> f : results) {
                    calls += f.get(120, TimeUnit.SECONDS);
                }
                assertThat(calls).isEqualTo(total);
            } finally {
                threads.shutdownNow();
            }
            assertThat(mismatches).hasValue(0);
            EndpointSnapshot s = mcp.snapshot().servers().get(0).endpoints().get(0);
            assertThat(s.sessionsOpened()).as("sessions opened").isBetween(1L, 4L);
            assertThat(s.sessionsClosed()).isZero();
            assertThat(s.acquireTimeouts()).isZero();
            assertThat(pids).as("distinct server processes seen").hasSizeLessThanOrEqualTo(4);
        }
    }
}
