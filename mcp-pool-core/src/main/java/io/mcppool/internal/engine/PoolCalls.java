package io.mcppool.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.call.CallOptions;
import io.mcppool.call.CallTimeoutException;
import io.mcppool.call.ErrorType;
import io.mcppool.call.McpPoolException;
import io.mcppool.call.ToolErrorException;
import io.mcppool.call.UnknownToolException;
import io.mcppool.catalog.ToolCatalog;
import io.mcppool.events.CallContext;
import io.mcppool.events.CallOutcome;
import io.mcppool.events.PoolEvents;
import io.mcppool.internal.cache.CallCache;
import io.mcppool.internal.protocol.ResultBinding;
import io.mcppool.internal.catalog.ServerLists;
import io.mcppool.protocol.CallToolResult;
import io.mcppool.protocol.GetPromptResult;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.McpMethods;
import io.mcppool.protocol.Prompt;
import io.mcppool.protocol.ReadResourceResult;
import io.mcppool.protocol.Resource;
import io.mcppool.protocol.ResourceTemplate;
import io.mcppool.protocol.Tool;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import io.mcppool.internal.engine.PoolEngine;
import io.mcppool.internal.Attribution;
import io.mcppool.internal.Failures;
import io.mcppool.internal.PooledServer;
import io.mcppool.internal.CallFuture;
/**
 * The calls a pool takes, from the caller's arguments to the typed result or failure: each one is reported to the
 * listeners when it starts and ends (before its caller sees the end, so counters are exact when it returns), and its
 * failure is mapped to an {@link McpPoolException} naming server, endpoint and tool.
 */
public final class PoolCalls {
    /** How long past a call's deadline a blocking caller waits before it gives up on the engine. */
    private static final Duration SAFETY_MARGIN = Duration.ofSeconds(10);

    private final PoolEngine engine;
    private final PoolEvents events;
    private final Executor background;

    PoolCalls(PoolEngine engine, PoolEvents events, Executor background) {
        this.engine = engine;
        this.events = events;
        this.background = background;
    }

    // ------------------------------------------------------------------ tools

    /** Calls a tool and waits, at most the call's deadline plus a safety margin. */
    public CallToolResult callTool(String server, String tool, Map<String, ?> arguments, CallOptions options) {
        CompletableFuture<CallToolResult> call = callToolAsync(server, tool, arguments, options, false);
        // The engine ends every call by its deadline; a bounded wait keeps a bug from parking a caller forever.
        Duration timeout = options.timeout().orElseGet(() -> engine.callTimeout(server));
        try {
            return call.get(timeout.plus(SAFETY_MARGIN).toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            call.cancel(true);
            throw new CallTimeoutException("the call did not end by its deadline plus " + SAFETY_MARGIN.toSeconds()
                    + " s; it was cancelled (this is a bug in mcp-pool: please report it)", server, null, tool, e);
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            throw new CallTimeoutException("interrupted while waiting; the call was cancelled", server, null, tool, e);
        } catch (ExecutionException | CancellationException e) {
            throw Failures.map(e, server, null, tool);
        }
    }

    /**
     * Calls a tool without blocking. With {@code offReader} what the caller chains on the future runs on the pool's
     * virtual threads, never on a transport's reader, so a slow continuation cannot stall other calls; without it
     * the future is for a caller that only waits.
     */
    public CompletableFuture<CallToolResult> callToolAsync(String serverName, String tool, Map<String, ?> arguments,
                                                           CallOptions options, boolean offReader) {
        CallFuture<CallToolResult> out = offReader ? new OffReaderFuture<>(background) : new CallFuture<>();
        return toolCall(serverName, tool, options, out, (server, call, deadline) -> {
            CallCache cache = engine.results();
            if (cache.active()) { // one field read when nothing is cached: the direct path stays as it was
                return pipe(cache.call(serverName, tool, arguments, options, call, deadline,
                        o -> sendCall(server, tool, tree(arguments), o, deadline, call, new CallFuture<>(), BIND)), out);
            }
            return sendCall(server, tool, tree(arguments), options, deadline, call, out, BIND);
        });
    }

    /**
     * A tool call whose arguments and result stay JSON, as a gateway passes them through: the arguments go into the
     * request as they are and the result comes back as the server sent it, with no binding either way. Everything
     * else (the catalog's check, caching, retries, deadlines, events) is as for {@link #callToolAsync}, but the future
     * completes where the answer arrives and runs there what is chained on it: for a caller whose continuations never
     * block, which saves the hand-off to another thread.
     */
    public CompletableFuture<JsonNode> callToolJson(String serverName, String tool, ObjectNode arguments,
                                                    CallOptions options) {
        CallFuture<JsonNode> out = new CallFuture<>();
        return toolCall(serverName, tool, options, out, (server, call, deadline) -> {
            ObjectNode args = arguments == null ? Json.object() : arguments;
            CallCache cache = engine.results();
            if (cache.active()) { // cache keys and entries are made of maps and records: bound only here
                Map<String, Object> map = Json.fromTree(args, ARGUMENTS);
                return pipe(cache.call(serverName, tool, map, options, call, deadline,
                        o -> sendCall(server, tool, args, o, deadline, call, new CallFuture<>(), BIND))
                        .thenApply(Json::toTree), out);
            }
            return sendCall(server, tool, args, options, deadline, call, out, json -> json);
        });
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static final Class<Map<String, Object>> ARGUMENTS = (Class) Map.class;
    private static final Function<JsonNode, CallToolResult> BIND = ResultBinding::callToolResult;

    private static JsonNode tree(Map<String, ?> arguments) {
        return arguments == null ? Json.object() : Json.toTree(arguments);
    }

    /** How a tool call goes out once the pool knows the server and the tool, and the call has started. */
    @FunctionalInterface
    private interface ToolCallSender<R> {
        CompletableFuture<R> send(PooledServer server, CallContext call, long deadline);
    }

    /** What every tool call does first: find the server, start the call, refuse a tool the catalog knows is not there. */
    private <R> CompletableFuture<R> toolCall(String serverName, String tool, CallOptions options, CallFuture<R> out,
                                              ToolCallSender<R> sender) {
        PooledServer server;
        try {
            server = engine.server(serverName);
        } catch (McpPoolException e) {
            return CompletableFuture.failedFuture(e);
        }
        long start = System.nanoTime();
        long deadline = start + options.timeout().orElse(server.config().callTimeout()).toNanos();
        CallContext call = new CallContext(serverName, McpMethods.TOOLS_CALL, tool, start);
        events.callStarted(call);
        if (server.lists().lacksTool(tool)) {
            // Answered from the catalog, kept current by list-changed notices, new sessions and catalogRefresh.
            UnknownToolException unknown = unknownTool(server, tool);
            ended(call, false, unknown);
            out.completeExceptionally(unknown);
            return out;
        }
        return sender.send(server, call, deadline);
    }

    /**
     * Sends the call and completes {@code out} with its result ({@code bind} reads it from the answer) or mapped
     * failure, once, where the answer arrives.
     */
    private <R> CallFuture<R> sendCall(PooledServer server, String tool, JsonNode arguments, CallOptions options,
                                       long deadline, CallContext call, CallFuture<R> out, Function<JsonNode, R> bind) {
        ObjectNode params = Json.object();
        params.put("name", tool);
        params.set("arguments", arguments);
        if (!options.meta().isEmpty()) {
            params.set("_meta", Json.toTree(options.meta()));
        }
        withMeta(params, call); // listeners' entries (a trace context) go in after the caller's
        String name = server.config().name();
        CallFuture<JsonNode> request = server.request(McpMethods.TOOLS_CALL, params, deadline,
                options.affinityKey().orElse(null), options.onProgress().orElse(null), call,
                Attribution.of(options, server.config().callTimeout()));
        out.upstream(request);
        CompletableFuture<JsonNode> answer = server.lists().loaded(ToolCatalog.Kind.TOOLS) ? request
                : refusedIfUnknown(request, server, tool, deadline);
        answer.whenComplete((json, error) -> {
            RuntimeException failure = null;
            R result = null;
            boolean toolError = false;
            if (error != null) {
                failure = Failures.map(error, name, server.endpointLabel(), tool);
            } else {
                try {
                    result = bind.apply(json);
                    toolError = result instanceof CallToolResult r ? r.failed() : json.path("isError").asBoolean(false);
                    if (toolError && options.failOnToolError()) {
                        failure = new ToolErrorException(name, server.endpointLabel(), tool,
                                result instanceof CallToolResult r ? r : ResultBinding.callToolResult(json));
                    }
                } catch (RuntimeException e) {
                    failure = Failures.map(e, name, server.endpointLabel(), tool);
                }
            }
            complete(out, call, result, toolError, failure);
        });
        return out;
    }

    private static UnknownToolException unknownTool(PooledServer server, String tool) {
        List<Tool> known = server.lists().tools();
        return new UnknownToolException("no such tool; the server lists " + known.size() + " tool(s)" + toolHint(known),
                server.config().name(), server.endpointLabel(), tool, null);
    }

    private static String toolHint(List<Tool> tools) {
        List<String> names = tools.stream().map(Tool::name).sorted().limit(20).toList();
        return names.isEmpty() ? "" : ": " + String.join(", ", names) + (tools.size() > 20 ? ", ..." : "");
    }

    /**
     * A call sent before the server's first listing ended: if the server refuses it (an error result or an
     * invalid-request error), the listing decides, once it ends (within the call's deadline), whether the tool
     * exists. So a misspelt tool is an {@link UnknownToolException} from the first call on, as it is later when
     * the catalog answers it without asking; servers differ in how they answer an unknown tool.
     */
    private static CompletableFuture<JsonNode> refusedIfUnknown(CompletableFuture<JsonNode> answer, PooledServer server,
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

    // ------------------------------------------------------------------ lists, resources, prompts, ping

    public CompletableFuture<List<Tool>> listTools(String server) {
        return fromCatalog(server, McpMethods.TOOLS_LIST, ToolCatalog.Kind.TOOLS, ServerLists::tools);
    }

    public CompletableFuture<List<Resource>> listResources(String server) {
        return fromCatalog(server, McpMethods.RESOURCES_LIST, ToolCatalog.Kind.RESOURCES, ServerLists::resources);
    }

    public CompletableFuture<List<ResourceTemplate>> listResourceTemplates(String server) {
        return fromCatalog(server, McpMethods.RESOURCES_TEMPLATES_LIST, ToolCatalog.Kind.RESOURCES,
                ServerLists::resourceTemplates);
    }

    public CompletableFuture<List<Prompt>> listPrompts(String server) {
        return fromCatalog(server, McpMethods.PROMPTS_LIST, ToolCatalog.Kind.PROMPTS, ServerLists::prompts);
    }

    public CompletableFuture<ReadResourceResult> readResource(String server, String uri) {
        ObjectNode params = Json.object();
        params.put("uri", uri);
        return request(server, McpMethods.RESOURCES_READ, params, CallOptions.DEFAULTS,
                json -> Json.fromTree(json, ReadResourceResult.class));
    }

    public CompletableFuture<GetPromptResult> getPrompt(String server, String prompt, Map<String, String> arguments) {
        ObjectNode params = Json.object();
        params.put("name", prompt);
        if (arguments != null && !arguments.isEmpty()) {
            params.set("arguments", Json.toTree(arguments));
        }
        return request(server, McpMethods.PROMPTS_GET, params, CallOptions.DEFAULTS,
                json -> Json.fromTree(json, GetPromptResult.class));
    }

    public CompletableFuture<JsonNode> ping(String server) {
        return request(server, McpMethods.PING, null, CallOptions.DEFAULTS);
    }

    /** Any request, its {@code result} returned as received: the options' timeout, affinity key and progress apply. */
    public CompletableFuture<JsonNode> request(String serverName, String method, ObjectNode params, CallOptions options) {
        return request(serverName, method, params, options, json -> json);
    }

    /** A request whose result {@code bind} reads; a result it cannot read fails the call as a protocol error. */
    private <T> CompletableFuture<T> request(String serverName, String method, ObjectNode params, CallOptions options,
                                             Function<JsonNode, T> bind) {
        try {
            PooledServer server = engine.server(serverName);
            long deadline = System.nanoTime() + options.timeout().orElse(server.config().callTimeout()).toNanos();
            CallContext call = started(serverName, method);
            ObjectNode effective = withMeta(params, call);
            CallFuture<JsonNode> request = server.request(method, effective, deadline, options.affinityKey().orElse(null),
                    options.onProgress().orElse(null), call, Attribution.of(options, server.config().callTimeout()));
            CallFuture<T> out = new OffReaderFuture<>(background);
            out.upstream(request);
            request.whenComplete((json, error) -> {
                RuntimeException failure = null;
                T value = null;
                if (error != null) {
                    failure = Failures.map(error, serverName, server.endpointLabel(), null);
                } else {
                    try {
                        value = bind.apply(json);
                    } catch (RuntimeException e) {
                        failure = Failures.map(e, serverName, server.endpointLabel(), null);
                    }
                }
                complete(out, call, value, false, failure);
            });
            return out;
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
            ServerLists lists = engine.server(serverName).lists();
            CallContext call = started(serverName, method);
            if (lists.loaded(kind)) {
                List<T> list = read.apply(lists);
                ended(call, false, null);
                return CompletableFuture.completedFuture(list);
            }
            return offReader(lists.load(kind).thenApply(v -> read.apply(lists)).whenComplete((v, e) -> ended(call, false, e)));
        } catch (McpPoolException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Waits for {@code future}; a failure is mapped to the {@link McpPoolException} it stands for. */
    public static <T> T await(CompletableFuture<T> future, String server, String tool) {
        try {
            return future.join();
        } catch (CancellationException e) {
            throw e;
        } catch (RuntimeException e) {
            throw Failures.map(e, server, null, tool);
        }
    }

    // ------------------------------------------------------------------ start and end of a call

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

    /** Ends the call for the listeners, then for its caller: with {@code value}, or with {@code failure} when set. */
    private <T> void complete(CompletableFuture<T> out, CallContext call, T value, boolean toolError,
                              RuntimeException failure) {
        ended(call, toolError, failure);
        if (failure != null) {
            out.completeExceptionally(failure);
        } else {
            out.complete(value);
        }
    }

    /** As {@link #ended(CallContext, boolean, Throwable)}, for the result cache, which has the result bound. */
    void ended(CallContext call, CallToolResult result, Throwable failure) {
        ended(call, result != null && result.failed(), failure);
    }

    /** Reports the end of a call before its caller can see it, so counters are exact when the call returns. */
    private void ended(CallContext call, boolean toolError, Throwable failure) {
        long duration = System.nanoTime() - call.startNanos();
        if (failure == null) {
            events.callEnded(call, toolError ? CallOutcome.TOOL_ERROR : CallOutcome.SUCCESS,
                    toolError ? ErrorType.TOOL_ERROR : null, duration);
        } else {
            ErrorType type = Failures.classify(failure);
            events.callEnded(call, type == ErrorType.TOOL_ERROR ? CallOutcome.TOOL_ERROR : CallOutcome.FAILURE, type,
                    duration);
        }
    }

    /** An async caller's future for {@code source}: completed where {@code source} is, cancelling it when cancelled. */
    private <T> CallFuture<T> offReader(CompletableFuture<T> source) {
        return pipe(source, new OffReaderFuture<>(background));
    }

    /**
     * Completes {@code out} with {@code source}'s outcome, and has {@code out}'s {@code cancel} reach {@code source}:
     * cancelling a call stops it, whether it waits for a slot or is in flight at the server (which then gets
     * {@code notifications/cancelled}). A plain dependent stage would not cancel its source.
     */
    private static <T> CallFuture<T> pipe(CompletableFuture<T> source, CallFuture<T> out) {
        out.upstream(source);
        source.whenComplete((v, e) -> {
            if (e != null) {
                out.completeExceptionally(Failures.unwrap(e));
            } else {
                out.complete(v);
            }
        });
        return out;
    }
}
