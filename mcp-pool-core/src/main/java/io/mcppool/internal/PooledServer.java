package io.mcppool.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.PoolSnapshot;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.PoolMode;
import io.mcppool.config.ServerConfig;
import io.mcppool.events.CallContext;
import io.mcppool.events.PoolEvents;
import io.mcppool.logging.Redaction;
import io.mcppool.pool.EndpointPool;
import io.mcppool.pool.Lease;
import io.mcppool.pool.PoolContext;
import io.mcppool.pool.SessionFactory;
import io.mcppool.pool.SessionPool;
import io.mcppool.pool.StickySessionPool;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.ListToolsResult;
import io.mcppool.protocol.McpMethods;
import io.mcppool.protocol.Progress;
import io.mcppool.protocol.Tool;
import io.mcppool.session.McpSession;
import io.mcppool.session.NotSentException;
import io.mcppool.session.SessionOptions;
import io.mcppool.transport.StdioTransport;
import io.mcppool.transport.StreamableHttpTransport;
import io.mcppool.transport.Transport;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One configured server at run time: its endpoint pool and its cached tool list. The request path
 * is: acquire a slot, send with the remaining deadline, release the slot when the answer (or
 * failure) arrives.
 */
public final class PooledServer {
    private static final Logger log = LoggerFactory.getLogger(PooledServer.class);
    /** Guards against a server whose cursors never end. */
    private static final int MAX_PAGES = 10_000;

    private final ServerConfig config;
    private final String endpointLabel;
    private final EndpointPool pool;
    private final PoolEvents events;
    private final AtomicReference<CompletableFuture<List<Tool>>> tools = new AtomicReference<>();

    public PooledServer(ServerConfig config, ScheduledExecutorService timer, ExecutorService background,
                        Supplier<HttpClient> httpClient, PoolEvents events) {
        this.config = config;
        this.endpointLabel = label(config.endpoint());
        SessionOptions options = new SessionOptions(config.name(), config.connectTimeout(), config.roots(),
                SessionOptions.CLIENT_INFO);
        SessionFactory factory = listener -> new McpSession(transport(config, httpClient, background), options, timer,
                listener);
        PoolContext context = new PoolContext(config.name(), endpointLabel, config.connectTimeout(), factory, timer,
                background, s -> invalidateTools(), events);
        this.events = events;
        this.pool = config.pool().mode() == PoolMode.STICKY
                ? new StickySessionPool(context, config.pool())
                : new SessionPool(context, config.pool());
    }

    private static Transport transport(ServerConfig config, Supplier<HttpClient> httpClient, ExecutorService executor) {
        return switch (config.endpoint()) {
            case EndpointConfig.Stdio stdio -> new StdioTransport(config.name(), stdio, config.maxMessageBytes());
            case EndpointConfig.Http http -> new StreamableHttpTransport(config.name(), http, httpClient.get(), executor,
                    config.maxMessageBytes());
            case EndpointConfig.Custom custom -> custom.factory().create();
        };
    }

    /**
     * A short name for the endpoint in messages. A JVM server's command line holds a classpath of
     * thousands of characters; long arguments are cut in the middle so both ends stay readable.
     */
    static String label(EndpointConfig endpoint) {
        if (!(endpoint instanceof EndpointConfig.Stdio stdio)) {
            return Redaction.endpoint(endpoint.describe());
        }
        StringBuilder sb = new StringBuilder(java.nio.file.Path.of(stdio.command()).getFileName().toString());
        for (String arg : stdio.args()) {
            sb.append(' ').append(arg.length() <= 48 ? arg : arg.substring(0, 20) + "..." + arg.substring(arg.length() - 20));
        }
        // Labels go into logs, events (and so metric tags) and exception messages: never with a secret in them.
        return Redaction.endpoint(sb.length() <= 160 ? sb.toString() : sb.substring(0, 157) + "...");
    }

    public void start() {
        pool.start();
        if (config.pool().minSessions() > 0 && config.pool().mode() != PoolMode.STICKY) {
            // Warm the tool list along with the first session, so the first call need not wait for it.
            listTools().exceptionally(e -> {
                log.debug("server '{}': tool list not loaded at start: {}", config.name(), Failures.unwrap(e).toString());
                return null;
            });
        }
    }

    public ServerConfig config() {
        return config;
    }

    public String endpointLabel() {
        return endpointLabel;
    }

    public EndpointPool pool() {
        return pool;
    }

    /**
     * Sends one request on a pooled session. The deadline covers the wait for a slot too; the wait is
     * also capped by the pool's acquire timeout. {@code params} becomes the session's.
     */
    public CallFuture<JsonNode> request(String method, ObjectNode params, long deadlineNanos, String affinityKey,
                                        Consumer<Progress> onProgress) {
        return request(method, params, deadlineNanos, affinityKey, onProgress, null);
    }

    /** As above; {@code call} (may be null) receives the acquire and endpoint events of this request. */
    public CallFuture<JsonNode> request(String method, ObjectNode params, long deadlineNanos, String affinityKey,
                                        Consumer<Progress> onProgress, CallContext call) {
        CallFuture<JsonNode> result = new CallFuture<>();
        attempt(result, method, params, deadlineNanos, affinityKey, onProgress, call, true);
        return result;
    }

    /**
     * One try: a slot, then the request on it. A session that died between the lease and the send never
     * saw the request ({@link NotSentException}), so the first try may be followed by one more.
     */
    private void attempt(CallFuture<JsonNode> result, String method, ObjectNode params, long deadlineNanos,
                         String affinityKey, Consumer<Progress> onProgress, CallContext call, boolean mayRetry) {
        long acquireStart = System.nanoTime();
        long acquireWait = Math.min(deadlineNanos - acquireStart, config.pool().acquireTimeout().toNanos());
        if (call != null) {
            call.endpoint(endpointLabel);
            events.endpointPicked(call, endpointLabel);
            events.acquireStarted(call);
        }
        CompletableFuture<Lease> acquired = pool.acquire(affinityKey, acquireWait);
        result.upstream(acquired);
        acquired.whenComplete((lease, acquireError) -> {
            try {
                onAcquired(result, lease, acquireError, acquireStart, method, params, deadlineNanos, affinityKey,
                        onProgress, call, mayRetry);
            } catch (RuntimeException | Error t) {
                // Whatever goes wrong in here (a listener, a bug), the caller must get an answer, not hang.
                result.completeExceptionally(t);
                throw t;
            }
        });
    }

    private void onAcquired(CallFuture<JsonNode> result, Lease lease, Throwable acquireError, long acquireStart,
                            String method, ObjectNode params, long deadlineNanos, String affinityKey,
                            Consumer<Progress> onProgress, CallContext call, boolean mayRetry) {
        if (call != null) {
            events.acquireEnded(call, System.nanoTime() - acquireStart, acquireError == null);
        }
        if (acquireError != null) {
            result.completeExceptionally(acquireError);
            return;
        }
        if (result.isDone()) {
            lease.release(); // cancelled while the slot was being handed over
            return;
        }
        CompletableFuture<JsonNode> answer;
        try {
            answer = lease.session().request(method, params, Math.max(1, deadlineNanos - System.nanoTime()), onProgress);
        } catch (RuntimeException e) {
            lease.release();
            result.completeExceptionally(e);
            return;
        }
        result.upstream(answer);
        answer.whenComplete((json, error) -> {
            try {
                // Release before completing, so the slot is free before anyone sees the answer.
                lease.release();
            } finally {
                if (error == null) {
                    result.complete(json);
                } else if (mayRetry && Failures.unwrap(error) instanceof NotSentException
                        && deadlineNanos - System.nanoTime() > 0 && !result.isDone()) {
                    attempt(result, method, params, deadlineNanos, affinityKey, onProgress, call, false);
                } else {
                    result.completeExceptionally(error);
                }
            }
        });
    }

    // ------------------------------------------------------------------ tool list cache

    /** The server's whole tool list (all pages), cached until the server says it changed. */
    public CompletableFuture<List<Tool>> listTools() {
        while (true) {
            CompletableFuture<List<Tool>> current = tools.get();
            if (current != null && !current.isCompletedExceptionally()) {
                return current;
            }
            CompletableFuture<List<Tool>> mine = new CompletableFuture<>();
            if (tools.compareAndSet(current, mine)) {
                fetchAllTools(mine);
                return mine;
            }
        }
    }

    /** The cached list if there is one already, without fetching. */
    public List<Tool> cachedTools() {
        CompletableFuture<List<Tool>> current = tools.get();
        return current != null && current.isDone() && !current.isCompletedExceptionally() ? current.join() : null;
    }

    public void invalidateTools() {
        tools.set(null);
        log.debug("server '{}': tool list changed; cache cleared", config.name());
    }

    private void fetchAllTools(CompletableFuture<List<Tool>> target) {
        listAll(McpMethods.TOOLS_LIST, json -> Json.fromTree(json, ListToolsResult.class).tools()).whenComplete((all, e) -> {
            if (e != null) {
                tools.compareAndSet(target, null);
                target.completeExceptionally(e);
            } else {
                target.complete(all);
            }
        });
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
        return request(method, params, deadline, null, null).thenCompose(json -> {
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
        String transport = switch (config.endpoint()) {
            case EndpointConfig.Stdio s -> "stdio";
            case EndpointConfig.Http h -> "http";
            case EndpointConfig.Custom c -> "custom";
        };
        List<Tool> cached = cachedTools();
        return new PoolSnapshot.ServerSnapshot(config.name(), transport, List.of(pool.snapshot()),
                cached == null ? -1 : cached.size());
    }

    public void close(Duration grace) {
        pool.close(grace);
    }
}
