package io.mcppool;

import io.mcppool.status.PoolSnapshot;
import io.mcppool.call.CallOptions;
import io.mcppool.call.CallTimeoutException;
import io.mcppool.call.ErrorType;
import io.mcppool.call.McpPoolException;
import io.mcppool.call.PoolClosedException;
import io.mcppool.call.PoolExhaustedException;
import io.mcppool.call.ToolErrorException;
import io.mcppool.call.UnknownServerException;
import io.mcppool.call.UnknownToolException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.internal.catalog.LiveCatalog;
import io.mcppool.internal.catalog.ServerLists;
import io.mcppool.catalog.ToolCatalog;
import io.mcppool.config.ConfigLoader;
import io.mcppool.config.McpPoolConfig;
import io.mcppool.config.ServerConfig;
import io.mcppool.events.AsyncPoolEvents;
import io.mcppool.events.CallContext;
import io.mcppool.events.CallOutcome;
import io.mcppool.events.CompositePoolEvents;
import io.mcppool.events.ObservablePool;
import io.mcppool.events.PoolEvents;
import io.mcppool.internal.Attribution;
import io.mcppool.internal.CallFuture;
import io.mcppool.internal.Failures;
import io.mcppool.internal.PooledServer;
import io.mcppool.internal.pool.Concurrently;
import io.mcppool.protocol.CallToolResult;
import io.mcppool.protocol.GetPromptResult;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.McpMethods;
import io.mcppool.protocol.Prompt;
import io.mcppool.protocol.ReadResourceResult;
import io.mcppool.protocol.Resource;
import io.mcppool.protocol.ResourceTemplate;
import io.mcppool.protocol.Tool;
import io.mcppool.status.BreakerControl;
import io.mcppool.status.EndpointStatus;
import io.mcppool.stats.HealthSummary;
import io.mcppool.stats.PoolMetrics;
import io.mcppool.stats.PoolStats;
import io.mcppool.stats.ServerMetrics;
import io.mcppool.internal.transport.LiveProcesses;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warm, multiplexed, supervised sessions to many MCP servers, and one way to call their tools.
 *
 * <pre>{@code
 * try (McpPool pool = McpPool.fromConfig(Path.of("mcp-pool.yaml"))) {
 *     CallToolResult r = pool.callTool("files", "read_file", Map.of("path", "/srv/data/a.txt"));
 * }
 * }</pre>
 *
 * <p>Thread-safe; meant to be created once and shared. Every method has a blocking form and a
 * {@code CompletableFuture} form; blocking ones are cheap on virtual threads. Every failure is a
 * {@link McpPoolException} subtype whose message names the server, the endpoint and the tool.
 * Sessions open in the background at start ({@code minSessions}) and on demand; a caller waits
 * for the pool at most the server's {@code acquireTimeout}, then gets {@link PoolExhaustedException}.
 */
public final class McpPool implements ObservablePool, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(McpPool.class);
    private static final AtomicInteger POOL_IDS = new AtomicInteger();
    /** How long past a call's deadline a blocking caller waits before it gives up on the engine. */
    private static final Duration SAFETY_MARGIN = Duration.ofSeconds(10);
    /** What {@link #close()} may take past the grace period for its last steps (threads ending, listeners). */
    private static final Duration CLOSE_MARGIN = Duration.ofMillis(200);
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
    private final CompositePoolEvents events;
    private final LiveCatalog catalog;
    private final PoolStats stats;
    /** Replaced by a reload that changes servers or the shared cache; read once per call. */
    private volatile io.mcppool.internal.cache.CallCache results;
    private final List<AsyncPoolEvents> asyncListeners;
    private final ScheduledThreadPoolExecutor timer;
    private final ExecutorService background;
    private final ReentrantLock httpClientLock = new ReentrantLock();
    private final ScheduledFuture<?> housekeeping;
    private final long housekeepingEveryNanos;
    /** Touched only by the timer thread. */
    private long lastHousekeepingNanos = System.nanoTime();
    private volatile HttpClient httpClient;
    /** Every stdio process the pool started and has not seen end: what close() leaves running, it kills. */
    private final LiveProcesses processes = new LiveProcesses();
    private volatile boolean closed;

    private McpPool(McpPoolConfig config, List<PoolEvents> listeners, List<AsyncPoolEvents> asyncListeners) {
        this.config = config;
        this.events = PoolEvents.compose(listeners);
        this.asyncListeners = List.copyOf(asyncListeners);
        int id = POOL_IDS.incrementAndGet();
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "mcp-pool-" + id + "-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        this.background = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("mcp-pool-" + id + "-bg-", 0).factory());
        this.catalog = new LiveCatalog(config.gateway().separator(), timer, background);
        Map<String, PooledServer> byName = new LinkedHashMap<>();
        for (ServerConfig server : config.servers().values()) {
            byName.put(server.name(), new PooledServer(server, timer, background, this::httpClient, events, catalog,
                    processes));
        }
        this.servers = Map.copyOf(byName);
        this.results = resultCache(config);
        this.stats = PoolStats.attach(this); // before any server starts, so no event is missed
        for (PooledServer s : byName.values()) {
            s.start();
        }
        results.start();
        // The timer ticks at least once a second even when housekeeping is rarer: with a task always due
        // within a second at the head of its queue, scheduling a call's deadline (usually seconds away)
        // does not wake the timer thread, which otherwise costs a context switch per call.
        long every = Math.max(10, config.housekeepingInterval().toMillis());
        long tick = Math.min(every, 1000);
        this.housekeepingEveryNanos = TimeUnit.MILLISECONDS.toNanos(every);
        this.housekeeping = timer.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
        log.info("mcp-pool started with {} server(s) from {}", servers.size(), config.source());
    }

    /** Loads a YAML, TOML or {@code mcpServers} JSON file (environment overrides applied) and starts a pool. */
    public static McpPool fromConfig(Path file) {
        return create(ConfigLoader.load(file));
    }

    public static McpPool create(McpPoolConfig config) {
        return new McpPool(config, List.of(), List.of());
    }

    /** Starts a pool whose events go to {@code listeners} from the first session on (called synchronously). */
    public static McpPool create(McpPoolConfig config, List<PoolEvents> listeners) {
        return new McpPool(config, listeners, List.of());
    }

    /**
     * Adds a listener to a running pool. Its hooks are called on the threads where the steps happen, so
     * it must be fast; wrap a slow one in {@link AsyncPoolEvents} (and close that after the pool).
     */
    @Override
    public void addEventListener(PoolEvents listener) {
        events.add(listener);
    }

    @Override
    public boolean removeEventListener(PoolEvents listener) {
        return events.remove(listener);
    }

    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------ tools

    public CallToolResult callTool(String server, String tool, Map<String, ?> arguments) {
        return callTool(server, tool, arguments, CallOptions.DEFAULTS);
    }

    public CallToolResult callTool(String server, String tool, Map<String, ?> arguments, CallOptions options) {
        CompletableFuture<CallToolResult> call = callToolInternal(server, tool, arguments, options);
        // The engine ends every call by its deadline; a bounded wait keeps a bug from parking a caller forever.
        Duration timeout = options.timeout().orElseGet(() -> {
            ServerConfig config = this.config.servers().get(server);
            return config == null ? Duration.ZERO : config.callTimeout();
        });
        try {
            return call.get(timeout.plus(SAFETY_MARGIN).toNanos(), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            call.cancel(true);
            throw new CallTimeoutException("the call did not end by its deadline plus " + SAFETY_MARGIN.toSeconds()
                    + " s; it was cancelled (this is a bug in mcp-pool: please report it)", server, null, tool, e);
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            throw new CallTimeoutException("interrupted while waiting; the call was cancelled", server, null, tool, e);
        } catch (java.util.concurrent.ExecutionException | CancellationException e) {
            throw Failures.map(e, server, null, tool);
        }
    }

    public CompletableFuture<CallToolResult> callToolAsync(String server, String tool, Map<String, ?> arguments) {
        return callToolAsync(server, tool, arguments, CallOptions.DEFAULTS);
    }

    /**
     * Calls a tool without blocking. The returned future completes on one of the pool's virtual
     * threads, never on a transport's reader, so a slow continuation cannot stall other calls.
     */
    public CompletableFuture<CallToolResult> callToolAsync(String server, String tool, Map<String, ?> arguments,
                                                           CallOptions options) {
        return offReader(callToolInternal(server, tool, arguments, options));
    }

    private CompletableFuture<CallToolResult> callToolInternal(String serverName, String tool, Map<String, ?> arguments,
                                                               CallOptions options) {
        PooledServer server;
        try {
            server = server(serverName);
        } catch (McpPoolException e) {
            return CompletableFuture.failedFuture(e);
        }
        long start = System.nanoTime();
        long deadline = start + options.timeout().orElse(server.config().callTimeout()).toNanos();
        CallContext call = new CallContext(serverName, McpMethods.TOOLS_CALL, tool, start);
        events.callStarted(call);
        ServerLists lists = server.lists();
        if (lists.lacksTool(tool)) {
            // Answered from the catalog, kept current by list-changed notices, new sessions and catalogRefresh.
            UnknownToolException unknown = unknownTool(server, tool);
            ended(call, null, unknown);
            return CompletableFuture.failedFuture(unknown);
        }
        io.mcppool.internal.cache.CallCache cache = results;
        if (cache.active()) { // one field read when nothing is cached: the direct path stays as it was
            return cache.call(serverName, tool, arguments, options, call, deadline,
                    o -> sendCall(server, tool, arguments, o, deadline, call));
        }
        return sendCall(server, tool, arguments, options, deadline, call);
    }

    /** {@code params} with the entries listeners put in the call's _meta (a trace context). */
    private static ObjectNode withMeta(ObjectNode params, CallContext call) {
        if (call.meta().isEmpty()) {
            return params;
        }
        ObjectNode target = params == null ? Json.object() : params;
        ObjectNode meta = target.withObject("_meta");
        call.meta().forEach((k, v) -> meta.set(k, Json.toTree(v)));
        return target;
    }

    private CallContext started(String server, String method) {
        CallContext call = new CallContext(server, method, null, System.nanoTime());
        events.callStarted(call);
        return call;
    }

    /** Reports the end of a call before its caller can see it, so counters are exact when the call returns. */
    private void ended(CallContext call, CallToolResult result, Throwable failure) {
        long duration = System.nanoTime() - call.startNanos();
        if (failure == null) {
            boolean toolError = result != null && result.failed();
            events.callEnded(call, toolError ? CallOutcome.TOOL_ERROR : CallOutcome.SUCCESS,
                    toolError ? ErrorType.TOOL_ERROR : null, duration);
        } else {
            ErrorType type = Failures.classify(failure);
            events.callEnded(call, type == ErrorType.TOOL_ERROR ? CallOutcome.TOOL_ERROR : CallOutcome.FAILURE, type,
                    duration);
        }
    }

    private CompletableFuture<CallToolResult> sendCall(PooledServer server, String tool, Map<String, ?> arguments,
                                                       CallOptions options, long deadline, CallContext call) {
        ObjectNode params = Json.object();
        params.put("name", tool);
        params.set("arguments", arguments == null ? Json.object() : Json.toTree(arguments));
        if (!options.meta().isEmpty()) {
            params.set("_meta", Json.toTree(options.meta()));
        }
        withMeta(params, call); // listeners' entries (a trace context) go in after the caller's
        String name = server.config().name();
        CallFuture<JsonNode> request = server.request(McpMethods.TOOLS_CALL, params, deadline,
                options.affinityKey().orElse(null), options.onProgress().orElse(null), call,
                Attribution.of(options, server.config().callTimeout()));
        CompletableFuture<JsonNode> answer = server.lists().loaded(ToolCatalog.Kind.TOOLS) ? request
                : refusedIfUnknown(request, server, tool, deadline);
        return relay(answer.handle((json, error) -> {
            RuntimeException failure = null;
            CallToolResult result = null;
            if (error != null) {
                failure = Failures.map(error, name, server.endpointLabel(), tool);
            } else {
                try {
                    result = Json.fromTree(json, CallToolResult.class);
                } catch (RuntimeException e) {
                    failure = Failures.map(e, name, server.endpointLabel(), tool);
                }
                if (result != null && result.failed() && options.failOnToolError()) {
                    failure = new ToolErrorException(name, server.endpointLabel(), tool, result);
                }
            }
            ended(call, result, failure);
            if (failure != null) {
                throw asCompletion(failure);
            }
            return result;
        }), request, Runnable::run);
    }

    private static UnknownToolException unknownTool(PooledServer server, String tool) {
        List<Tool> known = server.lists().tools();
        return new UnknownToolException("no such tool; the server lists " + known.size() + " tool(s)" + toolHint(known),
                server.config().name(), server.endpointLabel(), tool, null);
    }

    /**
     * A call sent before the server's first listing ended: if the server refuses it (an error result or an
     * invalid-request error), the listing decides, once it ends (within the call's deadline), whether the tool
     * exists. So a misspelt tool is an {@link UnknownToolException} from the first call on, as it is later when
     * the catalog answers it without asking; servers differ in how they answer an unknown tool.
     */
    private CompletableFuture<JsonNode> refusedIfUnknown(CompletableFuture<JsonNode> answer, PooledServer server,
                                                         String tool, long deadline) {
        return answer.handle((json, error) -> {
            boolean refused = error == null ? json != null && json.path("isError").asBoolean(false)
                    : Failures.classify(error) == ErrorType.INVALID_REQUEST;
            if (!refused) {
                return answer;
            }
            ServerLists lists = server.lists();
            return lists.toolsSettled().handle((v, e) -> (Void) null)
                    .completeOnTimeout(null, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
                    .thenCompose(v -> lists.lacksTool(tool)
                            ? CompletableFuture.<JsonNode>failedFuture(unknownTool(server, tool)) : answer);
        }).thenCompose(f -> f);
    }

    private static String toolHint(List<Tool> tools) {
        List<String> names = tools.stream().map(Tool::name).sorted().limit(20).toList();
        return names.isEmpty() ? "" : ": " + String.join(", ", names) + (tools.size() > 20 ? ", ..." : "");
    }

    /** Every tool of the server, all pages: from the catalog when it has the list, else listed (and kept there). */
    public List<Tool> listTools(String server) {
        return await(listToolsAsync(server), server, null);
    }

    public CompletableFuture<List<Tool>> listToolsAsync(String serverName) {
        return fromCatalog(serverName, McpMethods.TOOLS_LIST, ToolCatalog.Kind.TOOLS, ServerLists::tools);
    }

    // ------------------------------------------------------------------ resources and prompts

    /** Every resource of the server, all pages: from the catalog when it has the list, else listed. */
    public List<Resource> listResources(String server) {
        return await(listResourcesAsync(server), server, null);
    }

    public CompletableFuture<List<Resource>> listResourcesAsync(String server) {
        return fromCatalog(server, McpMethods.RESOURCES_LIST, ToolCatalog.Kind.RESOURCES, ServerLists::resources);
    }

    /** Every resource template of the server, all pages: from the catalog when it has the list, else listed. */
    public List<ResourceTemplate> listResourceTemplates(String server) {
        return await(fromCatalog(server, McpMethods.RESOURCES_TEMPLATES_LIST, ToolCatalog.Kind.RESOURCES,
                ServerLists::resourceTemplates), server, null);
    }

    public ReadResourceResult readResource(String server, String uri) {
        return await(readResourceAsync(server, uri), server, null);
    }

    public CompletableFuture<ReadResourceResult> readResourceAsync(String server, String uri) {
        ObjectNode params = Json.object();
        params.put("uri", uri);
        return simpleRequest(server, McpMethods.RESOURCES_READ, params, ReadResourceResult.class);
    }

    /** Every prompt of the server, all pages: from the catalog when it has the list, else listed. */
    public List<Prompt> listPrompts(String server) {
        return await(listPromptsAsync(server), server, null);
    }

    public CompletableFuture<List<Prompt>> listPromptsAsync(String server) {
        return fromCatalog(server, McpMethods.PROMPTS_LIST, ToolCatalog.Kind.PROMPTS, ServerLists::prompts);
    }

    public GetPromptResult getPrompt(String server, String prompt, Map<String, String> arguments) {
        return await(getPromptAsync(server, prompt, arguments), server, null);
    }

    public CompletableFuture<GetPromptResult> getPromptAsync(String server, String prompt, Map<String, String> arguments) {
        ObjectNode params = Json.object();
        params.put("name", prompt);
        if (arguments != null && !arguments.isEmpty()) {
            params.set("arguments", Json.toTree(arguments));
        }
        return simpleRequest(server, McpMethods.PROMPTS_GET, params, GetPromptResult.class);
    }

    /** Sends a ping on a pooled session and waits for the answer. */
    public Duration ping(String server) {
        long start = System.nanoTime();
        await(simpleRequest(server, McpMethods.PING, null, JsonNode.class), server, null);
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /**
     * Sends any request to the server and returns its {@code result} as received, JSON unchanged: how a
     * gateway passes {@code resources/read}, {@code prompts/get}, {@code completion/complete} and the like
     * through. The options' timeout, affinity key (sticky servers) and progress listener apply. Tool calls
     * should use {@link #callToolAsync}, which knows the tool's safety for retries and caching; here a
     * {@code tools/call} is treated as unsafe to repeat unless the catalog says otherwise.
     */
    public CompletableFuture<JsonNode> requestAsync(String serverName, String method, ObjectNode params,
                                                    CallOptions options) {
        try {
            PooledServer server = server(serverName);
            long deadline = System.nanoTime() + options.timeout().orElse(server.config().callTimeout()).toNanos();
            CallContext call = started(serverName, method);
            ObjectNode effective = withMeta(params, call);
            CallFuture<JsonNode> request = server.request(method, effective, deadline, options.affinityKey().orElse(null),
                    options.onProgress().orElse(null), call, Attribution.of(options, server.config().callTimeout()));
            return relay(request.handle((json, error) -> {
                RuntimeException failure = error == null ? null : Failures.map(error, serverName, server.endpointLabel(),
                        null);
                ended(call, null, failure);
                if (failure != null) {
                    throw asCompletion(failure);
                }
                return json;
            }), request, background);
        } catch (McpPoolException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private <T> CompletableFuture<T> simpleRequest(String serverName, String method, ObjectNode params, Class<T> type) {
        try {
            PooledServer server = server(serverName);
            long deadline = System.nanoTime() + server.config().callTimeout().toNanos();
            CallContext call = started(serverName, method);
            ObjectNode effective = withMeta(params, call);
            return offReader(server.request(method, effective, deadline, null, null, call).handle((json, error) -> {
                RuntimeException failure = null;
                T value = null;
                if (error != null) {
                    failure = Failures.map(error, serverName, server.endpointLabel(), null);
                } else {
                    try {
                        value = Json.fromTree(json, type);
                    } catch (RuntimeException e) {
                        failure = Failures.map(e, serverName, server.endpointLabel(), null);
                    }
                }
                ended(call, null, failure);
                if (failure != null) {
                    throw asCompletion(failure);
                }
                return value;
            }));
        } catch (McpPoolException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * A list from the catalog when it is loaded, without reaching the server; else a listing that fills the
     * catalog (sharing one under way). Reported to listeners as a call of {@code method} either way.
     */
    private <T> CompletableFuture<List<T>> fromCatalog(String serverName, String method, ToolCatalog.Kind kind,
                                                      Function<ServerLists, List<T>> read) {
        try {
            ServerLists lists = server(serverName).lists();
            CallContext call = started(serverName, method);
            if (lists.loaded(kind)) {
                List<T> list = read.apply(lists);
                ended(call, null, null);
                return CompletableFuture.completedFuture(list);
            }
            return offReader(lists.load(kind).thenApply(v -> read.apply(lists)).whenComplete((v, e) -> ended(call, null, e)));
        } catch (McpPoolException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    // ------------------------------------------------------------------ pool-wide

    /** The configured server names, in config order. */
    public Set<String> servers() {
        return config.servers().keySet();
    }

    @Override
    public McpPoolConfig config() {
        return config;
    }

    /** Every server's tools, resources and prompts as last listed; reads never reach a server. */
    public ToolCatalog catalog() {
        return catalog;
    }

    /** The result cache, to invalidate entries or read its figures. */
    public io.mcppool.cache.ResultCache resultCache() {
        return results;
    }

    /**
     * Moves the running pool to {@code next}: new servers start, removed ones stop taking calls and drain
     * their in-flight calls for the pool's {@code shutdownGrace} before they stop, and servers whose settings
     * changed are replaced the same way (new calls go to the new one at once). Servers whose config is
     * equal keep running untouched, sessions and all.
     */
    public ReloadResult reconfigure(McpPoolConfig next) {
        return reconfigure(next, config.shutdownGrace());
    }

    /** As {@link #reconfigure(McpPoolConfig)}, with leaving servers draining for {@code drain} (a gateway's drainTimeout). */
    public ReloadResult reconfigure(McpPoolConfig next, Duration drain) {
        reconfigureLock.lock();
        try {
            if (closed) {
                throw new PoolClosedException("the pool is closed", null, null, null, null);
            }
            McpPoolConfig current = config;
            List<String> added = new ArrayList<>();
            List<String> removed = new ArrayList<>();
            List<String> changed = new ArrayList<>();
            for (ServerConfig s : next.servers().values()) {
                ServerConfig before = current.servers().get(s.name());
                if (before == null) {
                    added.add(s.name());
                } else if (!before.equals(s)) {
                    changed.add(s.name());
                }
            }
            for (String name : current.servers().keySet()) {
                if (!next.servers().containsKey(name)) {
                    removed.add(name);
                }
            }
            if (!next.housekeepingInterval().equals(current.housekeepingInterval())
                    || !next.shutdownGrace().equals(current.shutdownGrace()) || !next.metrics().equals(current.metrics())) {
                log.warn("reload: housekeepingInterval, shutdownGrace and metrics apply at the next start only");
            }
            Map<String, PooledServer> old = servers;
            for (String name : concat(removed, changed)) {
                catalog.remove(name); // a changed server is listed anew through its new self
            }
            Map<String, PooledServer> started = new LinkedHashMap<>();
            for (String name : concat(added, changed)) {
                started.put(name, new PooledServer(next.servers().get(name), timer, background, this::httpClient, events,
                        catalog, processes));
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
            if (!added.isEmpty() || !removed.isEmpty() || !changed.isEmpty()
                    || !next.sharedCache().equals(current.sharedCache())) {
                // Cache plans are fixed per config: a new config gets a new (empty) result cache.
                io.mcppool.internal.cache.CallCache before = results;
                io.mcppool.internal.cache.CallCache fresh = resultCache(config);
                fresh.start();
                results = fresh;
                before.close();
            }
            List<PooledServer> leaving = new ArrayList<>();
            for (String name : concat(removed, changed)) {
                leaving.add(old.get(name));
            }
            if (!leaving.isEmpty()) {
                // In-flight calls on the old servers finish (up to the grace) while new calls already go to the
                // new ones; the caller does not wait for that.
                background.execute(() -> Concurrently.forEach("mcp-pool-drain", leaving, s -> s.close(drain)));
            }
            ReloadResult result = new ReloadResult(added, removed, changed);
            if (!result.nothingChanged()) {
                log.info("reconfigured from {}: added {}, removed {}, changed {}", next.source(), added, removed, changed);
                events.configReloaded(result.added(), result.removed(), result.changed());
            }
            return result;
        } finally {
            reconfigureLock.unlock();
        }
    }

    private io.mcppool.internal.cache.CallCache resultCache(McpPoolConfig c) {
        return new io.mcppool.internal.cache.CallCache(c, events, timer, background, this::ended,
                (s, t) -> catalog.tool(s, t).map(Tool::annotations).orElse(null));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /**
     * Binds a handler for the server's sampling and elicitation requests to an affinity key on a sticky
     * server: the key's upstream session declares the handler's capabilities and passes such requests to it
     * (a gateway forwards them to its client). Bind before the key's first call; {@link #releaseAffinity}
     * unbinds. On other servers it has no effect: a shared session cannot know whom to ask.
     */
    public void bindAffinity(String server, String affinityKey, io.mcppool.protocol.ServerRequestHandler handler) {
        for (io.mcppool.internal.routing.Endpoint ep : server(server).endpoints()) {
            ep.pool().bindAffinity(affinityKey, handler);
        }
    }

    /** Ends the session bound to an affinity key on a sticky server (a gateway client went away). */
    public void releaseAffinity(String server, String affinityKey) {
        for (io.mcppool.internal.routing.Endpoint ep : server(server).endpoints()) {
            ep.pool().releaseAffinity(affinityKey);
        }
    }

    /**
     * Every endpoint of a server as operators see it: health with the reason and time of its last change,
     * circuit breaker, requests in flight, process restarts and exit codes, and the session pool.
     */
    public List<EndpointStatus> endpoints(String server) {
        return server(server).endpoints().stream().map(io.mcppool.internal.routing.Endpoint::status).toList();
    }

    /**
     * An operator's handle on the circuit breaker of one endpoint: to read it, {@linkplain BreakerControl#forceOpen()
     * force it open}, {@linkplain BreakerControl#forceClosed() force it closed} or {@linkplain BreakerControl#reset()
     * reset it}. The handle cannot take permits or report outcomes: only calls move the breaker.
     *
     * @param endpoint the endpoint's name, as {@link #endpoints(String)} and the metrics show it
     * @throws IllegalArgumentException if the server has no endpoint of that name
     */
    public BreakerControl circuitBreaker(String server, String endpoint) {
        PooledServer s = server(server);
        io.mcppool.internal.routing.Endpoint ep = s.endpoint(endpoint);
        if (ep == null) {
            throw new IllegalArgumentException("server '" + server + "' has no endpoint named '" + endpoint
                    + "'; its endpoints: " + String.join(", ", s.endpoints().stream()
                    .map(io.mcppool.internal.routing.Endpoint::name).toList()));
        }
        return ep.breaker().control();
    }

    /**
     * The overall status ({@code healthy}, {@code degraded}, {@code unhealthy}) with the status of every
     * server and endpoint and the reasons; the rule is in {@code docs/health-and-alerts.md}.
     */
    public HealthSummary healthSummary() {
        return stats.healthSummary();
    }

    /** One server's figures over the recent window: calls, errors, latency percentiles, pool state. */
    public ServerMetrics serverMetrics(String server) {
        return stats.serverMetrics(server);
    }

    /** Every server's figures over the recent window. */
    public PoolMetrics allMetrics() {
        return stats.allMetrics();
    }

    /** The figures as {@code "json"} (Prometheus text comes from a Micrometer registry: see McpPoolMetrics). */
    public String exportMetrics(String format) {
        return stats.export(format);
    }

    /** The statistics behind the summaries, for alert rules ({@code Alerts.on(pool.stats())}). */
    public PoolStats stats() {
        return stats;
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

    private PooledServer server(String name) {
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

    private HttpClient httpClient() {
        HttpClient c = httpClient;
        if (c != null) {
            return c;
        }
        httpClientLock.lock();
        try {
            if (httpClient == null) {
                httpClient = HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(10))
                        .followRedirects(HttpClient.Redirect.NORMAL)
                        .executor(background)
                        .build();
            }
            return httpClient;
        } finally {
            httpClientLock.unlock();
        }
    }

    private void tick() {
        long now = System.nanoTime();
        if (now - lastHousekeepingNanos >= housekeepingEveryNanos) {
            lastHousekeepingNanos = now;
            housekeep();
        }
    }

    private void housekeep() {
        for (PooledServer s : servers.values()) {
            s.housekeep();
        }
        results.housekeep();
    }

    /**
     * Refuses new calls, lets in-flight calls finish for the config's {@code shutdownGrace}, then
     * ends every session (stdio: close stdin, SIGTERM, SIGKILL) and every thread the pool started.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Duration grace = config.shutdownGrace();
        long deadline = System.nanoTime() + grace.toNanos();
        housekeeping.cancel(false);
        catalog.close();
        // Calls in flight get the grace period, no longer than they need; then each server's sessions end in
        // what is left of it (see SessionPool.close).
        Concurrently.forEach("mcp-pool-close", servers.values(), s -> s.close(grace));
        timer.shutdownNow();
        // Background work still running (a session being retired, a handshake) may finish until the deadline, and
        // is interrupted after it; an interrupted stdio close still follows the spec's steps, within its budget.
        background.shutdown();
        try {
            if (!background.awaitTermination(left(deadline, CLOSE_MARGIN), TimeUnit.NANOSECONDS)) {
                background.shutdownNow();
                background.awaitTermination(CLOSE_MARGIN.toNanos(), TimeUnit.NANOSECONDS);
            }
            timer.awaitTermination(CLOSE_MARGIN.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        HttpClient c = httpClient;
        if (c != null) {
            c.shutdownNow();
        }
        // A session that ended on its own ends its process on a thread of its own; one still at it now (or interrupted
        // above) must not leave its server running, least of all one that does not read stdin and would never notice.
        int killed = processes.killAll(CLOSE_MARGIN);
        if (killed > 0) {
            log.warn("close: {} stdio server process(es) were still being stopped; sent SIGKILL", killed);
        }
        results.close(); // after the background threads, which write to the shared cache
        for (AsyncPoolEvents async : asyncListeners) {
            // After the sessions, so their events go out; each gets its usual 5 s to drain, within the grace.
            async.close(Duration.ofNanos(Math.min(left(deadline, CLOSE_MARGIN), ASYNC_LISTENER_DRAIN.toNanos())));
        }
        log.info("mcp-pool closed");
    }

    /** Nanoseconds to {@code deadline}, at least {@code floor}. */
    private static long left(long deadline, Duration floor) {
        return Math.max(deadline - System.nanoTime(), floor.toNanos());
    }

    // ------------------------------------------------------------------ helpers

    /** {@code f}'s outcome, delivered on a pool thread, never on a transport's reader. */
    private <T> CompletableFuture<T> offReader(CompletableFuture<T> f) {
        return relay(f, f, background);
    }

    /**
     * A future that takes {@code source}'s outcome (on {@code executor}) and whose {@code cancel} reaches
     * {@code upstream}: cancelling a call stops it, whether it waits for a slot or is in flight at the server
     * (which then gets {@code notifications/cancelled}). A plain dependent stage would not cancel its source.
     */
    private static <T> CallFuture<T> relay(CompletableFuture<T> source, java.util.concurrent.Future<?> upstream,
                                           java.util.concurrent.Executor executor) {
        CallFuture<T> out = new CallFuture<>();
        out.upstream(upstream);
        source.whenComplete((v, e) -> {
            Runnable complete = () -> {
                if (e != null) {
                    out.completeExceptionally(Failures.unwrap(e));
                } else {
                    out.complete(v);
                }
            };
            try {
                executor.execute(complete);
            } catch (java.util.concurrent.RejectedExecutionException rejected) {
                complete.run();
            }
        });
        return out;
    }

    private static <T> T await(CompletableFuture<T> future, String server, String tool) {
        try {
            return future.join();
        } catch (CancellationException e) {
            throw e;
        } catch (RuntimeException e) {
            throw Failures.map(e, server, null, tool);
        }
    }

    private static RuntimeException asCompletion(RuntimeException e) {
        return e instanceof java.util.concurrent.CompletionException ? e : new java.util.concurrent.CompletionException(e);
    }

    /** Builds a pool in code, without a config file. */
    public static final class Builder {
        private final Map<String, ServerConfig> servers = new LinkedHashMap<>();
        private final List<PoolEvents> listeners = new ArrayList<>();
        private final List<AsyncPoolEvents> asyncListeners = new ArrayList<>();
        private Duration housekeepingInterval = McpPoolConfig.DEFAULT_HOUSEKEEPING_INTERVAL;
        private Duration shutdownGrace = McpPoolConfig.DEFAULT_SHUTDOWN_GRACE;

        private Builder() {
        }

        public Builder server(ServerConfig server) {
            if (servers.putIfAbsent(server.name(), server) != null) {
                throw new IllegalArgumentException("server '" + server.name() + "' is added twice");
            }
            return this;
        }

        public Builder housekeepingInterval(Duration v) {
            housekeepingInterval = v;
            return this;
        }

        public Builder shutdownGrace(Duration v) {
            shutdownGrace = v;
            return this;
        }

        /** A listener called synchronously on the hot path: it must be fast and must not block. */
        public Builder eventListener(PoolEvents listener) {
            listeners.add(listener);
            return this;
        }

        /** A listener that may be slow: it gets a thread and a bounded queue of its own, ended with the pool. */
        public Builder asyncEventListener(PoolEvents listener) {
            AsyncPoolEvents async = new AsyncPoolEvents(listener);
            asyncListeners.add(async);
            listeners.add(async);
            return this;
        }

        public McpPool build() {
            return new McpPool(new McpPoolConfig(servers, housekeepingInterval, shutdownGrace, "builder"), listeners,
                    asyncListeners);
        }
    }
}
