package io.mcppool.internal.cache;

import io.mcppool.internal.Failures;
import io.mcppool.cache.CacheStats;
import io.mcppool.cache.Cacheability;
import io.mcppool.cache.ResultCache;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.mcppool.call.CallOptions;
import io.mcppool.call.CallTimeoutException;
import io.mcppool.call.ToolErrorException;
import io.mcppool.config.CacheSettings;
import io.mcppool.config.McpPoolConfig;
import io.mcppool.config.ServerConfig;
import io.mcppool.config.SharedCacheSettings;
import io.mcppool.config.ToolConfig;
import io.mcppool.events.CallContext;
import io.mcppool.events.PoolEvents;
import io.mcppool.protocol.CallToolResult;
import io.mcppool.protocol.Content;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.ToolAnnotations;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The result cache and single flight on the call path, as {@code McpPool} runs them; operators see it as a
 * {@link ResultCache}. Built once per pool from its config:
 *
 * <ul>
 *   <li>Servers whose config neither caches nor coalesces anything have no plan, and a pool where no server has
 *       one is {@linkplain #active() inactive}: its calls never come here.</li>
 *   <li>A call to a tool whose results are safe to cache ({@link Cacheability}) is answered from memory when an
 *       entry is there (a hit: {@code cacheHit}, then {@code callEnded}); else from the shared cache (Redis), when
 *       one is configured and up; else upstream ({@code cacheMiss}), and a result without {@code isError} is
 *       stored in memory and, off the caller's thread, in Redis.</li>
 *   <li>Identical calls (same server, tool, scope and canonical arguments) in flight at once share one upstream
 *       call ({@code callCoalesced} for each that joined), when {@link Cacheability#coalesces} says so. The first
 *       caller's deadline and options drive the upstream call; another caller still ends by its own deadline, and
 *       applies its own {@code failOnToolError}. The upstream call is cancelled only when every caller has.</li>
 * </ul>
 *
 * <p>Results are copied on the way in and out, so a caller that modifies the JSON of its result cannot change what
 * the next caller gets.
 */
public final class CallCache implements ResultCache, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CallCache.class);

    /** Reports the end of a call the cache answered (or a caller that joined another's call), as the pool does. */
    @FunctionalInterface
    public interface CallEnd {
        void ended(CallContext call, CallToolResult result, Throwable failure);
    }

    /** Makes the upstream call with these options (the pool's own path: tool check, routing, retries). */
    @FunctionalInterface
    public interface Upstream {
        CompletableFuture<CallToolResult> call(CallOptions options);
    }

    /** A tool's settings as a call needs them: the config's word, the resolved block, and its region (null: off). */
    private record ToolPlan(ToolConfig config, CacheSettings settings, Region region) {
    }

    /** What one server caches or coalesces. */
    private record ServerPlan(boolean trusted, boolean sticky, ToolPlan defaults, Map<String, ToolPlan> tools,
                              List<Region> regions) {
        ToolPlan tool(String name) {
            ToolPlan t = tools.get(name);
            return t != null ? t : defaults;
        }
    }

    private final Map<String, ServerPlan> plans;
    private final boolean active;
    private final PoolEvents events;
    private final CallEnd ended;
    private final BiFunction<String, String, ToolAnnotations> annotations;
    private final ScheduledExecutorService timer;
    private final Executor background;
    private final LongSupplier clock;
    private final SharedStore shared;
    private final long sharedTtlNanos;
    private final ConcurrentHashMap<CacheKey, Flight> inFlight = new ConcurrentHashMap<>();
    /** Moves on every invalidation: a result fetched before one is not stored after it. */
    private final AtomicLong generation = new AtomicLong();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder coalesced = new LongAdder();
    private final Region.Evictions evicted;
    private volatile boolean closed;

    /**
     * @param events      where hits, misses, evictions, coalesced calls and the shared cache's state go
     * @param timer       ends the wait of a caller whose deadline comes before the call it joined ends
     * @param background  runs the shared cache's reads, writes and checks (off the callers' threads)
     * @param ended       the pool's report of a call's end
     * @param annotations a tool's annotations as its server listed them, or null when not known yet
     */
    public CallCache(McpPoolConfig config, PoolEvents events, ScheduledExecutorService timer, Executor background,
                     CallEnd ended, BiFunction<String, String, ToolAnnotations> annotations) {
        this(config, events, timer, background, ended, annotations, System::nanoTime);
    }

    CallCache(McpPoolConfig config, PoolEvents events, ScheduledExecutorService timer, Executor background,
              CallEnd ended, BiFunction<String, String, ToolAnnotations> annotations, LongSupplier clock) {
        this.events = events;
        this.ended = ended;
        this.annotations = annotations;
        this.timer = timer;
        this.background = background;
        this.clock = clock;
        this.evicted = (key, cause) -> {
            evictions.increment();
            events.cacheEvicted(key.server(), key.tool(), cause);
        };
        Map<String, ServerPlan> byServer = new HashMap<>();
        for (ServerConfig server : config.servers().values()) {
            if (Cacheability.configured(server)) {
                byServer.put(server.name(), plan(server));
            }
        }
        this.plans = Map.copyOf(byServer);
        this.active = !plans.isEmpty();
        SharedCacheSettings s = config.sharedCache();
        // A shared cache only matters when something is cached; without, Redis is not even connected to.
        this.shared = s.redisUrl().isPresent() && active ? new SharedStore(s, timer, background, events) : null;
        this.sharedTtlNanos = s.ttl().map(d -> d.toNanos()).orElse(Long.MAX_VALUE);
    }

    private static ServerPlan plan(ServerConfig server) {
        CacheSettings own = server.cache();
        Region serverRegion = own.enabled() ? new Region(own) : null;
        List<Region> regions = new ArrayList<>();
        if (serverRegion != null) {
            regions.add(serverRegion);
        }
        Map<String, ToolPlan> tools = new HashMap<>();
        server.tools().forEach((name, tool) -> {
            Region region = serverRegion;
            if (tool.cache().isPresent()) {
                // A tool with a block of its own has a region of its own: its limits are its own.
                region = tool.cache().get().enabled() ? new Region(tool.cache().get()) : null;
                if (region != null) {
                    regions.add(region);
                }
            }
            tools.put(name, new ToolPlan(tool, server.cache(name), region));
        });
        boolean sticky = server.pool().mode() == io.mcppool.config.PoolMode.STICKY;
        return new ServerPlan(server.trusted(), sticky, new ToolPlan(ToolConfig.DEFAULTS, own, serverRegion),
                Map.copyOf(tools), List.copyOf(regions));
    }

    /** Whether any server caches or coalesces; when not, the pool's calls skip this class altogether. */
    public boolean active() {
        return active;
    }

    /** Starts checking the shared cache's connection. */
    public void start() {
        if (shared != null) {
            shared.start();
        }
    }

    // ------------------------------------------------------------------ the call path

    /**
     * One {@code tools/call}, after the pool fired {@code callStarted}: answered from the cache, joined to an
     * identical call in flight, or made upstream through {@code upstream}.
     */
    public CompletableFuture<CallToolResult> call(String server, String tool, Map<String, ?> arguments,
                                                  CallOptions options, CallContext call, long deadlineNanos,
                                                  Upstream upstream) {
        ServerPlan plan = plans.get(server);
        if (plan == null || closed) {
            return upstream.call(options);
        }
        ToolPlan t = plan.tool(tool);
        boolean cacheable = t.region() != null
                && Cacheability.cacheable(annotations.apply(server, tool), plan.trusted(), t.config(), t.settings());
        boolean coalesce = Cacheability.coalesces(t.settings(), cacheable);
        if (!cacheable && !coalesce) {
            return upstream.call(options);
        }
        CacheKey key;
        try {
            key = new CacheKey(server, tool, CacheKeys.scope(t.settings().shared(), options.cacheScope().orElse(null)),
                    arguments(arguments, options, plan.sticky()));
        } catch (RuntimeException e) {
            return upstream.call(options); // arguments that are not JSON: the upstream path reports it
        }
        while (true) {
            if (cacheable) {
                CallToolResult hit = t.region().get(key, clock.getAsLong(), evicted);
                if (hit != null) {
                    return hit(key, call, hit);
                }
            }
            if (!coalesce) {
                Flight alone = new Flight(key, t, cacheable, false, call, deadlineNanos);
                Waiter w = alone.leader(options);
                lead(alone, upstream, options);
                return w;
            }
            Flight flight = inFlight.get(key);
            if (flight == null) {
                Flight mine = new Flight(key, t, cacheable, true, call, deadlineNanos);
                Waiter w = mine.leader(options);
                flight = inFlight.putIfAbsent(key, mine);
                if (flight == null) {
                    // A flight that ended between the read above and this insert stored its result first.
                    CallToolResult hit = cacheable ? t.region().get(key, clock.getAsLong(), evicted) : null;
                    if (hit != null) {
                        inFlight.remove(key, mine);
                        countHit(key);
                        mine.finish(hit, null, false);
                    } else {
                        lead(mine, upstream, options);
                    }
                    return w;
                }
            }
            Waiter w = new Waiter(flight, call, options, false);
            if (flight.join(w)) {
                coalesced.increment();
                events.callCoalesced(server, tool);
                w.deadline(deadlineNanos);
                return w;
            }
            // That flight just ended: its result is in memory now, or it failed and the next call goes upstream.
        }
    }

    /**
     * The canonical arguments, and on a sticky server the affinity key: there each key has a session of its own,
     * whose answers may depend on it. Elsewhere the key only steers routing, and the answer is the server's.
     */
    private static String arguments(Map<String, ?> arguments, CallOptions options, boolean sticky) {
        String canonical = arguments == null || arguments.isEmpty() ? "{}" : CacheKeys.canonical(Json.toTree(arguments));
        return !sticky || options.affinityKey().isEmpty() ? canonical
                : canonical + "\u0000affinity=" + options.affinityKey().get();
    }

    private CompletableFuture<CallToolResult> hit(CacheKey key, CallContext call, CallToolResult cached) {
        countHit(key);
        CallToolResult mine = copyOf(cached);
        ended.ended(call, mine, null);
        return CompletableFuture.completedFuture(mine);
    }

    private void countHit(CacheKey key) {
        hits.increment();
        events.cacheHit(key.server(), key.tool());
    }

    private void countMiss(CacheKey key) {
        misses.increment();
        events.cacheMiss(key.server(), key.tool());
    }

    /** The first caller's part: the shared cache (off the caller's thread), then upstream. */
    private void lead(Flight f, Upstream upstream, CallOptions options) {
        SharedStore s = shared;
        if (f.cacheable && s != null && s.up()) {
            execute(() -> {
                CallToolResult found = lookUpShared(f, s);
                if (found != null) {
                    countHit(f.key);
                    complete(f, found, null, false);
                } else {
                    countMiss(f.key);
                    startUpstream(f, upstream, options);
                }
            });
            return;
        }
        if (f.cacheable) {
            countMiss(f.key);
        }
        startUpstream(f, upstream, options);
    }

    /** The shared entry, kept in memory for what it has left to live; null when there is none to use. */
    private CallToolResult lookUpShared(Flight f, SharedStore s) {
        SharedStore.Found found = s.get(CacheKeys.redisKey(s.prefix(), f.key));
        if (found == null) {
            return null;
        }
        CallToolResult result;
        try {
            result = Json.mapper().readValue(found.json(), CallToolResult.class);
        } catch (IOException | RuntimeException e) {
            log.debug("shared cache entry for {}/{} is not a tool result; ignored", f.key.server(), f.key.tool(), e);
            return null;
        }
        if (result.failed()) {
            return null;
        }
        long now = clock.getAsLong();
        long ttl = f.plan.region().ttlNanos();
        if (found.ttlMillis() > 0) {
            ttl = Math.min(ttl, TimeUnit.MILLISECONDS.toNanos(found.ttlMillis()));
        }
        if (generation.get() == f.generation && !closed) {
            f.plan.region().put(f.key, copyOf(result), found.json().length, now + ttl, now, evicted);
        }
        return result;
    }

    private void startUpstream(Flight f, Upstream upstream, CallOptions options) {
        if (!f.start()) {
            // Every caller gave up before anything was sent: the first caller's end is reported as it is delivered.
            f.finish(null, new CancellationException("cancelled by the caller"), false);
            return;
        }
        // The upstream call serves several callers: each applies its own failOnToolError to the shared result.
        CallOptions mine = options.failOnToolError() ? options.toBuilder().failOnToolError(false).build() : options;
        CompletableFuture<CallToolResult> u;
        try {
            u = upstream.call(mine);
        } catch (RuntimeException e) {
            u = CompletableFuture.failedFuture(e);
        }
        f.upstream(u);
        u.whenComplete((result, failure) -> complete(f, result, failure == null ? null : Failures.unwrap(failure), true));
    }

    private void complete(Flight f, CallToolResult result, Throwable failure, boolean upstreamRan) {
        if (upstreamRan && failure == null && result != null && f.cacheable && !result.failed()) {
            store(f, result);
        }
        if (f.registered) {
            inFlight.remove(f.key, f);
        }
        f.finish(result, failure, upstreamRan);
    }

    /** In memory now (before the callers see the result, so the next call hits), in Redis in the background. */
    private void store(Flight f, CallToolResult result) {
        if (generation.get() != f.generation || closed) {
            return; // invalidated while in flight: the result may predate what the invalidation was for
        }
        byte[] json;
        try {
            json = Json.mapper().writeValueAsBytes(result);
        } catch (JsonProcessingException e) {
            log.debug("result of {}/{} not cached: cannot write it as JSON", f.key.server(), f.key.tool(), e);
            return;
        }
        Region region = f.plan.region();
        long now = clock.getAsLong();
        region.put(f.key, copyOf(result), json.length, now + region.ttlNanos(), now, evicted);
        SharedStore s = shared;
        if (s != null && s.up()) {
            long ttlMillis = TimeUnit.NANOSECONDS.toMillis(Math.min(region.ttlNanos(), sharedTtlNanos));
            String redisKey = CacheKeys.redisKey(s.prefix(), f.key);
            long gen = f.generation;
            execute(() -> {
                if (generation.get() == gen) {
                    s.put(redisKey, json, ttlMillis);
                }
            });
        }
    }

    private void execute(Runnable task) {
        try {
            background.execute(task);
        } catch (RejectedExecutionException closing) {
            task.run();
        }
    }

    /** A copy of a result whose JSON nodes are its own. */
    static CallToolResult copyOf(CallToolResult r) {
        List<Content> content = r.content();
        List<Content> copied = new ArrayList<>(content.size());
        for (Content c : content) {
            copied.add(Content.of(c.json().deepCopy()));
        }
        return new CallToolResult(copied, r.structuredContent() == null ? null : r.structuredContent().deepCopy(),
                r.isError(), r.meta() == null ? null : r.meta().deepCopy());
    }

    // ------------------------------------------------------------------ single flight

    /** One upstream call (or shared-cache read) and the callers waiting for it. */
    private final class Flight {
        final CacheKey key;
        final ToolPlan plan;
        final boolean cacheable;
        /** In {@link #inFlight}, so identical calls can join. */
        final boolean registered;
        final CallContext leaderCall;
        final long deadline;
        final long generation;
        private final ReentrantLock lock = new ReentrantLock();
        /** Every caller to deliver to: the first one stays even when it gave up, so its end is reported once. */
        private final List<Waiter> waiters = new ArrayList<>(2);
        /** Callers still waiting. */
        private int live;
        private boolean started;
        private boolean finished;
        private boolean abandoned;
        private Future<?> upstream;

        Flight(CacheKey key, ToolPlan plan, boolean cacheable, boolean registered, CallContext leaderCall, long deadline) {
            this.key = key;
            this.plan = plan;
            this.cacheable = cacheable;
            this.registered = registered;
            this.leaderCall = leaderCall;
            this.deadline = deadline;
            this.generation = CallCache.this.generation.get();
        }

        /** The first caller's waiter: joined before the flight can be seen by anyone else. */
        Waiter leader(CallOptions options) {
            Waiter w = new Waiter(this, leaderCall, options, true);
            waiters.add(w);
            live = 1;
            return w;
        }

        /** Adds a caller unless the flight has ended or been given up. */
        boolean join(Waiter w) {
            lock.lock();
            try {
                if (finished || abandoned) {
                    return false;
                }
                waiters.add(w);
                live++;
                return true;
            } finally {
                lock.unlock();
            }
        }

        /** Whether the upstream call may start: someone still waits for it. */
        boolean start() {
            lock.lock();
            try {
                started = !abandoned;
                return started;
            } finally {
                lock.unlock();
            }
        }

        void upstream(Future<?> u) {
            boolean cancel;
            lock.lock();
            try {
                upstream = u;
                cancel = abandoned;
            } finally {
                lock.unlock();
            }
            if (cancel) {
                u.cancel(true);
            }
        }

        /** A caller gave up (cancelled, or its deadline passed); when no one waits any more, so does the flight. */
        void leave(Waiter w) {
            Future<?> cancel = null;
            boolean giveUp;
            lock.lock();
            try {
                if (!w.leader) {
                    waiters.remove(w);
                }
                live--;
                giveUp = live == 0 && !finished && !abandoned;
                if (giveUp) {
                    abandoned = true;
                    cancel = upstream;
                }
            } finally {
                lock.unlock();
            }
            if (giveUp) {
                if (registered) {
                    inFlight.remove(key, this);
                }
                if (cancel != null) {
                    cancel.cancel(true); // reaches the request: the server gets notifications/cancelled
                }
            }
        }

        void finish(CallToolResult result, Throwable failure, boolean upstreamRan) {
            List<Waiter> all;
            lock.lock();
            try {
                finished = true;
                all = List.copyOf(waiters);
                waiters.clear();
            } finally {
                lock.unlock();
            }
            for (Waiter w : all) {
                w.deliver(result, failure, upstreamRan && w.leader);
            }
        }
    }

    /**
     * One caller's result. The first caller's end is reported by the upstream call when there was one (it ran on
     * that caller's call context); every other end is reported here, once, by whichever of result, cancellation
     * and deadline comes first.
     */
    private final class Waiter extends CompletableFuture<CallToolResult> {
        final Flight flight;
        final CallContext call;
        final CallOptions options;
        final boolean leader;
        private final AtomicBoolean reported = new AtomicBoolean();
        private volatile ScheduledFuture<?> timeout;

        Waiter(Flight flight, CallContext call, CallOptions options, boolean leader) {
            this.flight = flight;
            this.call = call;
            this.options = options;
            this.leader = leader;
        }

        /** A caller whose deadline comes before the flight's gets its own timeout. */
        void deadline(long deadlineNanos) {
            long wait = deadlineNanos - System.nanoTime();
            if (deadlineNanos - flight.deadline >= 0) {
                return;
            }
            try {
                timeout = timer.schedule(this::expire, Math.max(0, wait), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException closing) {
                // the pool is closing: the flight ends by its own deadline
            }
        }

        private void expire() {
            if (!reported.compareAndSet(false, true)) {
                return;
            }
            CallTimeoutException e = new CallTimeoutException("the deadline passed while waiting for an identical call"
                    + " in flight", call.server(), null, call.toolOrNull(), null);
            ended.ended(call, null, e);
            completeExceptionally(e);
            flight.leave(this);
        }

        void deliver(CallToolResult result, Throwable failure, boolean endedUpstream) {
            if (endedUpstream) {
                if (isDone()) {
                    return;
                }
            } else {
                if (!reported.compareAndSet(false, true)) {
                    return;
                }
                if (isCancelled()) {
                    // the first caller, cancelled while the flight ended without an upstream call
                    ended.ended(call, null, new CancellationException("cancelled by the caller"));
                    return;
                }
            }
            ScheduledFuture<?> t = timeout;
            if (t != null) {
                t.cancel(false);
            }
            // Only the first caller's own upstream result is not shared with anyone (the cache keeps a copy).
            CallToolResult mine = result == null || endedUpstream ? result : copyOf(result);
            Throwable f = failure;
            if (f == null && mine != null && mine.failed() && options.failOnToolError()) {
                f = new ToolErrorException(call.server(), flight.leaderCall.endpoint(), call.toolOrNull(), mine);
            }
            if (!endedUpstream) {
                ended.ended(call, f == null ? mine : null, f);
            }
            if (f != null) {
                completeExceptionally(f);
            } else {
                complete(mine);
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                ScheduledFuture<?> t = timeout;
                if (t != null) {
                    t.cancel(false);
                }
                if (!leader && reported.compareAndSet(false, true)) {
                    ended.ended(call, null, new CancellationException("cancelled by the caller"));
                }
                flight.leave(this);
            }
            return cancelled;
        }
    }

    // ------------------------------------------------------------------ operator control

    @Override
    public void invalidateAll() {
        invalidate(null, null, key -> true);
    }

    @Override
    public void invalidate(String server) {
        java.util.Objects.requireNonNull(server, "server");
        invalidate(server, null, key -> key.server().equals(server));
    }

    @Override
    public void invalidate(String server, String tool) {
        java.util.Objects.requireNonNull(server, "server");
        java.util.Objects.requireNonNull(tool, "tool");
        invalidate(server, tool, key -> key.server().equals(server) && key.tool().equals(tool));
    }

    private void invalidate(String server, String tool, Predicate<CacheKey> which) {
        generation.incrementAndGet();
        // Calls in flight finish for their callers, but new calls no longer join them.
        inFlight.keySet().removeIf(which);
        if (server == null) {
            for (ServerPlan p : plans.values()) {
                p.regions().forEach(r -> r.invalidate(which, evicted));
            }
        } else {
            ServerPlan p = plans.get(server);
            if (p != null) {
                p.regions().forEach(r -> r.invalidate(which, evicted));
            }
        }
        SharedStore s = shared;
        if (s != null) {
            s.invalidate(CacheKeys.pattern(s.prefix(), server, tool));
        }
        log.info("result cache invalidated: {}", server == null ? "all" : tool == null ? "server '" + server + "'"
                : "server '" + server + "', tool '" + tool + "'");
    }

    /** Drops expired entries (the pool's housekeeping): memory is given back even for keys nobody asks for again. */
    public void housekeep() {
        long now = clock.getAsLong();
        for (ServerPlan p : plans.values()) {
            for (Region r : p.regions()) {
                r.sweep(now, evicted);
            }
        }
    }

    @Override
    public CacheStats stats() {
        long entries = 0;
        long bytes = 0;
        for (ServerPlan p : plans.values()) {
            for (Region r : p.regions()) {
                entries += r.size();
                bytes += r.bytes();
            }
        }
        SharedStore s = shared;
        return new CacheStats(entries, bytes, hits.sum(), misses.sum(), evictions.sum(), coalesced.sum(),
                s == null ? "none" : s.state());
    }

    @Override
    public void close() {
        closed = true;
        SharedStore s = shared;
        if (s != null) {
            s.close();
        }
    }
}
