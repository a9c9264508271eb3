package io.mcppool.metrics;

import io.mcppool.status.HealthStatus;
import io.mcppool.status.BreakerState;
import static io.mcppool.metrics.McpPoolMetrics.ACQUIRE_DURATION;
import static io.mcppool.metrics.McpPoolMetrics.ACQUIRE_TIMEOUTS;
import static io.mcppool.metrics.McpPoolMetrics.BREAKER_STATE;
import static io.mcppool.metrics.McpPoolMetrics.BREAKER_TRANSITIONS;
import static io.mcppool.metrics.McpPoolMetrics.CACHE_COALESCED;
import static io.mcppool.metrics.McpPoolMetrics.CACHE_EVICTIONS;
import static io.mcppool.metrics.McpPoolMetrics.CACHE_HITS;
import static io.mcppool.metrics.McpPoolMetrics.CACHE_MISSES;
import static io.mcppool.metrics.McpPoolMetrics.CACHE_SHARED_DEGRADED;
import static io.mcppool.metrics.McpPoolMetrics.CONFIG_RELOADS;
import static io.mcppool.metrics.McpPoolMetrics.HEALTH;
import static io.mcppool.metrics.McpPoolMetrics.HEALTH_TRANSITIONS;
import static io.mcppool.metrics.McpPoolMetrics.OPERATION_DURATION;
import static io.mcppool.metrics.McpPoolMetrics.PROCESS_EXITS;
import static io.mcppool.metrics.McpPoolMetrics.PROCESS_RESTARTS;
import static io.mcppool.metrics.McpPoolMetrics.PROCESS_STARTS;
import static io.mcppool.metrics.McpPoolMetrics.RETRIES;
import static io.mcppool.metrics.McpPoolMetrics.SESSIONS_CLOSED;
import static io.mcppool.metrics.McpPoolMetrics.SESSIONS_OPENED;
import static io.mcppool.metrics.McpPoolMetrics.SESSION_OPEN_FAILURES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mcppool.call.ErrorType;
import io.mcppool.events.CallContext;
import io.mcppool.config.ConfigLoader;
import io.mcppool.config.McpPoolConfig;
import io.mcppool.config.MetricsSettings;
import io.mcppool.events.CacheEvictionCause;
import io.mcppool.events.CallOutcome;
import io.mcppool.events.PoolEvents;
import io.mcppool.events.SessionCloseReason;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The listener half of the binding, driven by calling its hooks directly. */
class McpPoolMetricsTest {
    static final String EP = "testkit --stdio";

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final McpPoolMetrics metrics = McpPoolMetrics.builder().build(registry);

    /** One call through every hook of the hot path, as the pool reports it. */
    static void call(PoolEvents l, String server, String method, String tool, CallOutcome outcome, ErrorType type,
                     long durationMillis) {
        CallContext c = new CallContext(server, method, tool, System.nanoTime());
        l.callStarted(c);
        c.endpoint(EP);
        l.endpointPicked(c, EP);
        l.acquireStarted(c);
        l.acquireEnded(c, TimeUnit.MICROSECONDS.toNanos(5), true);
        l.callEnded(c, outcome, type, TimeUnit.MILLISECONDS.toNanos(durationMillis));
    }

    Timer operation(String server, String method, String tool, String outcome, String errorType) {
        return registry.get(OPERATION_DURATION).tags(McpPoolMetrics.TAG_SERVER, server, McpPoolMetrics.TAG_METHOD, method,
                McpPoolMetrics.TAG_TOOL, tool, McpPoolMetrics.TAG_OUTCOME, outcome,
                McpPoolMetrics.TAG_ERROR_TYPE, errorType).timer();
    }

    double counter(String name, String... tags) {
        return registry.get(name).tags(tags).counter().count();
    }

    double gauge(String name, String... tags) {
        return registry.get(name).tags(tags).gauge().value();
    }

    @Test
    void operationDurationIsTaggedByMethodToolOutcomeAndErrorType() {
        for (int i = 0; i < 3; i++) {
            call(metrics, "s", "tools/call", "echo", CallOutcome.SUCCESS, null, 10);
        }
        call(metrics, "s", "tools/call", "fail", CallOutcome.TOOL_ERROR, ErrorType.TOOL_ERROR, 20);
        call(metrics, "s", "tools/call", "sleep", CallOutcome.FAILURE, ErrorType.TIMEOUT, 200);
        call(metrics, "s", "tools/call", "sleep", CallOutcome.FAILURE, ErrorType.TIMEOUT, 300);
        call(metrics, "s", "tools/list", null, CallOutcome.SUCCESS, null, 1);

        Timer echo = operation("s", "tools/call", "echo", "success", "none");
        assertThat(echo.count()).isEqualTo(3);
        assertThat(echo.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(30.0);
        Timer fail = operation("s", "tools/call", "fail", "tool_error", "tool_error");
        assertThat(fail.count()).isEqualTo(1);
        Timer sleep = operation("s", "tools/call", "sleep", "failure", "timeout");
        assertThat(sleep.count()).isEqualTo(2);
        assertThat(sleep.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(500.0);
        assertThat(sleep.max(TimeUnit.MILLISECONDS)).isEqualTo(300.0);
        // no tool: the tag is "none", not empty and not absent
        assertThat(operation("s", "tools/list", "none", "success", "none").count()).isEqualTo(1);
        // exactly these four series, nothing else
        assertThat(registry.find(OPERATION_DURATION).timers()).hasSize(4);
        assertThat(registry.find(OPERATION_DURATION).timers().stream().mapToLong(Timer::count).sum()).isEqualTo(7);
    }

    @Test
    void acquireTimeIsRecordedPerEndpointAndFailedAcquiresCount() {
        CallContext c = new CallContext("s", "tools/call", "echo", System.nanoTime());
        c.endpoint(EP);
        metrics.acquireEnded(c, TimeUnit.MILLISECONDS.toNanos(2), true);
        metrics.acquireEnded(c, TimeUnit.MILLISECONDS.toNanos(150), false);
        metrics.acquireEnded(c, TimeUnit.MILLISECONDS.toNanos(150), false);

        Timer acquired = registry.get(ACQUIRE_DURATION).tags("server", "s", "endpoint", EP, "outcome", "acquired").timer();
        Timer failed = registry.get(ACQUIRE_DURATION).tags("server", "s", "endpoint", EP, "outcome", "failed").timer();
        assertThat(acquired.count()).isEqualTo(1);
        assertThat(acquired.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(2.0);
        assertThat(failed.count()).isEqualTo(2);
        assertThat(counter(ACQUIRE_TIMEOUTS, "server", "s", "endpoint", EP)).isEqualTo(2.0);
    }

    @Test
    void sessionAndProcessLifecycleCountsByReason() {
        metrics.processStarted("s", EP, 42);
        metrics.sessionOpened("s", EP, "2025-11-25");
        metrics.sessionOpenFailed("s", EP, new IllegalStateException("no"));
        metrics.sessionOpenFailed("s", EP, new IllegalStateException("no"));
        metrics.sessionClosed("s", EP, SessionCloseReason.BROKEN);
        metrics.processExited("s", EP, 42, 3, false);
        metrics.processRestarted("s", EP, 43, 1);
        metrics.processStarted("s", EP, 43);
        metrics.sessionOpened("s", EP, "2025-11-25");
        metrics.sessionClosed("s", EP, SessionCloseReason.IDLE);
        metrics.sessionClosed("s", EP, SessionCloseReason.POOL_CLOSED);
        metrics.processExited("s", EP, 43, 0, true);

        String[] ep = {"server", "s", "endpoint", EP};
        assertThat(counter(SESSIONS_OPENED, ep)).isEqualTo(2.0);
        assertThat(counter(SESSION_OPEN_FAILURES, ep)).isEqualTo(2.0);
        assertThat(counter(SESSIONS_CLOSED, "server", "s", "endpoint", EP, "reason", "broken")).isEqualTo(1.0);
        assertThat(counter(SESSIONS_CLOSED, "server", "s", "endpoint", EP, "reason", "idle")).isEqualTo(1.0);
        assertThat(counter(SESSIONS_CLOSED, "server", "s", "endpoint", EP, "reason", "pool_closed")).isEqualTo(1.0);
        assertThat(counter(SESSIONS_CLOSED, "server", "s", "endpoint", EP, "reason", "max_lifetime")).isZero();
        // every reason has a series from the start, so rate() sees the first one
        assertThat(registry.find(SESSIONS_CLOSED).counters()).hasSize(SessionCloseReason.values().length);
        assertThat(counter(PROCESS_STARTS, ep)).isEqualTo(2.0);
        assertThat(counter(PROCESS_EXITS, "server", "s", "endpoint", EP, "reason", "unexpected")).isEqualTo(1.0);
        assertThat(counter(PROCESS_EXITS, "server", "s", "endpoint", EP, "reason", "requested")).isEqualTo(1.0);
        assertThat(counter(PROCESS_RESTARTS, ep)).isEqualTo(1.0);
    }

    @Test
    void breakerStateAndTransitions() {
        metrics.breakerStateChanged("s", EP, BreakerState.CLOSED, BreakerState.OPEN);
        assertThat(gauge(BREAKER_STATE, "server", "s", "endpoint", EP)).isEqualTo(2.0);
        metrics.breakerStateChanged("s", EP, BreakerState.OPEN, BreakerState.HALF_OPEN);
        assertThat(gauge(BREAKER_STATE, "server", "s", "endpoint", EP)).isEqualTo(1.0);
        metrics.breakerStateChanged("s", EP, BreakerState.HALF_OPEN, BreakerState.OPEN);
        metrics.breakerStateChanged("s", EP, BreakerState.OPEN, BreakerState.HALF_OPEN);
        metrics.breakerStateChanged("s", EP, BreakerState.HALF_OPEN, BreakerState.CLOSED);
        assertThat(gauge(BREAKER_STATE, "server", "s", "endpoint", EP)).isEqualTo(0.0);

        assertThat(counter(BREAKER_TRANSITIONS, "server", "s", "endpoint", EP, "from", "closed", "to", "open"))
                .isEqualTo(1.0);
        assertThat(counter(BREAKER_TRANSITIONS, "server", "s", "endpoint", EP, "from", "open", "to", "half_open"))
                .isEqualTo(2.0);
        assertThat(counter(BREAKER_TRANSITIONS, "server", "s", "endpoint", EP, "from", "half_open", "to", "open"))
                .isEqualTo(1.0);
        assertThat(counter(BREAKER_TRANSITIONS, "server", "s", "endpoint", EP, "from", "half_open", "to", "closed"))
                .isEqualTo(1.0);
        assertThat(registry.find(BREAKER_TRANSITIONS).counters()).hasSize(4);
    }

    @Test
    void breakerAndHealthValues() {
        assertThat(McpPoolMetrics.breakerValue("closed")).isEqualTo(0);
        assertThat(McpPoolMetrics.breakerValue("HALF_OPEN")).isEqualTo(1);
        assertThat(McpPoolMetrics.breakerValue("open")).isEqualTo(2);
        assertThat(McpPoolMetrics.breakerValue("forced_open")).isEqualTo(2);
        assertThat(McpPoolMetrics.breakerValue("disabled")).isEqualTo(0);
        assertThat(McpPoolMetrics.breakerValue("weird")).isEqualTo(-1);
        assertThat(McpPoolMetrics.healthValue("healthy")).isEqualTo(2);
        assertThat(McpPoolMetrics.healthValue("degraded")).isEqualTo(1);
        assertThat(McpPoolMetrics.healthValue("unhealthy")).isEqualTo(0);
        assertThat(McpPoolMetrics.healthValue(null)).isEqualTo(-1);
    }

    @Test
    void healthStartsUnknownThenFollowsChanges() {
        metrics.sessionOpened("s", EP, "v"); // the endpoint is known, its state gauges are not registered yet
        assertThat(registry.find(HEALTH).gauges()).isEmpty();
        metrics.healthChanged("s", EP, HealthStatus.HEALTHY, HealthStatus.UNHEALTHY, "3 failed checks");
        assertThat(gauge(HEALTH, "server", "s", "endpoint", EP)).isEqualTo(0.0);
        // the breaker gauge came with it, at "closed"
        assertThat(gauge(BREAKER_STATE, "server", "s", "endpoint", EP)).isEqualTo(0.0);
        metrics.healthChanged("s", EP, HealthStatus.UNHEALTHY, HealthStatus.DEGRADED, "slow");
        assertThat(gauge(HEALTH, "server", "s", "endpoint", EP)).isEqualTo(1.0);
        metrics.healthChanged("s", EP, HealthStatus.DEGRADED, HealthStatus.HEALTHY, "ok");
        assertThat(gauge(HEALTH, "server", "s", "endpoint", EP)).isEqualTo(2.0);
        assertThat(counter(HEALTH_TRANSITIONS, "server", "s", "endpoint", EP, "from", "healthy", "to", "unhealthy"))
                .isEqualTo(1.0);
        assertThat(registry.find(HEALTH_TRANSITIONS).counters()).hasSize(3);
    }

    @Test
    void retriesCountByErrorType() {
        CallContext c = new CallContext("s", "tools/call", "search", System.nanoTime());
        c.endpoint(EP);
        metrics.retryScheduled(c, 2, Duration.ofMillis(100), ErrorType.TRANSPORT_FAILURE);
        metrics.retryScheduled(c, 3, Duration.ofMillis(200), ErrorType.TRANSPORT_FAILURE);
        metrics.retryScheduled(c, 2, Duration.ofMillis(100), ErrorType.THROTTLED);
        CallContext unpicked = new CallContext("s", "tools/call", "search", System.nanoTime());
        metrics.retryScheduled(unpicked, 2, Duration.ZERO, ErrorType.POOL_EXHAUSTED);

        assertThat(counter(RETRIES, "server", "s", "endpoint", EP, "error.type", "transport_failure")).isEqualTo(2.0);
        assertThat(counter(RETRIES, "server", "s", "endpoint", EP, "error.type", "throttled")).isEqualTo(1.0);
        assertThat(counter(RETRIES, "server", "s", "endpoint", "none", "error.type", "pool_exhausted")).isEqualTo(1.0);
    }

    @Test
    void cacheHitsAndMissesPerTool() {
        metrics.cacheMiss("s", "read_file");
        metrics.cacheHit("s", "read_file");
        metrics.cacheHit("s", "read_file");
        metrics.cacheHit("t", "read_file");
        assertThat(counter(CACHE_HITS, "server", "s", "gen_ai.tool.name", "read_file")).isEqualTo(2.0);
        assertThat(counter(CACHE_MISSES, "server", "s", "gen_ai.tool.name", "read_file")).isEqualTo(1.0);
        assertThat(counter(CACHE_HITS, "server", "t", "gen_ai.tool.name", "read_file")).isEqualTo(1.0);
        assertThat(counter(CACHE_MISSES, "server", "t", "gen_ai.tool.name", "read_file")).isZero();
    }

    @Test
    void coalescedCallsAndEvictionsByReasonPerTool() {
        metrics.callCoalesced("s", "read_file");
        metrics.callCoalesced("s", "read_file");
        metrics.cacheEvicted("s", "read_file", CacheEvictionCause.EXPIRED);
        metrics.cacheEvicted("s", "read_file", CacheEvictionCause.SIZE);
        metrics.cacheEvicted("s", "read_file", CacheEvictionCause.SIZE);
        metrics.cacheEvicted("s", "search", CacheEvictionCause.INVALIDATED);
        assertThat(counter(CACHE_COALESCED, "server", "s", "gen_ai.tool.name", "read_file")).isEqualTo(2.0);
        assertThat(counter(CACHE_EVICTIONS, "server", "s", "gen_ai.tool.name", "read_file", "reason", "expired"))
                .isEqualTo(1.0);
        assertThat(counter(CACHE_EVICTIONS, "server", "s", "gen_ai.tool.name", "read_file", "reason", "size"))
                .isEqualTo(2.0);
        assertThat(counter(CACHE_EVICTIONS, "server", "s", "gen_ai.tool.name", "read_file", "reason", "invalidated"))
                .isZero();
        assertThat(counter(CACHE_EVICTIONS, "server", "s", "gen_ai.tool.name", "search", "reason", "invalidated"))
                .isEqualTo(1.0);
        // hits and misses of the same tool start at zero along with them
        assertThat(counter(CACHE_HITS, "server", "s", "gen_ai.tool.name", "search")).isZero();
    }

    @Test
    void theSharedCacheGaugeFollowsItsState() {
        assertThat(registry.find(CACHE_SHARED_DEGRADED).gauge()).isNull();
        metrics.sharedCacheStateChanged(true, "read failed: connection refused");
        assertThat(gauge(CACHE_SHARED_DEGRADED)).isEqualTo(1.0);
        metrics.sharedCacheStateChanged(false, "reachable again");
        assertThat(gauge(CACHE_SHARED_DEGRADED)).isZero();
    }

    @Test
    void configReloadsCount() {
        assertThat(counter(CONFIG_RELOADS)).isZero();
        metrics.configReloaded(List.of("a"), List.of(), List.of("b"));
        assertThat(counter(CONFIG_RELOADS)).isEqualTo(1.0);
    }

    @Test
    void everyMeterNameHasOneTagKeySetAndNoIds() {
        // Drive every hook with a mix of values, then check what Prometheus needs: one tag key set per name.
        call(metrics, "s", "tools/call", "echo", CallOutcome.SUCCESS, null, 1);
        call(metrics, "s", "tools/call", "fail", CallOutcome.TOOL_ERROR, ErrorType.TOOL_ERROR, 1);
        call(metrics, "s", "tools/list", null, CallOutcome.FAILURE, ErrorType.TRANSPORT_FAILURE, 1);
        call(metrics, "t", "resources/read", null, CallOutcome.SUCCESS, null, 1);
        CallContext c = new CallContext("s", "tools/call", "echo", System.nanoTime());
        metrics.acquireEnded(c, 1, false); // no endpoint picked
        metrics.retryScheduled(c, 2, Duration.ZERO, ErrorType.TIMEOUT);
        metrics.sessionOpened("s", EP, "v");
        metrics.sessionClosed("s", EP, SessionCloseReason.MAX_LIFETIME);
        metrics.processStarted("s", EP, 1);
        metrics.processExited("s", EP, 1, 0, true);
        metrics.breakerStateChanged("s", EP, BreakerState.CLOSED, BreakerState.OPEN);
        metrics.healthChanged("t", "other endpoint", HealthStatus.UNKNOWN, HealthStatus.HEALTHY, "ok");
        metrics.cacheHit("s", "echo");
        metrics.callCoalesced("t", "echo");
        metrics.cacheEvicted("s", "read", CacheEvictionCause.SIZE);
        metrics.sharedCacheStateChanged(true, "down");
        metrics.upstreamLinesSkipped("s", EP, "stderr", 3);

        Map<String, Set<Set<String>>> keysByName = new HashMap<>();
        for (Meter m : registry.getMeters()) {
            Set<String> keys = m.getId().getTags().stream().map(Tag::getKey).collect(Collectors.toCollection(TreeSet::new));
            keysByName.computeIfAbsent(m.getId().getName(), k -> new java.util.HashSet<>()).add(keys);
            assertThat(keys).isSubsetOf(McpPoolMetrics.TAG_SERVER, McpPoolMetrics.TAG_ENDPOINT,
                    McpPoolMetrics.TAG_METHOD, McpPoolMetrics.TAG_TOOL, McpPoolMetrics.TAG_ERROR_TYPE,
                    McpPoolMetrics.TAG_OUTCOME, McpPoolMetrics.TAG_REASON, McpPoolMetrics.TAG_STATE,
                    McpPoolMetrics.TAG_FROM, McpPoolMetrics.TAG_TO, McpPoolMetrics.TAG_STREAM);
            assertThat(m.getId().getDescription()).as("description of %s", m.getId().getName()).isNotBlank();
            for (Tag t : m.getId().getTags()) {
                assertThat(t.getValue()).as("tag %s of %s", t.getKey(), m.getId().getName()).isNotEmpty();
            }
        }
        keysByName.forEach((name, sets) -> assertThat(sets).as("tag key sets of %s", name).hasSize(1));
        assertThat(keysByName.get(OPERATION_DURATION)).containsExactly(
                new TreeSet<>(Set.of("server", "mcp.method.name", "gen_ai.tool.name", "outcome", "error.type")));
    }

    @Test
    void toolNamesBeyondTheCapShareOneSeries() {
        McpPoolMetrics capped = McpPoolMetrics.builder().maxToolsPerServer(2).build(registry);
        for (int i = 0; i < 50; i++) {
            call(capped, "s", "tools/call", "made_up_" + i, CallOutcome.FAILURE, ErrorType.INVALID_REQUEST, 1);
        }
        call(capped, "s", "tools/call", "made_up_0", CallOutcome.FAILURE, ErrorType.INVALID_REQUEST, 1);
        call(capped, "other", "tools/call", "made_up_9", CallOutcome.FAILURE, ErrorType.INVALID_REQUEST, 1);
        assertThat(operation("s", "tools/call", "made_up_0", "failure", "invalid_request").count()).isEqualTo(2);
        assertThat(operation("s", "tools/call", "made_up_1", "failure", "invalid_request").count()).isEqualTo(1);
        assertThat(operation("s", "tools/call", McpPoolMetrics.OTHER, "failure", "invalid_request").count())
                .isEqualTo(48);
        // the cap is per server
        assertThat(operation("other", "tools/call", "made_up_9", "failure", "invalid_request").count()).isEqualTo(1);
        assertThat(registry.find(OPERATION_DURATION).timers()).hasSize(4);
        capped.close();
    }

    @Test
    void extraTagsGoOnEveryMeterAndMayNotClash() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        McpPoolMetrics tagged = McpPoolMetrics.builder().extraTags("pool", "main").build(registry);
        call(tagged, "s", "tools/call", "echo", CallOutcome.SUCCESS, null, 1);
        tagged.sessionOpened("s", EP, "v");
        tagged.breakerStateChanged("s", EP, BreakerState.CLOSED, BreakerState.OPEN);
        assertThat(registry.getMeters()).isNotEmpty().allSatisfy(m ->
                assertThat(m.getId().getTag("pool")).as(m.getId().getName()).isEqualTo("main"));
        assertThatThrownBy(() -> McpPoolMetrics.builder().extraTags("server", "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'server'");
        tagged.close();
    }

    @Test
    void histogramsAndPercentilesAreOptIn() {
        PrometheusMeterRegistry plainRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        McpPoolMetrics plain = McpPoolMetrics.builder().build(plainRegistry);
        call(plain, "s", "tools/call", "echo", CallOutcome.SUCCESS, null, 10);
        String text = plainRegistry.scrape();
        assertThat(text).contains("# TYPE mcp_client_operation_duration_seconds summary")
                .doesNotContain("_bucket").doesNotContain("quantile=");

        PrometheusMeterRegistry histogramRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        McpPoolMetrics withHistograms = McpPoolMetrics.builder().percentileHistograms(true).build(histogramRegistry);
        call(withHistograms, "s", "tools/call", "echo", CallOutcome.SUCCESS, null, 10);
        text = histogramRegistry.scrape();
        assertThat(text).contains("# TYPE mcp_client_operation_duration_seconds histogram")
                .contains("mcp_client_operation_duration_seconds_bucket{")
                .contains("# TYPE mcp_pool_acquire_duration_seconds histogram")
                .contains("le=\"300.0\"") // bounded at 5 min
                .doesNotContain("quantile=");

        PrometheusMeterRegistry percentileRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        McpPoolMetrics withPercentiles = McpPoolMetrics.builder().percentiles(0.5, 0.99).build(percentileRegistry);
        call(withPercentiles, "s", "tools/call", "echo", CallOutcome.SUCCESS, null, 10);
        text = percentileRegistry.scrape();
        assertThat(text).contains("quantile=\"0.5\"").contains("quantile=\"0.99\"").doesNotContain("_bucket");
        assertThatThrownBy(() -> McpPoolMetrics.builder().percentiles(95)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theConfigFilesMetricsSectionTurnsThemOn() {
        McpPoolConfig config = ConfigLoader.parse("""
                metrics: { percentileHistograms: true, percentiles: [0.5, 99%] }
                servers: { s: { url: "http://127.0.0.1:9/mcp" } }
                """, ConfigLoader.Format.YAML, "test", Map.of());
        assertThat(config.metrics().percentiles()).containsExactly(0.5, 0.99);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        McpPoolMetrics metrics = McpPoolMetrics.builder().settings(config.metrics()).build(registry);
        call(metrics, "s", "tools/call", "echo", CallOutcome.SUCCESS, null, 10);
        assertThat(registry.scrape()).contains("mcp_client_operation_duration_seconds_bucket{");
        PrometheusMeterRegistry quantiles = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        McpPoolMetrics onlyPercentiles = McpPoolMetrics.builder().settings(ConfigLoader.parse("""
                metrics: { percentiles: [0.99] }
                servers: { s: { url: "http://127.0.0.1:9/mcp" } }
                """, ConfigLoader.Format.YAML, "test", Map.of()).metrics()).build(quantiles);
        call(onlyPercentiles, "s", "tools/call", "echo", CallOutcome.SUCCESS, null, 10);
        assertThat(quantiles.scrape()).contains("quantile=\"0.99\"").doesNotContain("_bucket");
        assertThat(ConfigLoader.parse("servers: { s: { url: \"http://127.0.0.1:9/mcp\" } }", ConfigLoader.Format.YAML,
                "test", Map.of()).metrics()).isEqualTo(MetricsSettings.DEFAULTS);
        assertThatThrownBy(() -> ConfigLoader.parse("""
                metrics: { percentileHistogram: true, percentiles: [95] }
                servers: { s: { url: "http://127.0.0.1:9/mcp" } }
                """, ConfigLoader.Format.YAML, "test", Map.of()))
                .hasMessageContaining("metrics.percentileHistogram")
                .hasMessageContaining("percentileHistograms")
                .hasMessageContaining("metrics.percentiles[0]");
    }

    @Test
    void closeRemovesEveryMeterAndStopsCounting() {
        call(metrics, "s", "tools/call", "echo", CallOutcome.SUCCESS, null, 1);
        metrics.sessionOpened("s", EP, "v");
        metrics.breakerStateChanged("s", EP, BreakerState.CLOSED, BreakerState.OPEN);
        metrics.cacheHit("s", "echo");
        metrics.retryScheduled(new CallContext("s", "tools/call", "echo", 0), 2, Duration.ZERO, ErrorType.TIMEOUT);
        assertThat(registry.getMeters()).isNotEmpty();
        metrics.close();
        assertThat(registry.getMeters()).isEmpty();
        // hooks after close are ignored and register nothing
        call(metrics, "s", "tools/call", "echo", CallOutcome.SUCCESS, null, 1);
        metrics.sessionOpened("s", EP, "v");
        metrics.breakerStateChanged("s", EP, BreakerState.CLOSED, BreakerState.OPEN);
        metrics.healthChanged("s", EP, HealthStatus.HEALTHY, HealthStatus.UNHEALTHY, "x");
        metrics.cacheMiss("s", "echo");
        metrics.callCoalesced("s", "echo");
        metrics.cacheEvicted("s", "echo", CacheEvictionCause.EXPIRED);
        metrics.sharedCacheStateChanged(true, "down");
        metrics.retryScheduled(new CallContext("s", "tools/call", "echo", 0), 2, Duration.ZERO, ErrorType.TIMEOUT);
        metrics.configReloaded(List.of(), List.of(), List.of());
        assertThat(registry.getMeters()).isEmpty();
        metrics.close(); // idempotent
    }

    @Test
    void theHotPathRegistersNothingNewOnceWarm() {
        call(metrics, "s", "tools/call", "echo", CallOutcome.SUCCESS, null, 1);
        int meters = registry.getMeters().size();
        Tags before = Tags.of(registry.getMeters().stream().map(m -> Tag.of(m.getId().getName(), "x")).toList());
        for (int i = 0; i < 1000; i++) {
            call(metrics, "s", "tools/call", "echo", CallOutcome.SUCCESS, null, 1);
        }
        assertThat(registry.getMeters()).hasSize(meters);
        assertThat(Tags.of(registry.getMeters().stream().map(m -> Tag.of(m.getId().getName(), "x")).toList()))
                .isEqualTo(before);
        assertThat(operation("s", "tools/call", "echo", "success", "none").count()).isEqualTo(1001);
    }
}
