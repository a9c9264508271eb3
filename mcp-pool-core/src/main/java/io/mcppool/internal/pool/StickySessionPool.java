package io.mcppool.internal.pool;

import io.mcppool.status.EndpointSnapshot;
import io.mcppool.config.PoolSettings;
import io.mcppool.events.SessionCloseReason;
import io.mcppool.internal.session.McpSession;
import io.mcppool.protocol.ServerRequestHandler;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sticky mode: a session of its own for each affinity key, for stateful servers (a browser, a
 * shell). Each key gets a one-session {@link SessionPool}, so the key's calls share its session
 * (multiplexed up to {@code maxConcurrentRequests}); at most {@code maxSessions} keys are bound at
 * once. A key whose session stays idle for {@code idleTimeout} expires and frees its place. Calls
 * without a key share the key {@code ""}.
 */
public final class StickySessionPool implements EndpointPool {
    private final String server;
    private final PoolContext context;
    private final PoolSettings settings;
    private final PoolSettings perKey;
    private final ScheduledExecutorService timer;
    private final ExecutorService background;
    private final ConcurrentHashMap<String, SessionPool> byKey = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ServerRequestHandler> handlers = new ConcurrentHashMap<>();
    private final AtomicInteger boundKeys = new AtomicInteger();
    private final ConcurrentLinkedQueue<CompletableFuture<Void>> placeWaiters = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    public StickySessionPool(PoolContext context, PoolSettings settings) {
        this.server = context.server();
        this.context = context;
        this.settings = settings;
        this.perKey = settings.toBuilder().minSessions(0).maxSessions(1).build();
        this.timer = context.timer();
        this.background = context.background();
    }

    @Override
    public void start() {
        // Sessions belong to keys; none exists before the first call with its key.
    }

    @Override
    public CompletableFuture<Lease> acquire(String affinityKey, long timeoutNanos) {
        String key = affinityKey == null ? "" : affinityKey;
        long deadline = System.nanoTime() + timeoutNanos;
        return acquireUntil(key, deadline);
    }

    /**
     * Sessions here belong to affinity keys: a check pings a session some key holds, and never opens one
     * (that would take a key's place). With no key bound there is nothing to check.
     */
    @Override
    public CompletableFuture<Void> ping(long timeoutNanos) {
        for (SessionPool keyPool : byKey.values()) {
            return keyPool.ping(timeoutNanos);
        }
        return CompletableFuture.completedFuture(null);
    }

    private CompletableFuture<Lease> acquireUntil(String key, long deadline) {
        if (closed) {
            return CompletableFuture.failedFuture(new PoolClosingException("pool of '" + server + "' is closed"));
        }
        SessionPool pool = byKey.get(key);
        if (pool == null) {
            if (!reservePlace()) {
                return waitForPlace(deadline).thenCompose(v -> acquireUntil(key, deadline));
            }
            SessionPool created = new SessionPool(contextFor(key), perKey);
            pool = byKey.putIfAbsent(key, created);
            if (pool == null) {
                pool = created;
            } else {
                freePlace();
            }
        }
        SessionPool chosen = pool;
        long remaining = deadline - System.nanoTime();
        return chosen.acquire(key, remaining).exceptionallyCompose(e -> {
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof PoolClosingException && !closed) {
                return acquireUntil(key, deadline); // the key expired as we came in: bind it anew
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    /** The context of one key's pool: its sessions carry the key's server-request handler, if bound. */
    private PoolContext contextFor(String key) {
        ServerRequestHandler handler = handlers.get(key);
        if (handler == null) {
            return context;
        }
        SessionFactory factory = listener -> {
            McpSession session = context.factory().create(listener);
            session.serverRequests(handler);
            return session;
        };
        return context.withFactory(factory);
    }

    @Override
    public void bindAffinity(String affinityKey, ServerRequestHandler handler) {
        handlers.put(affinityKey == null ? "" : affinityKey, handler);
    }

    private boolean reservePlace() {
        while (true) {
            int n = boundKeys.get();
            if (n >= settings.maxSessions()) {
                return false;
            }
            if (boundKeys.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    private void freePlace() {
        boundKeys.decrementAndGet();
        CompletableFuture<Void> w;
        while ((w = placeWaiters.poll()) != null) {
            if (w.complete(null)) {
                return;
            }
        }
    }

    private CompletableFuture<Void> waitForPlace(long deadline) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            return CompletableFuture.failedFuture(new AcquireTimeoutException("all " + settings.maxSessions()
                    + " sticky sessions are bound to other affinity keys (maxSessions); none expired in time", null));
        }
        CompletableFuture<Void> w = new CompletableFuture<>();
        placeWaiters.add(w);
        if (boundKeys.get() < settings.maxSessions()) {
            w.complete(null); // a place freed while we queued
        }
        ScheduledFuture<?> expiry = timer.schedule(() -> {
            if (w.completeExceptionally(new AcquireTimeoutException("all " + settings.maxSessions()
                    + " sticky sessions are bound to other affinity keys (maxSessions); none expired in time", null))) {
                placeWaiters.remove(w);
            }
        }, remaining, TimeUnit.NANOSECONDS);
        w.whenComplete((v, e) -> expiry.cancel(false)); // a place came first: no dead task left on the timer
        return w;
    }

    @Override
    public void housekeep() {
        for (Map.Entry<String, SessionPool> e : byKey.entrySet()) {
            SessionPool pool = e.getValue();
            pool.housekeep();
            if (pool.isEmpty() && byKey.remove(e.getKey(), pool)) {
                // Off the timer thread: a session that joined since the check would be shut down right here.
                runInBackground(() -> {
                    pool.close(Duration.ZERO, SessionCloseReason.IDLE);
                    freePlace();
                });
            }
        }
    }

    @Override
    public void releaseAffinity(String affinityKey) {
        String key = affinityKey == null ? "" : affinityKey;
        handlers.remove(key);
        SessionPool pool = byKey.remove(key);
        if (pool != null) {
            runInBackground(() -> {
                pool.close(Duration.ofSeconds(5), SessionCloseReason.AFFINITY_RELEASED);
                freePlace();
            });
        }
    }

    private void runInBackground(Runnable task) {
        try {
            background.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            task.run();
        }
    }

    @Override
    public EndpointSnapshot snapshot() {
        int sessions = 0;
        int idle = 0;
        int opening = 0;
        int inFlight = 0;
        int capacity = 0;
        int pending = 0;
        long opened = 0;
        long closedCount = 0;
        long timeouts = 0;
        String failure = null;
        for (SessionPool pool : byKey.values()) {
            EndpointSnapshot s = pool.snapshot();
            sessions += s.sessions();
            idle += s.idleSessions();
            opening += s.opening();
            inFlight += s.inFlight();
            capacity += s.capacity();
            pending += s.pendingAcquires();
            opened += s.sessionsOpened();
            closedCount += s.sessionsClosed();
            timeouts += s.acquireTimeouts();
            if (s.lastOpenFailure() != null) {
                failure = s.lastOpenFailure();
            }
        }
        return new EndpointSnapshot(context.endpoint(), settings.mode().configName(), sessions, idle, opening, inFlight, capacity,
                pending + placeWaiters.size(), opened, closedCount, timeouts, failure);
    }

    @Override
    public void close(Duration grace) {
        closed = true;
        CompletableFuture<Void> w;
        while ((w = placeWaiters.poll()) != null) {
            w.completeExceptionally(new PoolClosingException("pool of '" + server + "' is closing"));
        }
        Concurrently.forEach("mcp-pool-close-" + server, byKey.values(), pool -> pool.close(grace));
        byKey.clear();
    }
}
