package io.mcppool.stats;

import io.mcppool.status.HealthStatus;
import io.mcppool.status.BreakerState;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.mcppool.call.ErrorType;
import io.mcppool.events.ObservablePool;
import io.mcppool.status.PoolSnapshot;
import io.mcppool.call.UnknownServerException;
import io.mcppool.config.ServerConfig;
import io.mcppool.events.CallContext;
import io.mcppool.events.CallOutcome;
import io.mcppool.events.PoolEvents;
import io.mcppool.events.SessionCloseReason;
import io.mcppool.config.Redaction;
import io.mcppool.status.EndpointSnapshot;
import io.mcppool.protocol.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recent statistics and the health summary of a pool: a {@link PoolEvents} listener that keeps, per server
 * and per endpoint, the calls of a recent sliding window (counts by outcome and error type, error rate,
 * latency percentiles, hit ratio of warm sessions), the last breaker, health, session and process
 * events, and from these and {@link ObservablePool#snapshot()} answers {@link #healthSummary()},
 * {@link #serverMetrics(String)}, {@link #allMetrics()} and {@link #export(String)}.
 *
 * <pre>{@code
 * PoolStats stats = PoolStats.attach(pool);            // listens from now on
 * HealthSummary health = stats.healthSummary();        // status healthy | degraded | unhealthy, and why
 * String json = stats.export("json");
 * }</pre>
 *
 * <p><b>Window.</b> {@link StatsOptions#window()} (60 s) as a ring of {@link StatsOptions#buckets()} time
 * buckets (12 x 5 s): a call counts from when it ends for between 55 and 60 s. <b>Cost on the hot path:</b>
 * {@code callEnded} and {@code acquireEnded} do two map lookups and a few lock-free counter increments
 * (striped {@code LongAdder}s, atomic arrays); there is no lock. Reading (the summaries) merges the
 * buckets and is meant for a status page or a scrape, not for every call.
 *
 * <p><b>Latency</b> percentiles come from a log-linear histogram per bucket (16 bins per power of two of
 * microseconds): within 3.2% (or 1 µs) of the exact nearest-rank value; mean and max are exact.
 *
 * <p><b>Warm hit ratio</b>: the share of slot acquisitions that got a slot within
 * {@link StatsOptions#warmThreshold()} (1 ms), meaning an open session had a free slot; misses waited for a
 * session to open, a slot to free up or a validation ping, or did not get one.
 *
 * <p><b>Status</b>: see {@link HealthRules} for the rule.
 *
 * <p><b>Time</b> comes from a {@link StatsClock}, so tests control the window with a manual clock.
 *
 * <p>Register it synchronously (not through {@link io.mcppool.events.AsyncPoolEvents}): it is cheap, and then
 * a call is counted before its caller sees the result. Thread-safe.
 */
public final class PoolStats implements PoolEvents, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PoolStats.class);
    /** The key of a server's calls that ended before an endpoint was picked. */
    static final String NO_ENDPOINT = "";

    /** The most slots an endpoint's pool may hold ({@code maxSessions} x slots per session); 0 when unknown. */
    @FunctionalInterface
    public interface MaxCapacity {
        /** The endpoint's most slots; 0 when unknown. */
        int of(String server, String endpoint);

        /** Every endpoint's capacity unknown. */
        MaxCapacity UNKNOWN = (server, endpoint) -> 0;
    }

    private final StatsOptions options;
    private final StatsClock clock;
    private final long bucketNanos;
    private final long warmNanos;
    private final long origin;
    private final Supplier<PoolSnapshot> snapshots;
    private final MaxCapacity maxCapacity;
    private final Supplier<String> prometheus;
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, EndpointStats>> servers = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<Runnable> stateListeners = new CopyOnWriteArrayList<>();
    private volatile Runnable detach;
    /** The clock is {@link System#nanoTime()}, so the times that call events carry can be used as they are. */
    private final boolean systemClock;
    /** About the latest call-event time used (written at most about once a millisecond). */
    private volatile long latestEventNanos;

    private PoolStats(Builder b) {
        this.options = b.options;
        this.clock = b.clock;
        this.bucketNanos = options.bucket().toNanos();
        this.warmNanos = options.warmThreshold().toNanos();
        this.origin = clock.nanoTime();
        this.systemClock = clock == StatsClock.system();
        this.latestEventNanos = origin;
        this.snapshots = b.snapshots;
        this.maxCapacity = b.maxCapacity;
        this.prometheus = b.prometheus;
    }

    /** Stats with the default options, listening to {@code pool} from now on. */
    /** Statistics of {@code pool} from now on, over the default window; {@link #close()} detaches them. */
    public static PoolStats attach(ObservablePool pool) {
        return builder().pool(pool).build();
    }

    /** As {@link #attach(ObservablePool)}, with another window or health rules. */
    public static PoolStats attach(ObservablePool pool, StatsOptions options) {
        return builder().pool(pool).options(options).build();
    }

    /** A builder, for statistics not attached to a pool or with a clock of their own. */
    public static Builder builder() {
        return new Builder();
    }

    /** The window and health rules these statistics use. */
    public StatsOptions options() {
        return options;
    }

    /** The time source of the window (and of alert rules over it). */
    public StatsClock clock() {
        return clock;
    }

    // ------------------------------------------------------------------ events

    private EndpointStats stats(String server, String endpoint) {
        String s = server == null ? NO_ENDPOINT : server;
        ConcurrentHashMap<String, EndpointStats> eps = servers.get(s);
        if (eps == null) {
            eps = servers.computeIfAbsent(s, k -> new ConcurrentHashMap<>(4));
        }
        String key = endpoint == null ? NO_ENDPOINT : endpoint;
        EndpointStats es = eps.get(key);
        if (es == null) {
            es = eps.computeIfAbsent(key, k -> new EndpointStats(s, k, new SlidingWindow(bucketNanos, options.buckets(),
                    origin)));
        }
        return es;
    }

    /**
     * Now, for a call event that happened at {@code eventNanos} by its own account: a call's start
     * ({@link CallContext#startNanos()}, {@link System#nanoTime()}) plus a duration. With the system clock that
     * is used as is, which spares a clock read (tens of nanoseconds) per hook; a time that looks wrong (more
     * than a bucket older than the latest seen, as from a context made with a start of 0) falls back to the
     * clock, and so does any other clock.
     */
    private long eventTime(long eventNanos) {
        if (systemClock) {
            long latest = latestEventNanos;
            long ahead = eventNanos - latest;
            if (ahead >= -bucketNanos) {
                if (ahead > 1_000_000) {
                    latestEventNanos = eventNanos;
                }
                return eventNanos;
            }
        }
        return clock.nanoTime();
    }

    @Override
    public void callEnded(CallContext call, CallOutcome outcome, ErrorType errorType, long durationNanos) {
        stats(call.server(), call.endpoint()).call(eventTime(call.startNanos() + durationNanos), outcome, errorType,
                durationNanos);
    }

    /** Counted at the call's start plus the wait: the end of the wait, or a little before it after a retry. */
    @Override
    public void acquireEnded(CallContext call, long waitedNanos, boolean acquired) {
        int kind = !acquired ? SlidingWindow.ACQUIRE_FAILED
                : waitedNanos <= warmNanos ? SlidingWindow.ACQUIRE_WARM : SlidingWindow.ACQUIRE_SLOW;
        stats(call.server(), call.endpoint()).acquire(eventTime(call.startNanos() + waitedNanos), kind);
    }

    @Override
    public void sessionOpened(String server, String endpoint, String protocolVersion) {
        EndpointStats es = stats(server, endpoint);
        es.sessionsOpened.increment();
        es.lastSessionOpenedAt = clock.instant();
        boolean was = es.openFailing;
        es.openFailing = false;
        if (was) {
            stateChanged();
        }
    }

    @Override
    public void sessionClosed(String server, String endpoint, SessionCloseReason reason) {
        EndpointStats es = stats(server, endpoint);
        es.sessionsClosed.incrementAndGet(reason.ordinal());
        if (reason == SessionCloseReason.BROKEN) {
            stateChanged();
        }
    }

    @Override
    public void sessionOpenFailed(String server, String endpoint, Throwable cause) {
        EndpointStats es = stats(server, endpoint);
        es.openFailures.increment();
        // shown on status pages: masked like log lines (a URL's user info, a --token argument)
        es.lastOpenFailure = Redaction.text(cause == null ? "unknown"
                : cause.getMessage() != null ? cause.getMessage() : cause.toString());
        es.lastOpenFailureAt = clock.instant();
        es.openFailing = true;
        stateChanged();
    }

    @Override
    public void processStarted(String server, String endpoint, long pid) {
        EndpointStats es = stats(server, endpoint);
        es.processStarts.increment();
        es.lastPid = pid;
    }

    @Override
    public void processExited(String server, String endpoint, long pid, int exitCode, boolean expected) {
        EndpointStats es = stats(server, endpoint);
        es.lastExitCode = exitCode;
        if (expected) {
            es.expectedExits.increment();
        } else {
            es.unexpectedExit(clock.nanoTime());
            stateChanged();
        }
    }

    @Override
    public void processRestarted(String server, String endpoint, long pid, int restarts) {
        EndpointStats es = stats(server, endpoint);
        es.restarts.increment();
        es.lastPid = pid;
    }

    @Override
    public void breakerStateChanged(String server, String endpoint, BreakerState from, BreakerState to) {
        EndpointStats es = stats(server, endpoint);
        es.breaker = to.tagValue();
        es.breakerChangedAt = clock.instant();
        stateChanged();
    }

    @Override
    public void healthChanged(String server, String endpoint, HealthStatus from, HealthStatus to, String reason) {
        EndpointStats es = stats(server, endpoint);
        es.health = to.tagValue();
        es.healthReason = reason == null ? null : Redaction.text(reason);
        es.healthChangedAt = clock.instant();
        stateChanged();
    }

    @Override
    public void configReloaded(List<String> added, List<String> removed, List<String> changed) {
        for (String name : removed) {
            servers.remove(name);
        }
        stateChanged();
    }

    // ------------------------------------------------------------------ state listeners (alerts)

    /**
     * {@code listener} runs after each event that may change a status: a breaker or health change, a failed
     * or (after failures) successful session open, a broken session, an unexpected process exit, a config
     * reload. It runs synchronously on the event's thread, so it must be fast; what it throws is logged.
     */
    public void addStateListener(Runnable listener) {
        stateListeners.add(Objects.requireNonNull(listener));
    }

    public boolean removeStateListener(Runnable listener) {
        return stateListeners.remove(listener);
    }

    private void stateChanged() {
        for (Runnable r : stateListeners) {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.warn("state listener {} threw; the pool is not affected", r, e);
            }
        }
    }

    // ------------------------------------------------------------------ reading

    /**
     * Unexpected process exits of an endpoint within the last {@code period} (up to the last
     * {@value EndpointStats#EXIT_HISTORY} are remembered).
     */
    public int unexpectedExitsWithin(String server, String endpoint, Duration period) {
        ConcurrentHashMap<String, EndpointStats> eps = servers.get(server);
        EndpointStats es = eps == null ? null : eps.get(endpoint == null ? NO_ENDPOINT : endpoint);
        return es == null ? 0 : es.unexpectedExitsWithin(clock.nanoTime(), period.toNanos());
    }

    /** The status of the pool, each server and each endpoint, and why. See {@link HealthRules}. */
    public HealthSummary healthSummary() {
        return HealthSummary.of(allMetrics());
    }

    /** Everything about every server and endpoint (the seeds' {@code get_all_metrics}). */
    public PoolMetrics allMetrics() {
        long now = clock.nanoTime();
        Instant at = clock.instant();
        PoolSnapshot snapshot = snapshots == null ? null : snapshots.get();
        List<ServerResult> results = new ArrayList<>();
        if (snapshot != null) {
            for (PoolSnapshot.ServerSnapshot s : snapshot.servers()) {
                results.add(server(s.name(), s, now));
            }
        } else {
            servers.keySet().stream().sorted().forEach(name -> results.add(server(name, null, now)));
        }
        SlidingWindow.Tally tally = new SlidingWindow.Tally();
        long[] totals = new long[SlidingWindow.OUTCOMES];
        List<ServerMetrics> list = new ArrayList<>();
        List<StatusRule.Named> named = new ArrayList<>();
        for (ServerResult r : results) {
            tally.add(r.tally());
            for (int i = 0; i < totals.length; i++) {
                totals[i] += r.totals()[i];
            }
            list.add(r.metrics());
            named.add(new StatusRule.Named(r.metrics().name(), r.metrics().required(),
                    new StatusRule.Verdict(r.metrics().status(), r.metrics().reasons())));
        }
        StatusRule.Verdict overall = StatusRule.overall(named);
        return new PoolMetrics(at, options.window().toSeconds(), overall.status(), overall.reasons(), window(tally),
                totals(totals), List.copyOf(list));
    }

    /**
     * Everything about one server (the seeds' {@code get_server_metrics}).
     *
     * @throws UnknownServerException when the pool has no such server (or, without a pool, no event named it)
     */
    public ServerMetrics serverMetrics(String server) {
        long now = clock.nanoTime();
        PoolSnapshot snapshot = snapshots == null ? null : snapshots.get();
        if (snapshot != null) {
            for (PoolSnapshot.ServerSnapshot s : snapshot.servers()) {
                if (s.name().equals(server)) {
                    return server(server, s, now).metrics();
                }
            }
            throw unknown(server, snapshot.servers().stream().map(PoolSnapshot.ServerSnapshot::name).toList());
        }
        if (server == null || !servers.containsKey(server)) {
            throw unknown(server, servers.keySet().stream().sorted().toList());
        }
        return server(server, null, now).metrics();
    }

    private static UnknownServerException unknown(String server, List<String> known) {
        return new UnknownServerException("no server by this name; known: "
                + (known.isEmpty() ? "(none)" : String.join(", ", known)), server, null, null, null);
    }

    /**
     * The metrics as text (the seeds' {@code export_metrics}): {@code "json"} is {@link #allMetrics()} as JSON;
     * {@code "prometheus"} is the text of the supplier given to {@link Builder#prometheus(Supplier)} (for
     * example {@code prometheusRegistry::scrape} of a registry the Micrometer binding
     * {@code io.mcppool.metrics.McpPoolMetrics} is bound to).
     *
     * @throws UnsupportedOperationException for {@code "prometheus"} when no supplier was given
     * @throws IllegalArgumentException      for any other format
     */
    public String export(String format) {
        String f = format == null ? "" : format.trim().toLowerCase(Locale.ROOT);
        switch (f) {
            case "json":
                try {
                    return Json.mapper().writeValueAsString(allMetrics());
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException("cannot write the metrics as JSON: " + e.getOriginalMessage(), e);
                }
            case "prometheus":
                if (prometheus == null) {
                    throw new UnsupportedOperationException("Prometheus text comes from the Micrometer binding: bind "
                            + "io.mcppool.metrics.McpPoolMetrics to a PrometheusMeterRegistry and scrape that registry,"
                            + " or build these stats with PoolStats.builder().prometheus(registry::scrape)");
                }
                return prometheus.get();
            default:
                throw new IllegalArgumentException("unknown metrics format '" + format + "'; use json or prometheus");
        }
    }

    /**
     * Forgets the calls in the window, the totals and the session and process counts (the seeds'
     * {@code reset_metrics}, for tests). The last reported breaker and health states and whether the last
     * session open failed are kept: they are state, not counts. Calls ending while this runs may be counted
     * on either side of it.
     */
    public void reset() {
        for (ConcurrentHashMap<String, EndpointStats> eps : servers.values()) {
            for (EndpointStats es : eps.values()) {
                es.reset();
            }
        }
    }

    /** Stops listening to the pool it was {@linkplain Builder#pool attached} to. Reading still works. */
    @Override
    public void close() {
        Runnable d = detach;
        detach = null;
        if (d != null) {
            d.run();
        }
    }

    // ------------------------------------------------------------------ computing the views

    private record ServerResult(ServerMetrics metrics, SlidingWindow.Tally tally, long[] totals) {
    }

    private ServerResult server(String name, PoolSnapshot.ServerSnapshot snap, long now) {
        ConcurrentHashMap<String, EndpointStats> eps = servers.getOrDefault(name, new ConcurrentHashMap<>());
        SlidingWindow.Tally serverTally = new SlidingWindow.Tally();
        long[] totals = new long[SlidingWindow.OUTCOMES];
        for (EndpointStats es : eps.values()) {
            es.window.addTo(serverTally, now);
            for (int i = 0; i < totals.length; i++) {
                totals[i] += es.totals[i].sum();
            }
        }
        List<EndpointMetrics> endpoints = new ArrayList<>();
        if (snap != null) {
            for (EndpointSnapshot e : snap.endpoints()) {
                endpoints.add(endpoint(name, e.endpoint(), e, eps.get(e.endpoint()), now));
            }
        } else {
            eps.keySet().stream().filter(k -> !k.equals(NO_ENDPOINT)).sorted()
                    .forEach(k -> endpoints.add(endpoint(name, k, null, eps.get(k), now)));
        }
        WindowStats w = window(serverTally);
        HealthRules rules = options.rules();
        StatusRule.Verdict v = StatusRule.server(rules, options.window(), endpoints.stream()
                .map(e -> new StatusRule.Labelled(e.endpoint(), new StatusRule.Verdict(e.status(), e.reasons())))
                .toList(), w);
        ServerMetrics m = new ServerMetrics(name, snap == null ? null : snap.transport(),
                snap == null ? -1 : snap.toolCount(), v.status(), !rules.optionalServers().contains(name), v.reasons(),
                w, totals(totals), List.copyOf(endpoints));
        return new ServerResult(m, serverTally, totals);
    }

    private EndpointMetrics endpoint(String server, String endpoint, EndpointSnapshot snap, EndpointStats es, long now) {
        SlidingWindow.Tally t = new SlidingWindow.Tally();
        long[] totals = new long[SlidingWindow.OUTCOMES];
        if (es != null) {
            es.window.addTo(t, now);
            for (int i = 0; i < totals.length; i++) {
                totals[i] = es.totals[i].sum();
            }
        }
        WindowStats w = window(t);
        EndpointMetrics.Pool pool = null;
        if (snap != null) {
            int max = maxCapacity.of(server, endpoint);
            double saturation = max > 0 ? (double) snap.inFlight() / max : snap.utilization();
            pool = new EndpointMetrics.Pool(snap.mode(), snap.sessions(), snap.idleSessions(), snap.opening(),
                    snap.inFlight(), snap.capacity(), Math.max(0, max), snap.pendingAcquires(), snap.utilization(),
                    saturation, snap.acquireTimeouts(),
                    snap.lastOpenFailure() == null ? null : Redaction.text(snap.lastOpenFailure()));
        }
        String breaker = es == null ? "closed" : es.breaker;
        String health = es == null ? "unknown" : es.health;
        HealthRules rules = options.rules();
        int crashes = es == null ? 0 : es.unexpectedExitsWithin(now, rules.crashLoopPeriod().toNanos());
        EndpointMetrics.Lifecycle lifecycle = lifecycle(es, crashes);
        boolean noSessionKnown = lifecycle.sessionsOpened() <= lifecycle.sessionsClosed().values().stream()
                .mapToLong(Long::longValue).sum();
        StatusRule.Verdict v = StatusRule.endpoint(rules, options.window(), pool, noSessionKnown, lifecycle.openFailing(),
                lifecycle.lastOpenFailure(), w, breaker, health, es == null ? null : es.healthReason, crashes);
        return new EndpointMetrics(endpoint, v.status(), v.reasons(), pool, w, totals(totals),
                new EndpointMetrics.Breaker(breaker, es == null ? null : es.breakerChangedAt),
                new EndpointMetrics.Health(health, es == null ? null : es.healthReason,
                        es == null ? null : es.healthChangedAt),
                lifecycle);
    }

    private static EndpointMetrics.Lifecycle lifecycle(EndpointStats es, int recentCrashes) {
        if (es == null) {
            return new EndpointMetrics.Lifecycle(0, 0, Map.of(), false, null, null, 0, 0, 0, 0, 0, null);
        }
        Map<String, Long> closed = new LinkedHashMap<>();
        for (SessionCloseReason r : SessionCloseReason.values()) {
            long n = es.sessionsClosed.get(r.ordinal());
            if (n > 0) {
                closed.put(r.tagValue(), n);
            }
        }
        int exit = es.lastExitCode;
        return new EndpointMetrics.Lifecycle(es.sessionsOpened.sum(), es.openFailures.sum(),
                java.util.Collections.unmodifiableMap(closed), es.openFailing, es.lastOpenFailure, es.lastOpenFailureAt,
                es.processStarts.sum(), es.expectedExits.sum(), es.unexpectedExits.sum(), recentCrashes,
                es.restarts.sum(), exit == Integer.MIN_VALUE ? null : exit);
    }

    private static Totals totals(long[] t) {
        long success = t[CallOutcome.SUCCESS.ordinal()];
        long tool = t[CallOutcome.TOOL_ERROR.ordinal()];
        long failure = t[CallOutcome.FAILURE.ordinal()];
        return new Totals(success + tool + failure, success, tool, failure);
    }

    static WindowStats window(SlidingWindow.Tally t) {
        long successes = t.outcomes[CallOutcome.SUCCESS.ordinal()];
        long toolErrors = t.outcomes[CallOutcome.TOOL_ERROR.ordinal()];
        long failures = t.outcomes[CallOutcome.FAILURE.ordinal()];
        long calls = successes + toolErrors + failures;
        long errors = Math.max(0, failures - t.errors[ErrorType.CANCELLED.ordinal()]
                - t.errors[ErrorType.INVALID_REQUEST.ordinal()]);
        Map<String, Long> byType = new LinkedHashMap<>();
        for (ErrorType type : ErrorType.values()) {
            long n = t.errors[type.ordinal()];
            if (n > 0) {
                byType.put(type.tagValue(), n);
            }
        }
        long acquires = t.acquires[0] + t.acquires[1] + t.acquires[2];
        long warm = t.acquires[SlidingWindow.ACQUIRE_WARM];
        long samples = 0;
        for (long n : t.latency) {
            samples += n;
        }
        Latency latency = null;
        if (samples > 0) {
            double maxMicros = t.maxNanos / 1000.0;
            latency = new Latency(
                    LatencyHistogram.percentile(t.latency, samples, 0.50, maxMicros) / 1000.0,
                    LatencyHistogram.percentile(t.latency, samples, 0.95, maxMicros) / 1000.0,
                    LatencyHistogram.percentile(t.latency, samples, 0.99, maxMicros) / 1000.0,
                    calls == 0 ? 0 : t.latencyNanos / (double) calls / 1e6,
                    t.maxNanos / 1e6);
        }
        return new WindowStats(calls, successes, toolErrors, failures, errors,
                calls == 0 ? 0 : (double) errors / calls, calls == 0 ? 0 : (double) toolErrors / calls,
                java.util.Collections.unmodifiableMap(byType), acquires, warm,
                acquires == 0 ? null : (double) warm / acquires, latency);
    }

    @Override
    public String toString() {
        return "PoolStats(window " + options.window() + ")";
    }

    /** Builds stats; {@link #pool(ObservablePool)} attaches them to a pool. */
    public static final class Builder {
        private StatsOptions options = StatsOptions.DEFAULTS;
        private StatsClock clock = StatsClock.system();
        private Supplier<PoolSnapshot> snapshots;
        private MaxCapacity maxCapacity = MaxCapacity.UNKNOWN;
        private Supplier<String> prometheus;
        private ObservablePool pool;

        private Builder() {
        }

        /** The window and health rules. */
        public Builder options(StatsOptions v) {
            options = Objects.requireNonNull(v);
            return this;
        }

        /** The recent window: its length, in so many buckets. */
        public Builder window(Duration window, int buckets) {
            options = options.withWindow(window, buckets);
            return this;
        }

        /** The thresholds of the health rating. */
        public Builder rules(HealthRules v) {
            options = options.withRules(v);
            return this;
        }

        /** The time source (tests use a manual one). */
        public Builder clock(StatsClock v) {
            clock = Objects.requireNonNull(v);
            return this;
        }

        /**
         * Listens to {@code pool} (from {@link #build()} on, until {@link PoolStats#close()}), takes its
         * {@linkplain ObservablePool#snapshot() snapshots} and knows each server's most slots from its config.
         */
        public Builder pool(ObservablePool pool) {
            this.pool = Objects.requireNonNull(pool);
            this.snapshots = pool::snapshot;
            this.maxCapacity = (server, endpoint) -> {
                ServerConfig c = pool.config().servers().get(server);
                return c == null ? 0 : c.pool().maxSessions() * c.pool().slotsPerSession();
            };
            return this;
        }

        /** Where the pool's state comes from, without attaching to a pool (tests, custom wiring). */
        public Builder snapshots(Supplier<PoolSnapshot> v) {
            snapshots = v;
            return this;
        }

        /** Each endpoint's most slots, for utilization; set by {@link #pool}. */
        public Builder maxCapacity(MaxCapacity v) {
            maxCapacity = Objects.requireNonNull(v);
            return this;
        }

        /** The Prometheus text {@link PoolStats#export(String) export("prometheus")} returns. */
        public Builder prometheus(Supplier<String> v) {
            prometheus = v;
            return this;
        }

        /** The statistics, listening to the pool if one was given. */
        public PoolStats build() {
            PoolStats stats = new PoolStats(this);
            if (pool != null) {
                ObservablePool p = pool;
                p.addEventListener(stats);
                stats.detach = () -> p.removeEventListener(stats);
            }
            return stats;
        }
    }
}
