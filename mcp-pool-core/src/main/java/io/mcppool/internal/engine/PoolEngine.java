package io.mcppool.internal.engine;

import io.mcppool.call.PoolClosedException;
import io.mcppool.call.UnknownServerException;
import io.mcppool.catalog.ToolCatalog;
import io.mcppool.config.McpPoolConfig;
import io.mcppool.config.ReloadResult;
import io.mcppool.config.ServerConfig;
import io.mcppool.events.AsyncPoolEvents;
import io.mcppool.events.ObservablePool;
import io.mcppool.events.PoolEvents;
import io.mcppool.internal.cache.CallCache;
import io.mcppool.internal.catalog.LiveCatalog;
import io.mcppool.internal.pool.Concurrently;
import io.mcppool.internal.routing.Endpoint;
import io.mcppool.protocol.ServerRequestHandler;
import io.mcppool.protocol.Tool;
import io.mcppool.stats.PoolStats;
import io.mcppool.status.BreakerControl;
import io.mcppool.status.EndpointStatus;
import io.mcppool.status.PoolSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mcppool.internal.PooledServer;
/**
 * The running pool behind {@code McpPool}: its servers by name, the catalog, the result cache, the listeners and
 * the statistics; how it starts, moves to a new config and closes. The calls themselves are {@link PoolCalls}.
 */
public final class PoolEngine implements ObservablePool {
    private static final Logger log = LoggerFactory.getLogger(PoolEngine.class);
    /** How long an async listener's queued events may take to be delivered at close. */
    private static final Duration ASYNC_LISTENER_DRAIN = Duration.ofSeconds(5);

    /**
     * Both change only in {@link #reconfigure}, under {@link #reconfigureLock}: {@code servers} gains a server
     * before {@code config} names it and loses it after, so a reader that finds a name in the config may
     * still find no server for it (a removal in progress) but never the reverse.
     */
    private volatile McpPoolConfig config;
    private volatile Map<String, PooledServer> servers;
    private final ReentrantLock reconfigureLock = new ReentrantLock();
    private final PoolRuntime runtime = new PoolRuntime();
    private final CompositePoolEvents events;
    private final List<AsyncPoolEvents> asyncListeners;
    private final LiveCatalog catalog;
    private final PoolCalls calls;
    private final PoolStats stats;
    /** Replaced by a reload that changes servers or the shared cache; read once per call. */
    private volatile CallCache results;
    private volatile boolean closed;

    public PoolEngine(McpPoolConfig config, List<PoolEvents> listeners, List<AsyncPoolEvents> asyncListeners) {
        this.config = config;
        this.events = new CompositePoolEvents(listeners);
        this.asyncListeners = List.copyOf(asyncListeners);
        this.catalog = new LiveCatalog(config.gateway().separator(), runtime.timer(), runtime.background(), events);
        this.calls = new PoolCalls(this, events, runtime.background());
        Map<String, PooledServer> byName = new LinkedHashMap<>();
        for (ServerConfig server : config.servers().values()) {
            byName.put(server.name(), newServer(server));
        }
        this.servers = Map.copyOf(byName);
        this.results = resultCache(config);
        this.stats = PoolStats.attach(this); // before any server starts, so no event is missed
        for (PooledServer s : byName.values()) {
            s.start();
        }
        results.start();
        runtime.housekeeping(config.housekeepingInterval(), this::housekeep);
        log.info("mcp-pool started with {} server(s) from {}", servers.size(), config.source());
    }

    private PooledServer newServer(ServerConfig server) {
        return new PooledServer(server, runtime.timer(), runtime.background(), runtime::httpClient, events, catalog,
                runtime.processes());
    }

    private CallCache resultCache(McpPoolConfig c) {
        return new CallCache(c, events, runtime.timer(), runtime.background(), calls::ended,
                (s, t) -> catalog.tool(s, t).map(Tool::annotations).orElse(null));
    }

    public PoolCalls calls() {
        return calls;
    }

    @Override
    public McpPoolConfig config() {
        return config;
    }

    @Override
    public void addEventListener(PoolEvents listener) {
        events.add(listener);
    }

    @Override
    public boolean removeEventListener(PoolEvents listener) {
        return events.remove(listener);
    }

    public ToolCatalog catalog() {
        return catalog;
    }

    public CallCache results() {
        return results;
    }

    public PoolStats stats() {
        return stats;
    }

    /** The running server of that name. */
    PooledServer server(String name) {
        if (closed) {
            throw new PoolClosedException("the pool is closed", name, null, null, null);
        }
        PooledServer s = name == null ? null : servers.get(name);
        if (s == null) {
            throw new UnknownServerException("no server by this name; configured: "
                    + (servers.isEmpty() ? "(none)" : String.join(", ", config.servers().keySet())), name, null, null, null);
        }
        return s;
    }

    /** A server's configured call timeout, or zero for a name the pool does not know. */
    Duration callTimeout(String server) {
        ServerConfig c = config.servers().get(server);
        return c == null ? Duration.ZERO : c.callTimeout();
    }

    @Override
    public PoolSnapshot snapshot() {
        List<PoolSnapshot.ServerSnapshot> list = new ArrayList<>();
        Map<String, PooledServer> running = servers;
        for (String name : config.servers().keySet()) {
            PooledServer server = running.get(name);
            if (server != null) {
                list.add(server.snapshot());
            }
        }
        return new PoolSnapshot(Instant.now(), List.copyOf(list));
    }

    public List<EndpointStatus> endpoints(String server) {
        return server(server).endpoints().stream().map(Endpoint::status).toList();
    }

    public BreakerControl circuitBreaker(String server, String endpoint) {
        PooledServer s = server(server);
        Endpoint ep = s.endpoint(endpoint);
        if (ep == null) {
            throw new IllegalArgumentException("server '" + server + "' has no endpoint named '" + endpoint
                    + "'; its endpoints: " + String.join(", ", s.endpoints().stream().map(Endpoint::name).toList()));
        }
        return ep.breaker().control();
    }

    public void bindAffinity(String server, String affinityKey, ServerRequestHandler handler) {
        for (Endpoint ep : server(server).endpoints()) {
            ep.pool().bindAffinity(affinityKey, handler);
        }
    }

    public void releaseAffinity(String server, String affinityKey) {
        for (Endpoint ep : server(server).endpoints()) {
            ep.pool().releaseAffinity(affinityKey);
        }
    }

    private void housekeep() {
        for (PooledServer s : servers.values()) {
            s.housekeep();
        }
        results.housekeep();
    }

    /**
     * Moves the running pool to {@code next}: new servers start, removed and changed ones are replaced while their
     * in-flight calls drain for {@code drain}, equal ones keep running untouched.
     */
    public ReloadResult reconfigure(McpPoolConfig next, Duration drain) {
        reconfigureLock.lock();
        try {
            if (closed) {
                throw new PoolClosedException("the pool is closed", null, null, null, null);
            }
            McpPoolConfig current = config;
            ReloadResult diff = ReloadResult.between(current, next);
            if (!next.housekeepingInterval().equals(current.housekeepingInterval())
                    || !next.shutdownGrace().equals(current.shutdownGrace()) || !next.metrics().equals(current.metrics())) {
                log.warn("reload: housekeepingInterval, shutdownGrace and metrics apply at the next start only");
            }
            Map<String, PooledServer> old = servers;
            List<String> leavingNames = concat(diff.removed(), diff.changed());
            for (String name : leavingNames) {
                catalog.remove(name); // a changed server is listed anew through its new self
            }
            Map<String, PooledServer> started = new LinkedHashMap<>();
            for (String name : concat(diff.added(), diff.changed())) {
                started.put(name, newServer(next.servers().get(name)));
            }
            // Grow first (old and new side by side), then switch the config, then drop what left.
            Map<String, PooledServer> both = new LinkedHashMap<>(old);
            both.putAll(started);
            servers = Map.copyOf(both);
            config = new McpPoolConfig(next.servers(), current.housekeepingInterval(), current.shutdownGrace(),
                    next.source(), current.metrics(), next.gateway(), next.sharedCache());
            Map<String, PooledServer> after = new LinkedHashMap<>();
            for (String name : next.servers().keySet()) {
                after.put(name, both.get(name));
            }
            servers = Map.copyOf(after);
            started.values().forEach(PooledServer::start);
            if (!diff.nothingChanged() || !next.sharedCache().equals(current.sharedCache())) {
                // Cache plans are fixed per config: a new config gets a new (empty) result cache.
                CallCache before = results;
                CallCache fresh = resultCache(config);
                fresh.start();
                results = fresh;
                before.close();
            }
            List<PooledServer> leaving = leavingNames.stream().map(old::get).toList();
            if (!leaving.isEmpty()) {
                // In-flight calls on the old servers finish (up to the grace) while new calls already go to the
                // new ones; the caller does not wait for that.
                runtime.background().execute(() -> Concurrently.forEach("mcp-pool-drain", leaving, s -> s.close(drain)));
            }
            if (!diff.nothingChanged()) {
                log.info("reconfigured from {}: added {}, removed {}, changed {}", next.source(), diff.added(),
                        diff.removed(), diff.changed());
                events.configReloaded(diff.added(), diff.removed(), diff.changed());
            }
            return diff;
        } finally {
            reconfigureLock.unlock();
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /**
     * Refuses new calls, lets in-flight calls finish for the config's {@code shutdownGrace}, then ends every session
     * and every thread the pool started, in this order: housekeeping, catalog refreshes, servers (each drains, then
     * closes its sessions), threads and HTTP client, processes left over, result cache, async listeners.
     */
    public void close() {
        reconfigureLock.lock(); // a reload under way ends first: its new servers must be closed too
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            reconfigureLock.unlock();
        }
        Duration grace = config.shutdownGrace();
        long deadline = System.nanoTime() + grace.toNanos();
        runtime.stopHousekeeping();
        catalog.close();
        // Calls in flight get the grace period, no longer than they need; then each server's sessions end in
        // what is left of it (see SessionPool.close).
        Concurrently.forEach("mcp-pool-close", servers.values(), s -> s.close(grace));
        int killed = runtime.shutdown(deadline);
        if (killed > 0) {
            log.warn("close: {} stdio server process(es) were still being stopped; sent SIGKILL", killed);
        }
        results.close(); // after the background threads, which write to the shared cache
        for (AsyncPoolEvents async : asyncListeners) {
            // After the sessions, so their events go out; each gets its usual 5 s to drain, within the grace.
            async.close(Duration.ofNanos(Math.min(PoolRuntime.left(deadline), ASYNC_LISTENER_DRAIN.toNanos())));
        }
        log.info("mcp-pool closed");
    }
}
