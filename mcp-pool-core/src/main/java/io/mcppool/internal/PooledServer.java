package io.mcppool.internal;

import io.mcppool.status.BreakerState;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.status.PoolSnapshot;
import io.mcppool.internal.catalog.LiveCatalog;
import io.mcppool.internal.catalog.ServerLists;
import io.mcppool.catalog.ToolCatalog;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.PoolMode;
import io.mcppool.config.Replica;
import io.mcppool.config.ServerConfig;
import io.mcppool.events.CallContext;
import io.mcppool.events.PoolEvents;
import io.mcppool.config.Redaction;
import io.mcppool.internal.transport.UpstreamLogs;
import io.mcppool.internal.pool.Concurrently;
import io.mcppool.internal.pool.EndpointPool;
import io.mcppool.status.EndpointSnapshot;
import io.mcppool.internal.pool.ProcessSupervisor;
import io.mcppool.internal.pool.Lease;
import io.mcppool.internal.pool.PoolContext;
import io.mcppool.internal.pool.SessionFactory;
import io.mcppool.internal.pool.SessionNotices;
import io.mcppool.internal.pool.SessionPool;
import io.mcppool.internal.pool.StickySessionPool;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.McpMethods;
import io.mcppool.protocol.Progress;
import io.mcppool.protocol.Tool;
import io.mcppool.internal.resilience.CircuitBreaker;
import io.mcppool.internal.resilience.Retries;
import io.mcppool.internal.resilience.RetryBudget;
import io.mcppool.internal.routing.Balancer;
import io.mcppool.internal.routing.Endpoint;
import io.mcppool.status.EndpointStatus;
import io.mcppool.internal.session.McpSession;
import io.mcppool.internal.session.SessionOptions;
import io.mcppool.internal.transport.LiveProcesses;
import io.mcppool.internal.transport.StdioTransport;
import io.mcppool.internal.transport.StreamableHttpTransport;
import io.mcppool.transport.Transport;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One configured server at run time: its endpoints (each with a session pool, a breaker, supervision
 * and health), the balancer that picks among them, the retry budget, and its part of the catalog (fed from
 * its sessions: handshakes and list-changed notices). A request goes through {@link RoutedCall}: endpoint,
 * permit, slot, send, and maybe again.
 */
public final class PooledServer {
    private static final Logger log = LoggerFactory.getLogger(PooledServer.class);
    /** Guards against a server whose cursors never end. */
    private static final int MAX_PAGES = 10_000;

    private final ServerConfig config;
    private final List<Endpoint> endpoints;
    private final Balancer balancer;
    private final RetryBudget budget;
    /** Whether any endpoint has a tier above 0. */
    private final boolean tiered;
    private final PoolEvents events;
    private final ScheduledExecutorService timer;
    private final ExecutorService background;
    /** This server's tools, resources and prompts in the pool's catalog. */
    private final ServerLists lists;
    private final List<ScheduledFuture<?>> healthChecks = new ArrayList<>();
    /** One per endpoint, so each endpoint's lines are limited together. */
    private final List<UpstreamLogs> upstreamLogs = new ArrayList<>();
    private volatile boolean closed;

    public PooledServer(ServerConfig config, ScheduledExecutorService timer, ExecutorService background,
                        Supplier<HttpClient> httpClient, PoolEvents events, LiveCatalog catalog) {
        this(config, timer, background, httpClient, events, catalog, new LiveProcesses());
    }

    /** @param processes where the server's stdio processes are accounted for, so the pool can end what is left */
    public PooledServer(ServerConfig config, ScheduledExecutorService timer, ExecutorService background,
                        Supplier<HttpClient> httpClient, PoolEvents events, LiveCatalog catalog, LiveProcesses processes) {
        this.config = config;
        this.events = events;
        this.timer = timer;
        this.background = background;
        List<String> names = names(config.replicas());
        List<Endpoint> list = new ArrayList<>();
        for (int i = 0; i < config.replicas().size(); i++) {
            Replica replica = config.replicas().get(i);
            String name = names.get(i);
            UpstreamLogs logs = UpstreamLogs.of(config.name(), config.logLinesPerMinute(),
                    (stream, lines) -> events.upstreamLinesSkipped(config.name(), name, stream, lines));
            upstreamLogs.add(logs);
            SessionOptions options = new SessionOptions(config.name(), config.connectTimeout(), config.roots(),
                    SessionOptions.CLIENT_INFO, logs);
            SessionFactory factory = listener -> new McpSession(transport(config, replica.endpoint(), httpClient,
                    background, logs, processes), options, timer, listener);
            ProcessSupervisor supervisor = new ProcessSupervisor(config.supervision());
            Endpoint[] self = new Endpoint[1];
            // A failed open counts against the endpoint's breaker, so an endpoint that is down shows it even
            // while calls go elsewhere (they avoid an endpoint with no session ready).
            // What sessions say about the server's lists goes to the catalog (sessions exist only after start()).
            SessionNotices notices = new SessionNotices() {
                @Override
                public void joined(McpSession session) {
                    lists.sessionJoined(session.initializeResult());
                }

                @Override
                public void listChanged(McpSession session, String notification) {
                    switch (notification) {
                        case McpMethods.TOOLS_LIST_CHANGED -> lists.listChanged(ToolCatalog.Kind.TOOLS);
                        case McpMethods.RESOURCES_LIST_CHANGED -> lists.listChanged(ToolCatalog.Kind.RESOURCES);
                        case McpMethods.PROMPTS_LIST_CHANGED -> lists.listChanged(ToolCatalog.Kind.PROMPTS);
                        default -> log.debug("server '{}': ignoring {}", config.name(), notification);
                    }
                }

                @Override
                public void openFailed(Throwable cause) {
                    self[0].openFailed();
                    lists.sessionOpenFailed();
                }
            };
            PoolContext context = new PoolContext(config.name(), name, config.connectTimeout(), factory, timer,
                    background, notices, events, supervisor);
            EndpointPool pool = config.pool().mode() == PoolMode.STICKY
                    ? new StickySessionPool(context, config.pool())
                    : new SessionPool(context, config.pool());
            CircuitBreaker breaker = new CircuitBreaker(config.breaker(), System::nanoTime,
                    (from, to, reason) -> breakerChanged(self[0], from, to, reason));
            self[0] = new Endpoint(config.name(), i, name, replica, pool, breaker, supervisor, config.health(), events);
            list.add(self[0]);
        }
        this.endpoints = List.copyOf(list);
        this.balancer = Balancer.create(config.balance(), endpoints);
        this.budget = new RetryBudget(config.retry());
        this.tiered = config.replicas().stream().anyMatch(r -> r.tier() > 0);
        // Last: the catalog lists through this server, which is complete now (nothing is listed before start()).
        this.lists = catalog.add(config, this::listForCatalog);
    }

    private static Transport transport(ServerConfig config, EndpointConfig endpoint, Supplier<HttpClient> httpClient,
                                       ExecutorService executor, UpstreamLogs logs, LiveProcesses processes) {
        return switch (endpoint) {
            case EndpointConfig.Stdio stdio -> new StdioTransport(config.name(), stdio, config.maxMessageBytes(), logs,
                    processes);
            case EndpointConfig.Http http -> new StreamableHttpTransport(config.name(), http, httpClient.get(), executor,
                    config.maxMessageBytes());
            case EndpointConfig.Custom custom -> custom.factory().create();
        };
    }

    /** Each endpoint's name: its own, else its label; the same label twice gets {@code #2}, {@code #3}, ... */
    static List<String> names(List<Replica> replicas) {
        List<String> out = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (Replica r : replicas) {
            String base = r.name().orElseGet(() -> label(r.endpoint()));
            int n = seen.merge(base, 1, Integer::sum);
            out.add(n == 1 ? base : base + " #" + n);
        }
        // A later "#2" could collide with a literal name; names are unique or the metrics would merge.
        Set<String> unique = new HashSet<>(out);
        if (unique.size() != out.size()) {
            for (int i = 0; i < out.size(); i++) {
                out.set(i, out.get(i) + " [" + (i + 1) + "]");
            }
        }
        return List.copyOf(out);
    }

    /**
     * A short name for the endpoint in messages. A JVM server's command line holds a classpath of
     * thousands of characters; long arguments are cut in the middle so both ends stay readable.
     * Labels go into logs, events (and so metric tags), the status page and exception messages: the arguments
     * are redacted before anything is cut, so no cut shows the start of a secret.
     */
    static String label(EndpointConfig endpoint) {
        if (!(endpoint instanceof EndpointConfig.Stdio stdio)) {
            return Redaction.endpoint(endpoint.describe());
        }
        StringBuilder sb = new StringBuilder(java.nio.file.Path.of(stdio.command()).getFileName().toString());
        for (String arg : Redaction.args(stdio.args())) {
            sb.append(' ').append(arg.length() <= 48 ? arg : arg.substring(0, 20) + "..." + arg.substring(arg.length() - 20));
        }
        return Redaction.endpoint(sb.length() <= 160 ? sb.toString() : sb.substring(0, 157) + "...");
    }

    private void breakerChanged(Endpoint ep, BreakerState from, BreakerState to, String reason) {
        log.info("server '{}' ({}): circuit breaker {} -> {} ({})", config.name(), ep.name(), from.tagValue(),
                to.tagValue(), reason);
        events.breakerStateChanged(config.name(), ep.name(), from, to);
        ep.breakerChanged(to, reason);
        if (to == BreakerState.OPEN && !closed) {
            try {
                // So the state reads half-open on time even when no call comes to try it.
                timer.schedule(ep.breaker()::refresh, config.breaker().openFor().toNanos(), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException ignored) {
                // the pool is closing
            }
        }
    }

    public void start() {
        for (Endpoint ep : endpoints) {
            ep.pool().start();
            ep.announce();
        }
        if (config.health().enabled()) {
            long every = config.health().interval().toNanos();
            for (Endpoint ep : endpoints) {
                // Spread the endpoints' checks over the interval so they do not all ping at once.
                long first = every / 2 + ThreadLocalRandom.current().nextLong(Math.max(1, every / 2));
                AtomicBoolean checking = new AtomicBoolean();
                healthChecks.add(timer.scheduleWithFixedDelay(() -> runInBackground(() -> check(ep, checking)), first,
                        every, TimeUnit.NANOSECONDS));
            }
        }
        // The catalog lists the server when its first session joins (sessionJoined), knowing then what it declares;
        // where no session opens by itself, a listing opens one.
        if (config.pool().mode() == PoolMode.STICKY) {
            // Through the empty key's session, closed once the lists are in: sticky sessions are the clients'.
            lists.listNow().whenComplete((v, e) -> {
                if (!closed) {
                    endpoints.forEach(ep -> ep.pool().releaseAffinity(""));
                }
            });
        } else if (config.pool().minSessions() == 0) {
            lists.listNow();
        }
    }

    /**
     * One active health check: a ping on a pooled session within the check's timeout. None starts while the last
     * one still waits: checks of a server that stopped answering must not pile up and take its slots.
     */
    private void check(Endpoint ep, AtomicBoolean checking) {
        if (closed || !checking.compareAndSet(false, true)) {
            return;
        }
        CompletableFuture<Void> ping;
        try {
            ping = ep.pool().ping(config.health().timeout().toNanos());
        } catch (RuntimeException e) {
            ping = CompletableFuture.failedFuture(e);
        }
        ping.whenComplete((v, e) -> {
            checking.set(false);
            if (!closed) {
                ep.checked(e == null ? null : Failures.unwrap(e));
            }
        });
    }

    public ServerConfig config() {
        return config;
    }

    /** This server's part of the catalog. */
    public ServerLists lists() {
        return lists;
    }

    /** The endpoint's name for a server with one endpoint; "n endpoints" otherwise (for messages). */
    public String endpointLabel() {
        return endpoints.size() == 1 ? endpoints.get(0).name() : endpoints.size() + " endpoints";
    }

    public List<Endpoint> endpoints() {
        return endpoints;
    }

    /** The endpoint by name, or null. */
    public Endpoint endpoint(String name) {
        for (Endpoint ep : endpoints) {
            if (ep.name().equals(name)) {
                return ep;
            }
        }
        return null;
    }

    /** The first endpoint's pool (for a server with one endpoint, its only one). */
    public EndpointPool pool() {
        return endpoints.get(0).pool();
    }

    Balancer balancer() {
        return balancer;
    }

    RetryBudget budget() {
        return budget;
    }

    PoolEvents events() {
        return events;
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    void runInBackground(Runnable task) {
        try {
            background.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            task.run();
        }
    }

    /**
     * Endpoints that may take a call now, as a bit mask by index: those that are not unhealthy and whose
     * breaker permits a call. When every endpoint is unhealthy, those whose breaker permits a call: health
     * is a preference (checks can be wrong, and a crash loop may be over), an open breaker is a refusal.
     */
    long availableMask() {
        long healthy = 0;
        long permitted = 0;
        for (int i = 0; i < endpoints.size(); i++) {
            Endpoint ep = endpoints.get(i);
            if (ep.breaker().permitsCalls()) {
                permitted |= 1L << i;
                if (!ep.down()) {
                    healthy |= 1L << i;
                }
            }
        }
        return healthy != 0 ? healthy : permitted;
    }

    /**
     * Those of {@code candidates} in the lowest tier among them: higher tiers are failover for every balance,
     * used only while no endpoint of a lower tier can take the call.
     */
    long lowestTier(long candidates) {
        return tiered ? Balancer.lowestTier(endpoints, candidates) : candidates;
    }

    /** Those of {@code candidates} whose pool has a session ready. */
    long readyMask(long candidates) {
        if (Long.bitCount(candidates) == 1) {
            return candidates; // nothing to prefer
        }
        long mask = 0;
        for (long m = candidates; m != 0; m &= m - 1) {
            int i = Long.numberOfTrailingZeros(m);
            if (endpoints.get(i).pool().ready()) {
                mask |= 1L << i;
            }
        }
        return mask;
    }

    /** Whether a request may run twice: list, read and get requests always; a tool by the safety rule. */
    boolean safeToRepeat(String method, String tool) {
        if (!McpMethods.TOOLS_CALL.equals(method)) {
            return true;
        }
        Tool t = lists.tool(tool);
        return Retries.safeToRepeat(t == null ? null : t.annotations(), config.trusted(), config.tool(tool));
    }

    /**
     * Sends one request through the server's endpoints. The deadline covers everything: waits for a slot,
     * retries and their backoff. {@code params} becomes the session's.
     */
    public CallFuture<JsonNode> request(String method, ObjectNode params, long deadlineNanos, String affinityKey,
                                        Consumer<Progress> onProgress) {
        return request(method, params, deadlineNanos, affinityKey, onProgress, null);
    }

    /** As above; {@code call} (may be null) receives the routing, acquire and retry events of this request. */
    public CallFuture<JsonNode> request(String method, ObjectNode params, long deadlineNanos, String affinityKey,
                                        Consumer<Progress> onProgress, CallContext call) {
        return request(method, params, deadlineNanos, affinityKey, onProgress, call, Attribution.NONE);
    }

    /** As above; {@code attribution} says how the outcome counts in the endpoint's breaker. */
    public CallFuture<JsonNode> request(String method, ObjectNode params, long deadlineNanos, String affinityKey,
                                        Consumer<Progress> onProgress, CallContext call, Attribution attribution) {
        return request(method, params, deadlineNanos, affinityKey, onProgress, call, false, attribution);
    }

    /**
     * As above; a {@code background} request (the catalog's listings) has no vote in breakers or the retry
     * budget (see {@link RoutedCall}).
     */
    private CallFuture<JsonNode> request(String method, ObjectNode params, long deadlineNanos, String affinityKey,
                                         Consumer<Progress> onProgress, CallContext call, boolean background,
                                         Attribution attribution) {
        CallFuture<JsonNode> result = new CallFuture<>();
        String tool = McpMethods.TOOLS_CALL.equals(method) && params != null ? params.path("name").asText(null) : null;
        new RoutedCall(this, result, method, params, deadlineNanos, affinityKey, onProgress, call, tool, background,
                attribution).start();
        return result;
    }

    /** Whether {@link #close} began: calls cut short by it fail as a closed pool's. */
    boolean isClosed() {
        return closed;
    }

    // ------------------------------------------------------------------ listing

    /** Every item of {@code field} on every page of {@code method}, failures as the public exceptions. */
    private CompletableFuture<List<JsonNode>> listForCatalog(String method, String field) {
        return listAll(method, json -> {
            JsonNode items = json.path(field);
            List<JsonNode> out = new ArrayList<>(items.size());
            items.forEach(out::add);
            return out;
        }).exceptionallyCompose(e -> CompletableFuture.failedFuture(Failures.map(e, config.name(), endpointLabel(), null)));
    }

    /**
     * Pages through a list method ({@code tools/list}, {@code resources/list}, ...) to its end; {@code read}
     * takes the items out of one page.
     */
    public <T> CompletableFuture<List<T>> listAll(String method, Function<JsonNode, List<T>> read) {
        List<T> all = new ArrayList<>();
        return listAllPages(method, read, null, all, new HashSet<>()).thenApply(v -> List.copyOf(all));
    }

    private <T> CompletableFuture<Void> listAllPages(String method, Function<JsonNode, List<T>> read, String cursor,
                                                     List<T> into, Set<String> seen) {
        ObjectNode params = null;
        if (cursor != null) {
            params = Json.object();
            params.put("cursor", cursor);
        }
        long deadline = System.nanoTime() + config.callTimeout().toNanos();
        return request(method, params, deadline, null, null, null, true, Attribution.NONE).thenCompose(json -> {
            into.addAll(read.apply(json));
            String next = json.path("nextCursor").asText(null);
            if (next == null || next.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            if (!seen.add(next) || seen.size() >= MAX_PAGES) {
                return CompletableFuture.failedFuture(new io.mcppool.protocol.MalformedMessageException(
                        method + " pagination does not end (cursor '" + next + "' repeated or over " + MAX_PAGES
                                + " pages)"));
            }
            return listAllPages(method, read, next, into, seen);
        });
    }

    public PoolSnapshot.ServerSnapshot snapshot() {
        List<EndpointSnapshot> pools = new ArrayList<>();
        List<EndpointStatus> status = new ArrayList<>();
        for (Endpoint ep : endpoints) {
            EndpointStatus st = ep.status();
            status.add(st);
            pools.add(st.pool());
        }
        String transport = status.stream().map(EndpointStatus::transport).distinct().reduce((a, b) -> "mixed")
                .orElse("custom");
        return new PoolSnapshot.ServerSnapshot(config.name(), transport, List.copyOf(pools),
                lists.loaded(ToolCatalog.Kind.TOOLS) ? lists.tools().size() : -1, config.balance().configName(),
                List.copyOf(status));
    }

    public void housekeep() {
        for (Endpoint ep : endpoints) {
            try {
                ep.pool().housekeep();
            } catch (RuntimeException e) {
                log.warn("server '{}' ({}): housekeeping failed", config.name(), ep.name(), e);
            }
        }
    }

    public void close(Duration grace) {
        closed = true;
        for (ScheduledFuture<?> f : healthChecks) {
            f.cancel(false);
        }
        Concurrently.forEach("mcp-pool-close-" + config.name(), endpoints, ep -> ep.pool().close(grace));
        upstreamLogs.forEach(UpstreamLogs::close);
    }
}
