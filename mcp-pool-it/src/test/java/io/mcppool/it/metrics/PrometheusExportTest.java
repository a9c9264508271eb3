package io.mcppool.it.metrics;

import io.mcppool.status.HealthStatus;
import io.mcppool.status.BreakerState;
import static io.mcppool.it.metrics.TestkitServers.endpoint;
import static io.mcppool.it.metrics.TestkitServers.oneSession;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mcppool.call.CallOptions;
import io.mcppool.call.CallTimeoutException;
import io.mcppool.call.ErrorType;
import io.mcppool.McpPool;
import io.mcppool.call.UnknownToolException;
import io.mcppool.events.CallContext;
import io.mcppool.metrics.McpPoolMetrics;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 4, acceptance 2: the Prometheus text of a registry bound to a pool after real traffic passes
 * {@code promtool check metrics} (format and lint: counters end in {@code _total}, base units, help
 * text). promtool comes from Debian's {@code prometheus} package, which {@code .ci/run} installs; a
 * machine without it fails this test rather than skip it.
 */
class PrometheusExportTest {

    /** Every family the binding exports once every hook has fired, by its Prometheus name and type. */
    static final Map<String, String> FAMILIES = Map.ofEntries(
            Map.entry("mcp_client_operation_duration_seconds", "summary"),
            Map.entry("mcp_client_operation_duration_seconds_max", "gauge"),
            Map.entry("mcp_pool_acquire_duration_seconds", "summary"),
            Map.entry("mcp_pool_acquire_duration_seconds_max", "gauge"),
            Map.entry("mcp_pool_acquire_timeouts_total", "counter"),
            Map.entry("mcp_pool_acquire_pending", "gauge"),
            Map.entry("mcp_pool_requests_in_flight", "gauge"),
            Map.entry("mcp_pool_sessions", "gauge"),
            Map.entry("mcp_pool_utilization_ratio", "gauge"),
            Map.entry("mcp_pool_sessions_opened_total", "counter"),
            Map.entry("mcp_pool_sessions_closed_total", "counter"),
            Map.entry("mcp_pool_sessions_open_failures_total", "counter"),
            Map.entry("mcp_pool_retries_total", "counter"),
            Map.entry("mcp_pool_breaker_state", "gauge"),
            Map.entry("mcp_pool_breaker_transitions_total", "counter"),
            Map.entry("mcp_pool_endpoint_health", "gauge"),
            Map.entry("mcp_pool_endpoint_health_transitions_total", "counter"),
            Map.entry("mcp_pool_process_starts_total", "counter"),
            Map.entry("mcp_pool_process_exits_total", "counter"),
            Map.entry("mcp_pool_process_restarts_total", "counter"),
            Map.entry("mcp_pool_cache_hits_total", "counter"),
            Map.entry("mcp_pool_cache_misses_total", "counter"),
            Map.entry("mcp_pool_config_reloads_total", "counter"));

    @Test
    void defaultExportPassesPromtool() throws Exception {
        String text = scrapeAfterTraffic(McpPoolMetrics.builder());
        for (Map.Entry<String, String> family : FAMILIES.entrySet()) {
            assertThat(text).as("family %s", family.getKey())
                    .contains("# TYPE " + family.getKey() + " " + family.getValue() + "\n");
        }
        assertThat(text).contains("mcp_client_operation_duration_seconds_count{error_type=\"none\","
                + "gen_ai_tool_name=\"echo\",mcp_method_name=\"tools/call\",outcome=\"success\",server=\"tk\"} 3");
        assertThat(text).contains("error_type=\"tool_error\",gen_ai_tool_name=\"fail\"");
        assertThat(text).contains("error_type=\"timeout\",gen_ai_tool_name=\"sleep\"");
        assertThat(text).contains("error_type=\"invalid_request\",gen_ai_tool_name=\"no_such_tool\"");
        assertThat(text).contains("gen_ai_tool_name=\"none\",mcp_method_name=\"tools/list\"");
        assertPromtoolAccepts(text, "default");
    }

    @Test
    void histogramsAndPercentilesPassPromtool() throws Exception {
        String text = scrapeAfterTraffic(McpPoolMetrics.builder().percentileHistograms(true).percentiles(0.5, 0.95, 0.99)
                .extraTags("pool", "it"));
        assertThat(text).contains("# TYPE mcp_client_operation_duration_seconds histogram\n")
                .contains("# TYPE mcp_pool_acquire_duration_seconds histogram\n")
                .contains("mcp_client_operation_duration_seconds_bucket{")
                .contains("pool=\"it\"");
        assertPromtoolAccepts(text, "histograms");
    }

    @Test
    void promtoolRejectsWhatItShould() throws Exception {
        // The check is real: a counter without _total and a non-base unit are reported.
        String bad = """
                # HELP calls_ms Calls.
                # TYPE calls_ms counter
                calls_ms 1
                """;
        PromtoolResult r = promtool(bad);
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output()).contains("_total");
    }

    /** Real traffic on the testkit server, plus the hooks nothing fires yet (breaker, health, retry, cache...). */
    private static String scrapeAfterTraffic(McpPoolMetrics.Builder options) throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        McpPoolMetrics metrics = options.build(registry);
        try (McpPool pool = McpPool.builder().server(oneSession("tk")).eventListener(metrics).build()) {
            metrics.bindTo(pool);
            for (int i = 0; i < 3; i++) {
                pool.callTool("tk", "echo", Map.of("message", "m" + i));
            }
            assertThat(pool.callTool("tk", "fail", Map.of("message", "x")).failed()).isTrue();
            assertThatThrownBy(() -> pool.callTool("tk", "sleep", Map.of("ms", 5000),
                    CallOptions.builder().timeout(Duration.ofMillis(200)).build())).isInstanceOf(CallTimeoutException.class);
            assertThatThrownBy(() -> pool.callTool("tk", "no_such_tool", Map.of())).isInstanceOf(UnknownToolException.class);
            pool.listTools("tk");
            CompletableFuture<?> inFlight = pool.callToolAsync("tk", "sleep", Map.of("ms", 300));

            String ep = endpoint(pool, "tk").endpoint();
            CallContext call = new CallContext("tk", "tools/call", "echo", System.nanoTime());
            call.endpoint(ep);
            metrics.retryScheduled(call, 2, Duration.ofMillis(100), ErrorType.TRANSPORT_FAILURE);
            metrics.breakerStateChanged("tk", ep, BreakerState.CLOSED, BreakerState.OPEN);
            metrics.healthChanged("tk", ep, HealthStatus.HEALTHY, HealthStatus.UNHEALTHY, "3 failed checks");
            metrics.processRestarted("tk", ep, 4242, 1);
            metrics.cacheHit("tk", "echo");
            metrics.cacheMiss("tk", "echo");
            metrics.callCoalesced("tk", "echo");
            metrics.cacheEvicted("tk", "echo", io.mcppool.events.CacheEvictionCause.SIZE);
            metrics.sharedCacheStateChanged(true, "read failed: connection refused");
            metrics.configReloaded(List.of(), List.of(), List.of("tk"));

            String text = registry.scrape();
            inFlight.get(10, TimeUnit.SECONDS);
            return text;
        } finally {
            metrics.close();
        }
    }

    record PromtoolResult(int exitCode, String output) {
    }

    /** Checks {@code text}, and keeps it in {@code target/metrics/} for whoever reads a failure. */
    static void assertPromtoolAccepts(String text, String name) throws Exception {
        Path kept = Path.of("target", "metrics", "prometheus-" + name + ".txt");
        Files.createDirectories(kept.getParent());
        Files.writeString(kept, text);
        PromtoolResult r = promtool(text);
        System.out.println("promtool check metrics: exit " + r.exitCode() + ", output: "
                + (r.output().isBlank() ? "(none)" : r.output()));
        if (r.exitCode() != 0 || !r.output().isBlank()) {
            fail("promtool check metrics rejected the Prometheus text (exit " + r.exitCode() + "):\n" + r.output()
                    + "\n--- the text ---\n" + text);
        }
    }

    static PromtoolResult promtool(String text) throws IOException, InterruptedException {
        Path promtool = findPromtool();
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("promtool check metrics did not finish within 30 s");
        }
        return new PromtoolResult(p.exitValue(), output);
    }

    static Path findPromtool() {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.concat(Stream.of(path.split(File.pathSeparator)), Stream.of("/usr/bin", "/usr/local/bin"))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "promtool"))
                .filter(Files::isExecutable)
                .findFirst()
                .orElseGet(() -> fail("promtool is not installed, so the Prometheus output cannot be checked"
                        + " (issue 4, acceptance 2). Run .ci/run, which installs Debian's 'prometheus' package, or"
                        + " 'apt-get install --no-install-recommends prometheus' yourself."));
    }
}
