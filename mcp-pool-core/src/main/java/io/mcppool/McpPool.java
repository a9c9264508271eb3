package io.mcppool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.cache.ResultCache;
import io.mcppool.call.CallOptions;
import io.mcppool.call.McpPoolException;
import io.mcppool.call.PoolExhaustedException;
import io.mcppool.catalog.ToolCatalog;
import io.mcppool.config.ConfigLoader;
import io.mcppool.config.McpPoolConfig;
import io.mcppool.config.ReloadResult;
import io.mcppool.config.ServerConfig;
import io.mcppool.config.SharedCacheSettings;
import io.mcppool.events.AsyncPoolEvents;
import io.mcppool.events.ObservablePool;
import io.mcppool.events.PoolEvents;
import io.mcppool.internal.cache.SharedCaches;
import io.mcppool.internal.engine.PoolCalls;
import io.mcppool.internal.engine.PoolEngine;
import io.mcppool.protocol.CallToolResult;
import io.mcppool.protocol.GetPromptResult;
import io.mcppool.protocol.Prompt;
import io.mcppool.protocol.ReadResourceResult;
import io.mcppool.protocol.Resource;
import io.mcppool.protocol.ResourceTemplate;
import io.mcppool.protocol.ServerRequestHandler;
import io.mcppool.protocol.Tool;
import io.mcppool.stats.HealthSummary;
import io.mcppool.stats.PoolMetrics;
import io.mcppool.stats.PoolStats;
import io.mcppool.stats.ServerMetrics;
import io.mcppool.status.BreakerControl;
import io.mcppool.status.EndpointStatus;
import io.mcppool.status.PoolSnapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

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
 * {@link McpPoolException} subtype whose message names the server, the endpoint and the tool, and whose
 * {@link McpPoolException#errorType() errorType} says what went wrong. Sessions open in the background at start
 * ({@code minSessions}) and on demand; a caller waits for the pool at most the server's {@code acquireTimeout},
 * then gets {@link PoolExhaustedException}.
 *
 * <p>This class is the pool's only entry point into the engine, which lives in {@code io.mcppool.internal} and is
 * not part of the API.
 */
public final class McpPool implements ObservablePool, AutoCloseable {
    private final PoolEngine engine;
    private final PoolCalls calls;

    private McpPool(McpPoolConfig config, List<PoolEvents> listeners, List<AsyncPoolEvents> asyncListeners) {
        this.engine = new PoolEngine(config, listeners, asyncListeners);
        this.calls = engine.calls();
    }

    /**
     * Loads a YAML, TOML or {@code mcpServers} JSON file (environment overrides applied) and starts a pool.
     *
     * @throws io.mcppool.config.InvalidConfigException if the file cannot be read or its settings are invalid
     */
    public static McpPool fromConfig(Path file) {
        return create(ConfigLoader.load(file));
    }

    /**
     * Starts a pool: every server's {@code minSessions} open in the background; the method does not wait for them.
     */
    public static McpPool create(McpPoolConfig config) {
        return new McpPool(config, List.of(), List.of());
    }

    /** Starts a pool whose events go to {@code listeners} from the first session on (called synchronously). */
    public static McpPool create(McpPoolConfig config, List<PoolEvents> listeners) {
        return new McpPool(config, listeners, List.of());
    }

    /** A builder for a pool configured in code. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Adds a listener to a running pool. Its hooks are called on the threads where the steps happen, so
     * it must be fast; wrap a slow one in {@link AsyncPoolEvents} (and close that after the pool).
     */
    @Override
    public void addEventListener(PoolEvents listener) {
        engine.addEventListener(listener);
    }

    @Override
    public boolean removeEventListener(PoolEvents listener) {
        return engine.removeEventListener(listener);
    }

    // ------------------------------------------------------------------ tools

    /** Calls a tool with the server's defaults; see {@link #callTool(String, String, Map, CallOptions)}. */
    public CallToolResult callTool(String server, String tool, Map<String, ?> arguments) {
        return calls.callTool(server, tool, arguments, CallOptions.DEFAULTS);
    }

    /**
     * Calls a tool on a pooled session and waits for its result, at most the call's timeout (the options' or the
     * server's {@code callTimeout}). Retries, failover and caching follow the server's config; a call the tool's
     * annotations do not mark safe to repeat is never sent twice.
     *
     * @param server    the server's name in the config
     * @param tool      the tool's name as the server lists it
     * @param arguments the tool's arguments, turned into JSON; {@code null} for none
     * @param options   per-call timeout, affinity key, progress listener, {@code _meta} and tool-error handling
     * @return the tool's result; a result with {@code isError} is returned unless the options ask to fail on it
     * @throws McpPoolException (a subtype) when the call fails: unknown server or tool, pool exhausted, timeout,
     *                          transport or protocol failure, a tool error if asked for
     */
    public CallToolResult callTool(String server, String tool, Map<String, ?> arguments, CallOptions options) {
        return calls.callTool(server, tool, arguments, options);
    }

    /** Calls a tool without blocking, with the server's defaults. */
    public CompletableFuture<CallToolResult> callToolAsync(String server, String tool, Map<String, ?> arguments) {
        return callToolAsync(server, tool, arguments, CallOptions.DEFAULTS);
    }

    /**
     * Calls a tool without blocking. What you chain on the returned future ({@code thenApply}, {@code whenComplete}
     * and the rest) runs on one of the pool's virtual threads, never on a transport's reader, so a slow continuation
     * cannot stall other calls; waiting for it ({@code join}, {@code get}) costs no thread of its own. Cancelling it
     * cancels the call (the server gets {@code notifications/cancelled} if it was sent).
     */
    public CompletableFuture<CallToolResult> callToolAsync(String server, String tool, Map<String, ?> arguments,
                                                           CallOptions options) {
        return calls.callToolAsync(server, tool, arguments, options, true);
    }

    /**
     * Calls a tool with arguments and result as JSON, untouched: the arguments go into the request as they are, and
     * the future gets the {@code result} object as the server sent it, unknown fields and all. This is how a gateway
     * passes calls through without binding them to records and back. The catalog's check, caching, retries, deadlines
     * and events are those of {@link #callToolAsync(String, String, Map, CallOptions)}.
     *
     * <p>Unlike {@code callToolAsync}, the future completes on the thread where the answer arrives, often a
     * transport's reader that every caller of the session shares, and what is chained on it without an executor runs
     * there too. Chain only work that never blocks (encode the answer, hand it to an asynchronous write), or give an
     * executor ({@code thenApplyAsync(fn, executor)}); in return no thread hand-off is added to the call.
     *
     * @param arguments the tool's arguments object; {@code null} for none. Not copied: it must not change until the
     *                  call has ended
     */
    public CompletableFuture<JsonNode> callToolJsonAsync(String server, String tool, ObjectNode arguments,
                                                         CallOptions options) {
        return calls.callToolJson(server, tool, arguments, options);
    }

    /** Every tool of the server, all pages: from the catalog when it has the list, else listed (and kept there). */
    public List<Tool> listTools(String server) {
        return PoolCalls.await(listToolsAsync(server), server, null);
    }

    /** {@link #listTools} without blocking. */
    public CompletableFuture<List<Tool>> listToolsAsync(String server) {
        return calls.listTools(server);
    }

    // ------------------------------------------------------------------ resources and prompts

    /** Every resource of the server, all pages: from the catalog when it has the list, else listed. */
    public List<Resource> listResources(String server) {
        return PoolCalls.await(listResourcesAsync(server), server, null);
    }

    /** {@link #listResources} without blocking. */
    public CompletableFuture<List<Resource>> listResourcesAsync(String server) {
        return calls.listResources(server);
    }

    /** Every resource template of the server, all pages: from the catalog when it has the list, else listed. */
    public List<ResourceTemplate> listResourceTemplates(String server) {
        return PoolCalls.await(calls.listResourceTemplates(server), server, null);
    }

    /** Reads a resource of the server. */
    public ReadResourceResult readResource(String server, String uri) {
        return PoolCalls.await(readResourceAsync(server, uri), server, null);
    }

    /** {@link #readResource} without blocking. */
    public CompletableFuture<ReadResourceResult> readResourceAsync(String server, String uri) {
        return calls.readResource(server, uri);
    }

    /** Every prompt of the server, all pages: from the catalog when it has the list, else listed. */
    public List<Prompt> listPrompts(String server) {
        return PoolCalls.await(listPromptsAsync(server), server, null);
    }

    /** {@link #listPrompts} without blocking. */
    public CompletableFuture<List<Prompt>> listPromptsAsync(String server) {
        return calls.listPrompts(server);
    }

    /** Gets a prompt of the server with its arguments filled in. */
    public GetPromptResult getPrompt(String server, String prompt, Map<String, String> arguments) {
        return PoolCalls.await(getPromptAsync(server, prompt, arguments), server, null);
    }

    /** {@link #getPrompt} without blocking. */
    public CompletableFuture<GetPromptResult> getPromptAsync(String server, String prompt, Map<String, String> arguments) {
        return calls.getPrompt(server, prompt, arguments);
    }

    /** Sends a ping on a pooled session and waits for the answer; returns how long the round trip took. */
    public Duration ping(String server) {
        long start = System.nanoTime();
        PoolCalls.await(calls.ping(server), server, null);
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /**
     * Sends any request to the server and returns its {@code result} as received, JSON unchanged: how a
     * gateway passes {@code resources/read}, {@code prompts/get}, {@code completion/complete} and the like
     * through. The options' timeout, affinity key (sticky servers) and progress listener apply. Tool calls
     * should use {@link #callToolAsync}, which knows the tool's safety for retries and caching; here a
     * {@code tools/call} is treated as unsafe to repeat unless the catalog says otherwise.
     */
    public CompletableFuture<JsonNode> requestAsync(String server, String method, ObjectNode params,
                                                    CallOptions options) {
        return calls.request(server, method, params, options);
    }

    // ------------------------------------------------------------------ pool-wide

    /** The configured server names, in config order. */
    public Set<String> servers() {
        return engine.config().servers().keySet();
    }

    @Override
    public McpPoolConfig config() {
        return engine.config();
    }

    /** Every server's tools, resources and prompts as last listed; reads never reach a server. */
    public ToolCatalog catalog() {
        return engine.catalog();
    }

    /** The result cache, to invalidate entries or read its figures. */
    public ResultCache resultCache() {
        return engine.results();
    }

    /**
     * Moves the running pool to {@code next}: new servers start, removed ones stop taking calls and drain
     * their in-flight calls for the pool's {@code shutdownGrace} before they stop, and servers whose settings
     * changed are replaced the same way (new calls go to the new one at once). Servers whose config is
     * equal keep running untouched, sessions and all. {@code housekeepingInterval}, {@code shutdownGrace} and
     * {@code metrics} apply at the next start only.
     *
     * @throws io.mcppool.call.PoolClosedException if the pool is closed
     */
    public ReloadResult reconfigure(McpPoolConfig next) {
        return reconfigure(next, engine.config().shutdownGrace());
    }

    /** As {@link #reconfigure(McpPoolConfig)}, with leaving servers draining for {@code drain} (a gateway's drainTimeout). */
    public ReloadResult reconfigure(McpPoolConfig next, Duration drain) {
        return engine.reconfigure(next, drain);
    }

    /**
     * Binds a handler for the server's sampling and elicitation requests to an affinity key on a sticky
     * server: the key's upstream session declares the handler's capabilities and passes such requests to it
     * (a gateway forwards them to its client). Bind before the key's first call; {@link #releaseAffinity}
     * unbinds. On other servers it has no effect: a shared session cannot know whom to ask.
     */
    public void bindAffinity(String server, String affinityKey, ServerRequestHandler handler) {
        engine.bindAffinity(server, affinityKey, handler);
    }

    /** Ends the session bound to an affinity key on a sticky server (a gateway client went away). */
    public void releaseAffinity(String server, String affinityKey) {
        engine.releaseAffinity(server, affinityKey);
    }

    /**
     * Every endpoint of a server as operators see it: health with the reason and time of its last change,
     * circuit breaker, requests in flight, process restarts and exit codes, and the session pool.
     */
    public List<EndpointStatus> endpoints(String server) {
        return engine.endpoints(server);
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
        return engine.circuitBreaker(server, endpoint);
    }

    /**
     * The overall status ({@code healthy}, {@code degraded}, {@code unhealthy}) with the status of every
     * server and endpoint and the reasons; the rule is in {@code docs/health-and-alerts.md}.
     */
    public HealthSummary healthSummary() {
        return engine.stats().healthSummary();
    }

    /** One server's figures over the recent window: calls, errors, latency percentiles, pool state. */
    public ServerMetrics serverMetrics(String server) {
        return engine.stats().serverMetrics(server);
    }

    /** Every server's figures over the recent window. */
    public PoolMetrics allMetrics() {
        return engine.stats().allMetrics();
    }

    /** The figures as {@code "json"} (Prometheus text comes from a Micrometer registry: see McpPoolMetrics). */
    public String exportMetrics(String format) {
        return engine.stats().export(format);
    }

    /** The statistics behind the summaries, for alert rules ({@code Alerts.on(pool.stats())}). */
    public PoolStats stats() {
        return engine.stats();
    }

    /** Every server's sessions, endpoints and breakers at this moment. */
    @Override
    public PoolSnapshot snapshot() {
        return engine.snapshot();
    }

    /**
     * An operator's task on a shared (Redis) result cache, without a running pool ({@code mcp-pool cache clear}):
     * deletes the entries under the settings' prefix, all of them, a server's, or one tool's. Uses SCAN, so Redis
     * keeps serving other clients while it runs.
     *
     * @param server null for every server
     * @param tool   null for every tool of {@code server}; needs a server
     * @return how many keys were deleted
     * @throws IllegalArgumentException when the settings name no Redis, or a tool is given without a server
     * @throws IllegalStateException    when Redis cannot be reached or refuses a command
     */
    public static long clearSharedCache(SharedCacheSettings settings, String server, String tool) {
        return SharedCaches.clear(settings, server, tool);
    }

    /**
     * Refuses new calls, lets in-flight calls finish for the config's {@code shutdownGrace}, then
     * ends every session (stdio: close stdin, SIGTERM, SIGKILL) and every thread the pool started.
     * Calling it again does nothing.
     */
    @Override
    public void close() {
        engine.close();
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

        /** Adds a server; each name once. */
        public Builder server(ServerConfig server) {
            if (servers.putIfAbsent(server.name(), server) != null) {
                throw new IllegalArgumentException("server '" + server.name() + "' is added twice");
            }
            return this;
        }

        /** How often idle sessions are retired and pools topped up (default 1 s). */
        public Builder housekeepingInterval(Duration v) {
            housekeepingInterval = v;
            return this;
        }

        /** How long {@link McpPool#close()} lets in-flight calls finish (default 10 s). */
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

        /** Starts the pool. */
        public McpPool build() {
            return new McpPool(new McpPoolConfig(servers, housekeepingInterval, shutdownGrace, "builder"), listeners,
                    asyncListeners);
        }
    }
}
