package io.mcppool.metrics;

import io.mcppool.status.HealthStatus;
import io.mcppool.status.BreakerState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.mcppool.call.ErrorType;
import io.mcppool.McpPool;
import io.mcppool.status.PoolSnapshot;
import io.mcppool.cache.CacheStats;
import io.mcppool.cache.Cacheability;
import io.mcppool.events.CacheEvictionCause;
import io.mcppool.events.CallContext;
import io.mcppool.events.CallOutcome;
import io.mcppool.events.PoolEvents;
import io.mcppool.events.SessionCloseReason;
import io.mcppool.metrics.MeterKeys.CallKey;
import io.mcppool.metrics.MeterKeys.EndpointKey;
import io.mcppool.metrics.MeterKeys.ToolKey;
import io.mcppool.metrics.MeterKeys.TransitionKey;
import io.mcppool.status.EndpointSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters for an {@link McpPool}: a {@link PoolEvents} listener that counts and times what the
 * pool reports, plus gauges that read the pool's {@linkplain McpPool#snapshot() snapshot}. Every meter,
 * its Prometheus name, tags and meaning are listed in {@code docs/metrics.md}.
 *
 * <pre>{@code
 * // on a running pool (events before this line are not counted):
 * try (McpPoolMetrics metrics = McpPoolMetrics.bind(pool, registry)) { ... }
 *
 * // from the pool's first event on (the first session's opening included):
 * McpPoolMetrics metrics = McpPoolMetrics.builder().percentileHistograms(true).build(registry);
 * McpPool pool = McpPool.builder().server(...).eventListener(metrics).build();
 * metrics.bindTo(pool);
 * }</pre>
 *
 * <p>Tags are low-cardinality only: server, endpoint, MCP method, tool, outcome, error type, reason and
 * state; never request or session ids. Each meter name always carries the same tag keys (Prometheus
 * needs that): a tag that does not apply has the value {@value #NONE}. A server's tools beyond
 * {@link Builder#maxToolsPerServer} distinct names are tagged {@value #OTHER}, so callers that make up
 * tool names cannot grow the number of series without bound.
 *
 * <p>The hot path ({@code acquireEnded} and {@code callEnded}) does one map lookup each, keyed by a small
 * record, then records on a cached meter: no tag building, no meter registration. The other hooks of
 * a call do nothing.
 *
 * <p>{@link #close()} removes the listener from the pool and every meter this binding registered from
 * the registry. One binding per pool and registry; to bind several pools to one registry, give each
 * its own {@link Builder#extraTags extra tags}.
 */
public final class McpPoolMetrics implements PoolEvents, AutoCloseable {

    // ------------------------------------------------------------------ meter names (Micrometer style)

    /** Timer: MCP requests through the pool (OpenTelemetry MCP semantic conventions). */
    public static final String OPERATION_DURATION = "mcp.client.operation.duration";
    /** Timer: waits for an in-flight slot. */
    public static final String ACQUIRE_DURATION = "mcp.pool.acquire.duration";
    /** Counter: waits for a slot that ended without one. */
    public static final String ACQUIRE_TIMEOUTS = "mcp.pool.acquire.timeouts";
    /** Gauge: callers waiting for a slot. */
    public static final String ACQUIRE_PENDING = "mcp.pool.acquire.pending";
    /** Gauge: requests in flight. */
    public static final String REQUESTS_IN_FLIGHT = "mcp.pool.requests.in_flight";
    /** Gauge: sessions by state (active, idle, opening). */
    public static final String SESSIONS = "mcp.pool.sessions";
    /** Gauge: in-flight requests over the slots of the open sessions. */
    public static final String UTILIZATION = "mcp.pool.utilization";
    /** Counter: sessions opened. */
    public static final String SESSIONS_OPENED = "mcp.pool.sessions.opened";
    /** Counter: sessions closed, by reason. */
    public static final String SESSIONS_CLOSED = "mcp.pool.sessions.closed";
    /** Counter: failed attempts to open a session. */
    public static final String SESSION_OPEN_FAILURES = "mcp.pool.sessions.open.failures";
    /** Counter: retries scheduled, by error type. */
    public static final String RETRIES = "mcp.pool.retries";
    /** Gauge: circuit breaker state (0 closed, 1 half-open, 2 open, -1 unknown). */
    public static final String BREAKER_STATE = "mcp.pool.breaker.state";
    /** Counter: circuit breaker state changes, by from and to. */
    public static final String BREAKER_TRANSITIONS = "mcp.pool.breaker.transitions";
    /** Gauge: endpoint health (2 healthy, 1 degraded, 0 unhealthy, -1 unknown). */
    public static final String HEALTH = "mcp.pool.endpoint.health";
    /** Counter: endpoint health changes, by from and to. */
    public static final String HEALTH_TRANSITIONS = "mcp.pool.endpoint.health.transitions";
    /** Counter: stdio server processes started. */
    public static final String PROCESS_STARTS = "mcp.pool.process.starts";
    /** Counter: stdio server processes ended, by reason (requested, unexpected). */
    public static final String PROCESS_EXITS = "mcp.pool.process.exits";
    /** Counter: crashed processes restarted by supervision. */
    public static final String PROCESS_RESTARTS = "mcp.pool.process.restarts";
    /** Lines a server wrote outside the protocol that were over the log limit and not logged. */
    public static final String UPSTREAM_LINES_SKIPPED = "mcp.pool.upstream.log.lines.skipped";
    /** Counter: calls answered by the result cache. */
    public static final String CACHE_HITS = "mcp.pool.cache.hits";
    /** Counter: cacheable calls the result cache had no entry for. */
    public static final String CACHE_MISSES = "mcp.pool.cache.misses";
    /** Counter: calls that joined an identical call in flight instead of making their own. */
    public static final String CACHE_COALESCED = "mcp.pool.cache.coalesced";
    /** Counter: entries the result cache dropped, by reason (expired, size, invalidated). */
    public static final String CACHE_EVICTIONS = "mcp.pool.cache.evictions";
    /** Gauge: results held in memory by the result cache. */
    public static final String CACHE_ENTRIES = "mcp.pool.cache.entries";
    /** Gauge: the JSON size of the results held in memory. */
    public static final String CACHE_SIZE = "mcp.pool.cache.size";
    /** Gauge: 1 while the shared (Redis) cache is down and bypassed, 0 while it is in use. */
    public static final String CACHE_SHARED_DEGRADED = "mcp.pool.cache.shared.degraded";
    /** Counter: configuration reloads. */
    public static final String CONFIG_RELOADS = "mcp.pool.config.reloads";

    // ------------------------------------------------------------------ tag keys and fixed values

    /** Tag key: the pool's name for the server. */
    public static final String TAG_SERVER = "server";
    /** Tag key: the endpoint, as the pool labels it, secrets masked. */
    public static final String TAG_ENDPOINT = "endpoint";
    /** OpenTelemetry's key for the MCP method ({@code tools/call}, {@code tools/list}, ...). */
    public static final String TAG_METHOD = "mcp.method.name";
    /** OpenTelemetry's key for the tool name; used for the tool on every meter that has one. */
    public static final String TAG_TOOL = "gen_ai.tool.name";
    /** OpenTelemetry's key for the class of error: {@link ErrorType#tagValue()}, or {@value #NONE}. */
    public static final String TAG_ERROR_TYPE = "error.type";
    /** Tag key: {@code success}, {@code tool_error} or {@code failure}. */
    public static final String TAG_OUTCOME = "outcome";
    /** Tag key: why a session closed or a cache entry left. */
    public static final String TAG_REASON = "reason";
    /** Tag key: a breaker's or an endpoint's state. */
    public static final String TAG_STATE = "state";
    /** Tag key: the state a transition left. */
    public static final String TAG_FROM = "from";
    /** Tag key: the state a transition entered. */
    public static final String TAG_TO = "to";
    /** Which output of a server: stderr, stdout, log. */
    public static final String TAG_STREAM = "stream";

    /** The value of a tag that does not apply (no tool, no error, no endpoint yet). */
    public static final String NONE = "none";
    /** The tool tag of a server's tools beyond {@link Builder#maxToolsPerServer} distinct names. */
    public static final String OTHER = "_other";
    private static final List<String> SKIPPED_STREAMS = List.of("stderr", "stdout", "log");

    private static final Set<String> OWN_TAG_KEYS = Set.of(TAG_SERVER, TAG_ENDPOINT, TAG_METHOD, TAG_TOOL,
            TAG_ERROR_TYPE, TAG_OUTCOME, TAG_REASON, TAG_STATE, TAG_FROM, TAG_TO);

    private static final CallOutcome[] OUTCOMES = CallOutcome.values();
    private static final ErrorType[] ERROR_TYPES = ErrorType.values();
    private static final SessionCloseReason[] CLOSE_REASONS = SessionCloseReason.values();
    private static final CacheEvictionCause[] EVICTION_CAUSES = CacheEvictionCause.values();
    /** The cache counters of one (server, tool): hits, misses, coalesced, then evictions by cause. */
    private static final int HIT = 0;
    private static final int MISS = 1;
    private static final int COALESCED = 2;
    private static final int EVICTED = 3;
    /** Slots per outcome in a call's timer array: "no error" plus one per error type. */
    private static final int ERROR_SLOTS = ERROR_TYPES.length + 1;

    private static final Duration CALL_MIN = Duration.ofMillis(1);
    private static final Duration CALL_MAX = Duration.ofMinutes(5);
    private static final Duration ACQUIRE_MIN = Duration.ofNanos(100_000);
    private static final Duration ACQUIRE_MAX = Duration.ofMinutes(1);

    private final MeterRegistry registry;
    private final Tags extraTags;
    private final boolean percentileHistograms;
    private final double[] percentiles;
    private final long snapshotTtlNanos;
    private final int maxToolsPerServer;

    private final ConcurrentHashMap<CallKey, CallMeters> calls = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<EndpointKey, EndpointMeters> endpoints = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<EndpointKey, AtomicReferenceArray<Counter>> retries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<ToolKey, Counter[]> cache = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<TransitionKey, Counter> breakerTransitions = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<TransitionKey, Counter> healthTransitions = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ToolNames> toolNames = new ConcurrentHashMap<>();
    private final Set<Meter> meters = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lifecycle = new ReentrantLock();
    private final Counter configReloads;
    /** The shared cache's state as last reported: 1 degraded, 0 up. */
    private volatile double sharedDegraded;
    private final java.util.concurrent.atomic.AtomicBoolean sharedGauge = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicBoolean cacheGauges = new java.util.concurrent.atomic.AtomicBoolean();

    private volatile McpPool pool;
    private volatile SnapshotCache snapshots;
    private volatile boolean closed;

    private McpPoolMetrics(Builder b, MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.extraTags = b.extraTags;
        this.percentileHistograms = b.percentileHistograms;
        this.percentiles = b.percentiles.clone();
        this.snapshotTtlNanos = b.snapshotTtl.toNanos();
        this.maxToolsPerServer = b.maxToolsPerServer;
        this.configReloads = track(Counter.builder(CONFIG_RELOADS)
                .description("Configuration reloads of the pool")
                .tags(extraTags).register(registry));
    }

    /**
     * Binds a running pool to {@code registry} with the default options: adds the listener and the
     * gauges. Events the pool reported before this call are not counted (see {@link Builder#build}).
     */
    /** Meters for {@code pool} in {@code registry}, with the defaults; {@link #close()} removes them. */
    public static McpPoolMetrics bind(McpPool pool, MeterRegistry registry) {
        return builder().bind(pool, registry);
    }

    /** A builder, for other histogram and naming settings than the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Adds the gauges that read {@code pool}'s state (sessions by state, in flight, pending acquires,
     * utilization, and the breaker and health state of every endpoint). For a listener made with
     * {@link Builder#build} and given to {@link McpPool.Builder#eventListener}; this does not add the
     * listener to the pool again. {@link #close()} then also removes the listener from the pool.
     *
     * @throws IllegalStateException if this binding already has a pool, or is closed
     */
    public McpPoolMetrics bindTo(McpPool pool) {
        Objects.requireNonNull(pool, "pool");
        lifecycle.lock();
        try {
            if (closed) {
                throw new IllegalStateException("this metrics binding is closed");
            }
            if (this.pool != null) {
                throw new IllegalStateException("this metrics binding already has a pool");
            }
            this.pool = pool;
            this.snapshots = new SnapshotCache(pool, snapshotTtlNanos);
            syncEndpoints();
            registerCacheGauges(pool);
        } finally {
            lifecycle.unlock();
        }
        return this;
    }

    /** Removes the listener from the pool (when bound) and every meter this binding registered. */
    @Override
    public void close() {
        lifecycle.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            McpPool p = pool;
            if (p != null) {
                p.removeEventListener(this);
            }
            for (Meter m : meters) {
                registry.remove(m);
            }
            meters.clear();
            calls.clear();
            endpoints.clear();
            retries.clear();
            cache.clear();
            breakerTransitions.clear();
            healthTransitions.clear();
            toolNames.clear();
        } finally {
            lifecycle.unlock();
        }
    }

    @Override
    public String toString() {
        return "McpPoolMetrics(" + registry.getClass().getSimpleName() + (extraTags.stream().findAny().isPresent()
                ? ", " + extraTags : "") + ")";
    }

    // ------------------------------------------------------------------ hot path

    @Override
    public void acquireEnded(CallContext call, long waitedNanos, boolean acquired) {
        EndpointMeters m = endpoints.get(new EndpointKey(call.server(), endpointOrNone(call.endpoint())));
        if (m == null && (m = endpointSlow(call.server(), call.endpoint())) == null) {
            return;
        }
        if (acquired) {
            m.acquired.record(waitedNanos, TimeUnit.NANOSECONDS);
        } else {
            m.acquireFailed.record(waitedNanos, TimeUnit.NANOSECONDS);
            m.acquireTimeouts.increment();
        }
    }

    @Override
    public void callEnded(CallContext call, CallOutcome outcome, ErrorType errorType, long durationNanos) {
        CallMeters m = calls.get(new CallKey(call.server(), call.method(), call.toolOrNull()));
        if (m == null && (m = callSlow(call.server(), call.method(), call.toolOrNull())) == null) {
            return;
        }
        m.timer(outcome, errorType).record(durationNanos, TimeUnit.NANOSECONDS);
    }

    // ------------------------------------------------------------------ other events

    @Override
    public void retryScheduled(CallContext call, int nextAttempt, Duration backoff, ErrorType cause) {
        if (closed) {
            return;
        }
        EndpointKey key = new EndpointKey(call.server(), endpointOrNone(call.endpoint()));
        AtomicReferenceArray<Counter> byType = retries.computeIfAbsent(key,
                k -> new AtomicReferenceArray<>(ERROR_SLOTS));
        int i = cause == null ? 0 : cause.ordinal() + 1;
        Counter c = byType.get(i);
        if (c == null) {
            c = track(Counter.builder(RETRIES)
                    .description("Retries scheduled after a failed attempt, by the attempt's error type")
                    .tags(endpointTags(key.server(), key.endpoint()))
                    .tag(TAG_ERROR_TYPE, cause == null ? NONE : cause.tagValue())
                    .register(registry));
            byType.set(i, c);
        }
        c.increment();
    }

    @Override
    public void sessionOpened(String server, String endpoint, String protocolVersion) {
        EndpointMeters m = endpoint(server, endpoint);
        if (m != null) {
            m.opened.increment();
        }
    }

    @Override
    public void sessionClosed(String server, String endpoint, SessionCloseReason reason) {
        EndpointMeters m = endpoint(server, endpoint);
        if (m != null && reason != null) {
            m.closedByReason[reason.ordinal()].increment();
        }
    }

    @Override
    public void sessionOpenFailed(String server, String endpoint, Throwable cause) {
        EndpointMeters m = endpoint(server, endpoint);
        if (m != null) {
            m.openFailures.increment();
        }
    }

    @Override
    public void processStarted(String server, String endpoint, long pid) {
        EndpointMeters m = endpoint(server, endpoint);
        if (m != null) {
            m.processStarts.increment();
        }
    }

    @Override
    public void processExited(String server, String endpoint, long pid, int exitCode, boolean expected) {
        EndpointMeters m = endpoint(server, endpoint);
        if (m != null) {
            (expected ? m.processExitsRequested : m.processExitsUnexpected).increment();
        }
    }

    @Override
    public void processRestarted(String server, String endpoint, long pid, int restarts) {
        EndpointMeters m = endpoint(server, endpoint);
        if (m != null) {
            m.processRestarts.increment();
        }
    }

    @Override
    public void upstreamLinesSkipped(String server, String endpoint, String stream, long lines) {
        EndpointMeters m = endpoint(server, endpoint);
        if (m != null) {
            m.linesSkipped(stream).increment(lines);
        }
    }

    @Override
    public void breakerStateChanged(String server, String endpoint, BreakerState from, BreakerState to) {
        EndpointMeters m = endpoint(server, endpoint);
        if (m == null) {
            return;
        }
        m.registerStateGauges();
        m.breakerState = breakerValue(to.tagValue());
        transition(breakerTransitions, BREAKER_TRANSITIONS, "Circuit breaker state changes of the endpoint",
                m, from.tagValue(), to.tagValue()).increment();
    }

    @Override
    public void healthChanged(String server, String endpoint, HealthStatus from, HealthStatus to, String reason) {
        EndpointMeters m = endpoint(server, endpoint);
        if (m == null) {
            return;
        }
        m.registerStateGauges();
        m.health = healthValue(to.tagValue());
        transition(healthTransitions, HEALTH_TRANSITIONS, "Health status changes of the endpoint",
                m, from.tagValue(), to.tagValue()).increment();
    }

    @Override
    public void cacheHit(String server, String tool) {
        Counter[] c = cacheCounters(server, tool);
        if (c != null) {
            c[HIT].increment();
        }
    }

    @Override
    public void cacheMiss(String server, String tool) {
        Counter[] c = cacheCounters(server, tool);
        if (c != null) {
            c[MISS].increment();
        }
    }

    @Override
    public void callCoalesced(String server, String tool) {
        Counter[] c = cacheCounters(server, tool);
        if (c != null) {
            c[COALESCED].increment();
        }
    }

    @Override
    public void cacheEvicted(String server, String tool, CacheEvictionCause cause) {
        Counter[] c = cacheCounters(server, tool);
        if (c != null && cause != null) {
            c[EVICTED + cause.ordinal()].increment();
        }
    }

    @Override
    public void sharedCacheStateChanged(boolean degraded, String reason) {
        sharedDegraded = degraded ? 1 : 0;
        registerSharedGauge();
    }

    /**
     * The gauges of the result cache, when the pool caches anything: entries and bytes in memory, and the shared
     * cache's state when there is one (0 from the start, so an alert has a series before the first outage).
     */
    private void registerCacheGauges(McpPool pool) {
        if (!pool.config().servers().values().stream().anyMatch(Cacheability::configured)) {
            return;
        }
        if (pool.config().sharedCache().redisUrl().isPresent()) {
            CacheStats now = pool.resultCache().stats();
            sharedDegraded = "degraded".equals(now.sharedState()) ? 1 : 0;
            registerSharedGauge();
        }
        if (closed || !cacheGauges.compareAndSet(false, true)) {
            return;
        }
        io.mcppool.cache.ResultCache cache = pool.resultCache();
        track(Gauge.builder(CACHE_ENTRIES, cache, c -> c.stats().entries())
                .description("Results the result cache holds in memory").tags(extraTags).register(registry));
        track(Gauge.builder(CACHE_SIZE, cache, c -> c.stats().bytes())
                .description("JSON size of the results the result cache holds in memory").baseUnit("bytes")
                .tags(extraTags).register(registry));
    }

    private void registerSharedGauge() {
        if (closed || !sharedGauge.compareAndSet(false, true)) {
            return;
        }
        track(Gauge.builder(CACHE_SHARED_DEGRADED, this, m -> m.sharedDegraded)
                .description("1 while the shared (Redis) result cache is down and bypassed, 0 while it is in use")
                .tags(extraTags).register(registry));
    }

    @Override
    public void configReloaded(List<String> added, List<String> removed, List<String> changed) {
        if (closed) {
            return;
        }
        configReloads.increment();
        lifecycle.lock();
        try {
            if (!closed && pool != null) {
                syncEndpoints();
            }
        } finally {
            lifecycle.unlock();
        }
    }

    // ------------------------------------------------------------------ state values

    /**
     * The breaker gauge's value for a state name: 0 when it lets every call through ({@code closed},
     * and resilience4j's {@code disabled} and {@code metrics_only}), 1 when it lets trial calls through
     * ({@code half_open}), 2 when it refuses calls ({@code open}, {@code forced_open}); -1 otherwise.
     */
    static double breakerValue(String state) {
        if (state == null) {
            return -1;
        }
        return switch (state.toLowerCase(Locale.ROOT)) {
            case "closed", "disabled", "metrics_only" -> 0;
            case "half_open" -> 1;
            case "open", "forced_open" -> 2;
            default -> -1;
        };
    }

    /** The health gauge's value: 2 healthy, 1 degraded, 0 unhealthy, -1 anything else (unknown). */
    static double healthValue(String state) {
        if (state == null) {
            return -1;
        }
        return switch (state.toLowerCase(Locale.ROOT)) {
            case "healthy" -> 2;
            case "degraded" -> 1;
            case "unhealthy" -> 0;
            default -> -1;
        };
    }

    // ------------------------------------------------------------------ meter caches

    private static String endpointOrNone(String endpoint) {
        return endpoint == null ? NONE : endpoint;
    }

    private EndpointMeters endpoint(String server, String endpoint) {
        EndpointMeters m = endpoints.get(new EndpointKey(server, endpointOrNone(endpoint)));
        return m != null ? m : endpointSlow(server, endpoint);
    }

    private EndpointMeters endpointSlow(String server, String endpoint) {
        if (closed || server == null) {
            return null;
        }
        return endpoints.computeIfAbsent(new EndpointKey(server, endpointOrNone(endpoint)), EndpointMeters::new);
    }

    private CallMeters callSlow(String server, String method, String tool) {
        if (closed || server == null || method == null) {
            return null;
        }
        String toolTag = toolTag(server, tool);
        if (toolTag == OTHER) {
            // Not cached under the raw name: unknown names must not grow the map either.
            return calls.computeIfAbsent(new CallKey(server, method, OTHER), k -> new CallMeters(server, method, OTHER));
        }
        return calls.computeIfAbsent(new CallKey(server, method, tool), k -> new CallMeters(server, method, toolTag));
    }

    private Counter[] cacheCounters(String server, String tool) {
        Counter[] c = cache.get(new ToolKey(server, tool));
        if (c != null) {
            return c;
        }
        if (closed || server == null) {
            return null;
        }
        String toolTag = toolTag(server, tool);
        String keyTool = toolTag == OTHER ? OTHER : tool;
        return cache.computeIfAbsent(new ToolKey(server, keyTool), k -> {
            Tags tags = Tags.of(TAG_SERVER, server, TAG_TOOL, toolTag).and(extraTags);
            Counter[] made = new Counter[EVICTED + EVICTION_CAUSES.length];
            made[HIT] = track(Counter.builder(CACHE_HITS).description("Calls answered by the result cache")
                    .tags(tags).register(registry));
            made[MISS] = track(Counter.builder(CACHE_MISSES).description("Cacheable calls the result cache had no entry for")
                    .tags(tags).register(registry));
            made[COALESCED] = track(Counter.builder(CACHE_COALESCED)
                    .description("Calls that joined an identical call in flight instead of making their own")
                    .tags(tags).register(registry));
            for (CacheEvictionCause cause : EVICTION_CAUSES) {
                made[EVICTED + cause.ordinal()] = track(Counter.builder(CACHE_EVICTIONS)
                        .description("Entries the result cache dropped: expired, size (over maxEntries or maxBytes),"
                                + " invalidated")
                        .tags(tags).tag(TAG_REASON, cause.tagValue()).register(registry));
            }
            return made;
        });
    }

    private Counter transition(ConcurrentHashMap<TransitionKey, Counter> map, String name, String description,
                               EndpointMeters m, String from, String to) {
        String f = from == null ? NONE : from;
        String t = to == null ? NONE : to;
        return map.computeIfAbsent(new TransitionKey(m.key.server(), m.key.endpoint(), f, t),
                k -> track(Counter.builder(name).description(description)
                        .tags(m.tags).tag(TAG_FROM, f).tag(TAG_TO, t).register(registry)));
    }

    /** The tool's tag value: the name, {@value #NONE} when there is none, {@value #OTHER} past the cap. */
    private String toolTag(String server, String tool) {
        if (tool == null || tool.isEmpty()) {
            return NONE;
        }
        return toolNames.computeIfAbsent(server, s -> new ToolNames()).admit(tool, maxToolsPerServer) ? tool : OTHER;
    }

    private Tags endpointTags(String server, String endpoint) {
        return Tags.of(TAG_SERVER, server, TAG_ENDPOINT, endpoint).and(extraTags);
    }

    private <M extends Meter> M track(M meter) {
        meters.add(meter);
        if (closed) {
            // Registered by an event that raced with close(): take it out again.
            registry.remove(meter);
            meters.remove(meter);
        }
        return meter;
    }

    private Timer newTimer(String name, String description, Tags tags, Duration min, Duration max) {
        Timer.Builder b = Timer.builder(name).description(description).tags(tags);
        if (percentileHistograms) {
            b.publishPercentileHistogram(true).minimumExpectedValue(min).maximumExpectedValue(max);
        }
        if (percentiles.length > 0) {
            b.publishPercentiles(percentiles);
        }
        return track(b.register(registry));
    }

    /** Registers gauges for every endpoint the pool has now; takes those of endpoints that are gone away. */
    private void syncEndpoints() {
        PoolSnapshot snapshot = pool.snapshot();
        Set<EndpointKey> live = new HashSet<>();
        for (PoolSnapshot.ServerSnapshot server : snapshot.servers()) {
            for (EndpointSnapshot e : server.endpoints()) {
                EndpointMeters m = endpoint(server.name(), e.endpoint());
                if (m == null) {
                    continue;
                }
                live.add(m.key);
                m.registerStateGauges();
                m.registerPoolGauges();
            }
        }
        for (EndpointMeters m : endpoints.values()) {
            if (!live.contains(m.key)) {
                m.removeGauges();
            }
        }
        snapshots.invalidate();
    }

    /** Distinct tool names seen for one server, up to a cap. */
    private static final class ToolNames {
        private final Set<String> names = ConcurrentHashMap.newKeySet();
        private final ReentrantLock lock = new ReentrantLock();

        boolean admit(String tool, int max) {
            if (names.contains(tool)) {
                return true;
            }
            lock.lock();
            try {
                if (names.contains(tool)) {
                    return true;
                }
                if (names.size() >= max) {
                    return false;
                }
                names.add(tool);
                return true;
            } finally {
                lock.unlock();
            }
        }
    }

    /** The operation timers of one (server, method, tool), one per (outcome, error type), made on first use. */
    private final class CallMeters {
        private final Tags tags;
        private final AtomicReferenceArray<Timer> timers = new AtomicReferenceArray<>(OUTCOMES.length * ERROR_SLOTS);

        CallMeters(String server, String method, String toolTag) {
            this.tags = Tags.of(TAG_SERVER, server, TAG_METHOD, method, TAG_TOOL, toolTag).and(extraTags);
        }

        Timer timer(CallOutcome outcome, ErrorType errorType) {
            int i = outcome.ordinal() * ERROR_SLOTS + (errorType == null ? 0 : errorType.ordinal() + 1);
            Timer t = timers.get(i);
            if (t == null) {
                t = newTimer(OPERATION_DURATION,
                        "Duration of MCP requests made through the pool, from the call to its result or failure",
                        tags.and(TAG_OUTCOME, outcome.tagValue(), TAG_ERROR_TYPE,
                                errorType == null ? NONE : errorType.tagValue()),
                        CALL_MIN, CALL_MAX);
                timers.set(i, t);
            }
            return t;
        }
    }

    /** Everything counted per endpoint, registered when the endpoint is first seen. */
    private final class EndpointMeters {
        final EndpointKey key;
        final Tags tags;
        final Timer acquired;
        final Timer acquireFailed;
        final Counter acquireTimeouts;
        final Counter opened;
        final Counter openFailures;
        final Counter[] closedByReason = new Counter[CLOSE_REASONS.length];
        final Counter processStarts;
        final Counter processExitsRequested;
        final Counter processExitsUnexpected;
        final Counter processRestarts;
        /** By stream: stderr, stdout, log. */
        final Counter[] linesSkipped = new Counter[SKIPPED_STREAMS.size()];
        volatile double breakerState;
        volatile double health = -1;
        private final List<Meter> gauges = new ArrayList<>();
        private boolean stateGauges;
        private boolean poolGauges;

        EndpointMeters(EndpointKey key) {
            this.key = key;
            this.tags = endpointTags(key.server(), key.endpoint());
            String acquireHelp = "Time a request waited for an in-flight slot";
            acquired = newTimer(ACQUIRE_DURATION, acquireHelp, tags.and(TAG_OUTCOME, "acquired"), ACQUIRE_MIN, ACQUIRE_MAX);
            acquireFailed = newTimer(ACQUIRE_DURATION, acquireHelp, tags.and(TAG_OUTCOME, "failed"), ACQUIRE_MIN,
                    ACQUIRE_MAX);
            acquireTimeouts = counter(ACQUIRE_TIMEOUTS,
                    "Waits for an in-flight slot that ended without one (acquire timeout, no session could be opened,"
                            + " pool closed, or the caller cancelled)", tags);
            opened = counter(SESSIONS_OPENED, "Sessions opened (handshake done) and added to the pool", tags);
            openFailures = counter(SESSION_OPEN_FAILURES, "Failed attempts to open a session", tags);
            for (SessionCloseReason r : CLOSE_REASONS) {
                closedByReason[r.ordinal()] = counter(SESSIONS_CLOSED, "Sessions that left the pool, by reason",
                        tags.and(TAG_REASON, r.tagValue()));
            }
            processStarts = counter(PROCESS_STARTS, "Stdio server processes started", tags);
            String exitsHelp = "Stdio server processes that ended: requested by the pool, or unexpected";
            processExitsRequested = counter(PROCESS_EXITS, exitsHelp, tags.and(TAG_REASON, "requested"));
            processExitsUnexpected = counter(PROCESS_EXITS, exitsHelp, tags.and(TAG_REASON, "unexpected"));
            processRestarts = counter(PROCESS_RESTARTS, "Crashed stdio server processes restarted by supervision",
                    tags);
            for (int i = 0; i < linesSkipped.length; i++) {
                linesSkipped[i] = counter(UPSTREAM_LINES_SKIPPED, "Lines a server wrote outside the protocol (stderr, "
                        + "stdout lines that are not JSON-RPC, log notifications) that were over logLinesPerMinute and "
                        + "not logged", tags.and(TAG_STREAM, SKIPPED_STREAMS.get(i)));
            }
        }

        Counter linesSkipped(String stream) {
            int i = SKIPPED_STREAMS.indexOf(stream);
            return linesSkipped[i < 0 ? SKIPPED_STREAMS.size() - 1 : i];
        }

        private Counter counter(String name, String description, Tags tags) {
            return track(Counter.builder(name).description(description).tags(tags).register(registry));
        }

        synchronized void registerStateGauges() {
            if (stateGauges || closed) {
                return;
            }
            stateGauges = true;
            gauges.add(track(Gauge.builder(BREAKER_STATE, this, m -> m.breakerState)
                    .description("Circuit breaker state of the endpoint: 0 closed, 1 half-open, 2 open, -1 unknown")
                    .tags(tags).register(registry)));
            gauges.add(track(Gauge.builder(HEALTH, this, m -> m.health)
                    .description("Health of the endpoint: 2 healthy, 1 degraded, 0 unhealthy, -1 unknown (not checked)")
                    .tags(tags).register(registry)));
        }

        synchronized void registerPoolGauges() {
            if (poolGauges || closed) {
                return;
            }
            poolGauges = true;
            String sessionsHelp = "Sessions of the endpoint by state: active (requests in flight), idle, opening";
            gauges.add(poolGauge(SESSIONS, sessionsHelp, tags.and(TAG_STATE, "active"), null,
                    s -> s.sessions() - s.idleSessions()));
            gauges.add(poolGauge(SESSIONS, sessionsHelp, tags.and(TAG_STATE, "idle"), null,
                    EndpointSnapshot::idleSessions));
            gauges.add(poolGauge(SESSIONS, sessionsHelp, tags.and(TAG_STATE, "opening"), null,
                    EndpointSnapshot::opening));
            gauges.add(poolGauge(REQUESTS_IN_FLIGHT, "Requests in flight on the endpoint's sessions", tags, null,
                    EndpointSnapshot::inFlight));
            gauges.add(poolGauge(ACQUIRE_PENDING, "Callers waiting for an in-flight slot", tags, null,
                    EndpointSnapshot::pendingAcquires));
            gauges.add(poolGauge(UTILIZATION, "In-flight requests over the slots of the open sessions (0 to 1)", tags,
                    "ratio", EndpointSnapshot::utilization));
        }

        private Gauge poolGauge(String name, String description, Tags tags, String unit,
                                ToDoubleFunction<EndpointSnapshot> value) {
            EndpointKey k = key;
            return track(Gauge.builder(name, this, m -> m.poolValue(k, value))
                    .description(description).tags(tags).baseUnit(unit).register(registry));
        }

        private double poolValue(EndpointKey k, ToDoubleFunction<EndpointSnapshot> value) {
            SnapshotCache c = snapshots;
            EndpointSnapshot s = c == null ? null : c.get(k);
            return s == null ? Double.NaN : value.applyAsDouble(s);
        }

        synchronized void removeGauges() {
            for (Meter g : gauges) {
                registry.remove(g);
                meters.remove(g);
            }
            gauges.clear();
            stateGauges = false;
            poolGauges = false;
        }
    }

    /** Options of a binding. */
    public static final class Builder {
        private boolean percentileHistograms;
        private double[] percentiles = new double[0];
        private Tags extraTags = Tags.empty();
        private Duration snapshotTtl = Duration.ofSeconds(1);
        private int maxToolsPerServer = 200;

        private Builder() {
        }

        /** The config file's {@code metrics} section: {@code percentileHistograms} and {@code percentiles}. */
        public Builder settings(io.mcppool.config.MetricsSettings settings) {
            percentileHistograms(settings.percentileHistograms());
            return percentiles(settings.percentiles().stream().mapToDouble(Double::doubleValue).toArray());
        }

        /**
         * Publishes histogram buckets for the two timers ({@code mcp.client.operation.duration} from 1 ms
         * to 5 min, {@code mcp.pool.acquire.duration} from 0.1 ms to 1 min), so Prometheus can compute
         * percentiles across instances with {@code histogram_quantile}. Off by default: each bucket is a
         * series per tag combination.
         */
        public Builder percentileHistograms(boolean enabled) {
            this.percentileHistograms = enabled;
            return this;
        }

        /**
         * Percentiles computed in this process and published with the timers (for example 0.5, 0.95,
         * 0.99), over a sliding window of a few minutes. They cannot be aggregated across instances.
         * None by default.
         */
        public Builder percentiles(double... percentiles) {
            for (double p : percentiles) {
                if (!(p >= 0 && p <= 1)) {
                    throw new IllegalArgumentException("a percentile is between 0 and 1; got " + p);
                }
            }
            this.percentiles = percentiles.clone();
            return this;
        }

        /** Tags added to every meter, for example the pool's or the application's name. */
        public Builder extraTags(Iterable<Tag> tags) {
            Tags t = Tags.of(tags);
            for (Tag tag : t) {
                if (OWN_TAG_KEYS.contains(tag.getKey())) {
                    throw new IllegalArgumentException("extra tag '" + tag.getKey()
                            + "' clashes with a tag of the pool's meters; the pool's own tags are " + OWN_TAG_KEYS);
                }
            }
            this.extraTags = t;
            return this;
        }

        /** Tags added to every meter, as key, value, key, value, ... */
        public Builder extraTags(String... keyValues) {
            return extraTags(Tags.of(keyValues));
        }

        /**
         * How long the gauges reuse one snapshot of the pool (default 1 s), so that a scrape reading every
         * gauge takes one snapshot rather than one per gauge. Zero: a fresh snapshot on every read.
         */
        public Builder snapshotTtl(Duration ttl) {
            if (ttl.isNegative()) {
                throw new IllegalArgumentException("snapshotTtl must not be negative; got " + ttl);
            }
            this.snapshotTtl = ttl;
            return this;
        }

        /**
         * Distinct tool names per server that get a tag value of their own (default 200); calls to further
         * names are tagged {@value McpPoolMetrics#OTHER}. Guards against callers that send made-up names.
         */
        public Builder maxToolsPerServer(int max) {
            if (max < 0) {
                throw new IllegalArgumentException("maxToolsPerServer must not be negative; got " + max);
            }
            this.maxToolsPerServer = max;
            return this;
        }

        /**
         * A listener not yet bound to a pool: give it to {@link McpPool.Builder#eventListener} so it counts
         * from the pool's first event, then call {@link McpPoolMetrics#bindTo} for the gauges.
         */
        public McpPoolMetrics build(MeterRegistry registry) {
            return new McpPoolMetrics(this, registry);
        }

        /** Adds a new listener to the running {@code pool} and binds its gauges. */
        public McpPoolMetrics bind(McpPool pool, MeterRegistry registry) {
            McpPoolMetrics metrics = build(registry);
            pool.addEventListener(metrics);
            try {
                return metrics.bindTo(pool);
            } catch (RuntimeException e) {
                metrics.close();
                throw e;
            }
        }
    }
}
