package io.mcppool.it.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mcppool.McpPool;
import io.mcppool.config.CacheSettings;
import io.mcppool.config.SharedCacheSettings;
import io.mcppool.metrics.McpPoolMetrics;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The cache's meters after real traffic, as Prometheus scrapes them. */
class CacheMetricsTest {

    static double value(String scrape, String series) {
        return scrape.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(
                l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(Double.NaN);
    }

    @Test
    void hitsMissesCoalescedEvictionsAndTheGaugesShowInTheScrape() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort(); // nothing listens there once closed: the shared cache is down from the start
        }
        SharedCacheSettings shared = new SharedCacheSettings(Optional.of(URI.create("redis://127.0.0.1:" + closedPort)),
                "it-metrics:", Optional.empty(), Duration.ofMillis(100));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        McpPoolMetrics metrics = McpPoolMetrics.builder().build(registry);
        try (McpPool pool = McpPool.create(CacheTestkit.config(CacheTestkit.server("tk", true,
                        CacheSettings.ttl(Duration.ofMinutes(1)).withLimits(2, 1_000_000), Map.of()).build())
                .withSharedCache(shared), List.of(metrics))) {
            metrics.bindTo(pool);
            CacheTestkit.ready(pool);
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.resultCache().stats().sharedState().equals("degraded"));

            pool.callTool("tk", "echo", Map.of("message", "a"));   // miss
            pool.callTool("tk", "echo", Map.of("message", "a"));   // hit
            pool.callTool("tk", "echo", Map.of("message", "b"));   // miss
            pool.callTool("tk", "echo", Map.of("message", "c"));   // miss: over maxEntries 2, "a" goes
            CompletableFuture<?> first = pool.callToolAsync("tk", "sleep", Map.of("ms", 500));
            CompletableFuture<?> second = pool.callToolAsync("tk", "sleep", Map.of("ms", 500));
            first.get();
            second.get();

            String scrape = registry.scrape();
            String echo = "{gen_ai_tool_name=\"echo\",server=\"tk\"}";
            assertThat(value(scrape, "mcp_pool_cache_hits_total" + echo)).isEqualTo(1.0);
            assertThat(value(scrape, "mcp_pool_cache_misses_total" + echo)).isEqualTo(3.0);
            assertThat(value(scrape, "mcp_pool_cache_evictions_total{gen_ai_tool_name=\"echo\",reason=\"size\",server=\"tk\"}"))
                    .as("a went for c, b for sleep").isEqualTo(2.0);
            assertThat(value(scrape, "mcp_pool_cache_coalesced_total{gen_ai_tool_name=\"sleep\",server=\"tk\"}"))
                    .isEqualTo(1.0);
            assertThat(value(scrape, "mcp_pool_cache_entries")).isEqualTo(2.0); // sleep pushed out "b"
            assertThat(value(scrape, "mcp_pool_cache_size_bytes")).isPositive();
            assertThat(value(scrape, "mcp_pool_cache_shared_degraded")).isEqualTo(1.0);
        } finally {
            metrics.close();
        }
    }
}
