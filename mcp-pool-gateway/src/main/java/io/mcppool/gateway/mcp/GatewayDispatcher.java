package io.mcppool.gateway.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.CallOptions;
import io.mcppool.ErrorType;
import io.mcppool.McpPool;
import io.mcppool.McpPoolException;
import io.mcppool.ProtocolErrorException;
import io.mcppool.UnknownServerException;
import io.mcppool.UnknownToolException;
import io.mcppool.cache.CatalogEntry;
import io.mcppool.cache.ToolCatalog;
import io.mcppool.config.ClientLimits;
import io.mcppool.config.PoolMode;
import io.mcppool.config.ServerConfig;
import io.mcppool.gateway.auth.AccessPolicy;
import io.mcppool.gateway.cli.Version;
import io.mcppool.internal.Failures;
import io.mcppool.protocol.CallToolResult;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.JsonRpcCodec;
import io.mcppool.protocol.JsonRpcError;
import io.mcppool.protocol.JsonRpcNotification;
import io.mcppool.protocol.JsonRpcRequest;
import io.mcppool.protocol.JsonRpcResponse;
import io.mcppool.protocol.MalformedMessageException;
import io.mcppool.protocol.McpMethods;
import io.mcppool.protocol.Progress;
import io.mcppool.protocol.ProtocolVersion;
import io.mcppool.protocol.RequestId;
import io.mcppool.protocol.Prompt;
import io.mcppool.protocol.Resource;
import io.mcppool.protocol.ResourceTemplate;
import io.mcppool.protocol.Tool;
import io.mcppool.session.RpcErrorException;
import io.mcppool.session.ServerRequestHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's MCP server, whatever the transport: answers one client's requests over every pooled
 * server. Tools and prompts are served under aggregate names ({@code files__read_file}), resources under
 * their own URIs; each client sees and reaches only what its allow list names. Calls go through the pool
 * (sessions, routing, retries, the result cache), with the client's progress token, cancellation and, on
 * sticky servers, an upstream session of its own whose sampling and elicitation requests reach this client.
 */
public final class GatewayDispatcher {
    private static final Logger log = LoggerFactory.getLogger(GatewayDispatcher.class);
    /** JSON-RPC code for a request the client cancelled (answered only where a response must be written). */
    static final int REQUEST_CANCELLED = -32800;

    /** How long a request waits for a server that has not been listed yet (just started, or reloaded in). */
    private static final long FIRST_LISTING_WAIT_MILLIS = 5_000;

    private final McpPool pool;
    private final ClientLimits limits;
    private final GatewayEvents events;
    /** Servers not listed within the wait once: later requests do not wait for them again until they are. */
    private final Set<String> notWaitedFor = ConcurrentHashMap.newKeySet();

    /** A dispatcher with the limits of the pool's config ({@code gateway} block) that reports to no metrics. */
    public GatewayDispatcher(McpPool pool) {
        this(pool, pool.config().gateway().limits(), GatewayEvents.NONE);
    }

    /** @param limits what an upstream's requests to one client may add up to; {@code events} hears of clients at them */
    public GatewayDispatcher(McpPool pool, ClientLimits limits, GatewayEvents events) {
        this.pool = pool;
        this.limits = limits;
        this.events = events;
    }

    /**
     * Runs {@code answer} once every server has been listed, so a client that asks right after the gateway
     * (or a server) started gets the whole list; a server that cannot be listed is waited for once, up to
     * {@link #FIRST_LISTING_WAIT_MILLIS}, and then left out until it is.
     */
    private CompletableFuture<JsonNode> whenListed(Supplier<JsonNode> answer) {
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        for (String server : pool.servers()) {
            CompletableFuture<Void> loaded = catalog().loaded(server);
            if (loaded.isDone()) {
                notWaitedFor.remove(server);
            } else if (!notWaitedFor.contains(server)) {
                waits.add(loaded.copy().orTimeout(FIRST_LISTING_WAIT_MILLIS, TimeUnit.MILLISECONDS)
                        .exceptionally(e -> {
                            notWaitedFor.add(server);
                            log.warn("server '{}' is not listed yet; answering without it", server);
                            return null;
                        }));
            }
        }
        if (waits.isEmpty()) {
            return CompletableFuture.completedFuture(answer.get());
        }
        return CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).thenApply(v -> answer.get());
    }

    public McpPool pool() {
        return pool;
    }

    /** What the gateway holds for one client at most. */
    public ClientLimits limits() {
        return limits;
    }

    /** Where clients at those limits are reported. */
    public GatewayEvents events() {
        return events;
    }

    private ToolCatalog catalog() {
        return pool.catalog();
    }

    // ------------------------------------------------------------------ requests

    /**
     * Answers one request; the answer is null when the client cancelled the request (nothing is sent then).
     * {@code stream} carries the messages that relate to it (progress, an upstream's
     * requests to the client) when the transport has one for it (an SSE response, stdio); else null.
     */
    public CompletableFuture<JsonRpcResponse> request(ClientSession session, JsonRpcRequest r, MessageSink stream) {
        session.touch();
        CompletableFuture<JsonNode> result;
        try {
            result = switch (r.method()) {
                case McpMethods.INITIALIZE -> CompletableFuture.completedFuture(initialize(session, r.params()));
                case McpMethods.PING, "logging/setLevel" -> CompletableFuture.completedFuture(Json.object());
                case McpMethods.TOOLS_LIST -> whenListed(() -> listTools(session));
                case McpMethods.TOOLS_CALL -> callTool(session, r, stream);
                case McpMethods.RESOURCES_LIST -> whenListed(() -> listResources(session));
                case McpMethods.RESOURCES_TEMPLATES_LIST -> whenListed(() -> listTemplates(session));
                case McpMethods.RESOURCES_READ -> readResource(session, r, stream);
                case McpMethods.PROMPTS_LIST -> whenListed(() -> listPrompts(session));
                case McpMethods.PROMPTS_GET -> getPrompt(session, r, stream);
                case "completion/complete" -> complete(session, r, stream);
                case "resources/subscribe", "resources/unsubscribe" -> subscription(session, r, stream);
                default -> throw new GatewayError(JsonRpcError.METHOD_NOT_FOUND, "Method not found: " + r.method());
            };
        } catch (GatewayError e) {
            return CompletableFuture.completedFuture(JsonRpcResponse.failure(r.id(), e.error()));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(JsonRpcResponse.failure(r.id(), toError(e)));
        }
        if (result.isDone()) {
            return CompletableFuture.completedFuture(respond(r, result));
        }
        session.inFlight.put(r.id(), result);
        if (stream != null) {
            session.pushRequestStream(stream);
        }
        return result.handle((v, e) -> {
            session.inFlight.remove(r.id(), result);
            if (stream != null) {
                session.popRequestStream(stream);
            }
            if (e != null && session.cancelledByClient.remove(r.id())) {
                return null; // the client cancelled it: the spec says no response follows
            }
            return e == null ? JsonRpcResponse.success(r.id(), v) : JsonRpcResponse.failure(r.id(), toError(e));
        });
    }

    private static JsonRpcResponse respond(JsonRpcRequest r, CompletableFuture<JsonNode> done) {
        try {
            return JsonRpcResponse.success(r.id(), done.join());
        } catch (RuntimeException e) {
            return JsonRpcResponse.failure(r.id(), toError(e));
        }
    }

    /** A notification from the client: {@code initialized}, or a cancellation that reaches the upstream call. */
    public void notification(ClientSession session, JsonRpcNotification n) {
        session.touch();
        switch (n.method()) {
            case McpMethods.INITIALIZED -> session.markInitialized();
            case McpMethods.CANCELLED -> {
                JsonNode idNode = n.params() == null ? null : n.params().get("requestId");
                RequestId id;
                try {
                    id = idNode == null ? null : JsonRpcCodec.requestId(idNode);
                } catch (MalformedMessageException e) {
                    id = null;
                }
                CompletableFuture<?> call = id == null ? null : session.inFlight.get(id);
                if (call != null) {
                    session.cancelledByClient.add(id);
                    call.cancel(true);
                }
            }
            default -> log.debug("client session {}: ignoring notification {}", session.id(), n.method());
        }
    }

    /** The client's answer to a request the gateway sent it for an upstream (sampling, elicitation). */
    public void response(ClientSession session, JsonRpcResponse r) {
        session.touch();
        CompletableFuture<JsonNode> waiting = r.id() == null ? null : session.outgoing.get(r.id());
        if (waiting == null) {
            log.debug("client session {}: response to an unknown request {}", session.id(), r.id());
            return;
        }
        if (r.isError()) {
            waiting.completeExceptionally(new RpcErrorException("client", r.error()));
        } else {
            waiting.complete(r.result());
        }
    }

    /** The session ended (DELETE, expiry, shutdown): its calls stop and its sticky upstream sessions close. */
    public void sessionEnded(ClientSession session) {
        if (!session.close()) {
            return;
        }
        session.inFlight.values().forEach(f -> f.cancel(true));
        session.outgoing.values().forEach(f -> f.completeExceptionally(
                new CancellationException("the client session ended")));
        for (ServerConfig server : pool.config().servers().values()) {
            if (server.pool().mode() == PoolMode.STICKY) {
                try {
                    pool.releaseAffinity(server.name(), session.id());
                } catch (McpPoolException e) {
                    log.debug("client session {}: releasing '{}': {}", session.id(), server.name(), e.toString());
                }
            }
        }
    }

    // ------------------------------------------------------------------ initialize

    private JsonNode initialize(ClientSession session, JsonNode params) {
        String asked = params == null ? null : params.path("protocolVersion").asText(null);
        String version = asked != null && ProtocolVersion.isSupported(asked) ? asked : ProtocolVersion.LATEST;
        session.initialized(version, neededCapabilities(params == null ? null : params.get("capabilities")));
        ObjectNode result = Json.object();
        result.put("protocolVersion", version);
        ObjectNode capabilities = result.putObject("capabilities");
        capabilities.putObject("tools").put("listChanged", true);
        capabilities.putObject("resources").put("listChanged", true).put("subscribe", true);
        capabilities.putObject("prompts").put("listChanged", true);
        capabilities.putObject("completions");
        capabilities.putObject("logging");
        ObjectNode info = result.putObject("serverInfo");
        info.put("name", "mcp-pool");
        info.put("version", Version.version());
        result.put("instructions", "mcp-pool gateway: the tools, resources and prompts of " + pool.servers().size()
                + " server(s); tool and prompt names are <server>" + pool.config().gateway().separator() + "<name>.");
        return result;
    }

    /**
     * The client capabilities the gateway acts on, each with the sub-capabilities the spec defines for it; a list, so
     * that what a session keeps is written in the same order every time.
     */
    private static final List<Map.Entry<String, List<String>>> NEEDED_CAPABILITIES = List.of(
            Map.entry("sampling", List.of("context", "tools")), Map.entry("elicitation", List.of("form", "url")));

    /**
     * What a session keeps of the capabilities its client declared: only those the gateway acts on (sampling and
     * elicitation, offered to its sticky upstreams), each sub-capability as the empty object the spec makes it. A
     * client may declare anything, of any size; its session keeps a few bytes of it.
     */
    static ObjectNode neededCapabilities(JsonNode declared) {
        ObjectNode kept = Json.object();
        if (declared == null || !declared.isObject()) {
            return kept;
        }
        for (Map.Entry<String, List<String>> capability : NEEDED_CAPABILITIES) {
            JsonNode c = declared.get(capability.getKey());
            if (c != null && c.isObject()) {
                ObjectNode k = kept.putObject(capability.getKey());
                for (String sub : capability.getValue()) {
                    if (c.get(sub) != null && c.get(sub).isObject()) {
                        k.putObject(sub);
                    }
                }
            }
        }
        return kept;
    }

    // ------------------------------------------------------------------ lists

    private JsonNode listTools(ClientSession session) {
        return namedList(session, "tools", ToolCatalog::tools, Tool::name);
    }

    private JsonNode listPrompts(ClientSession session) {
        return namedList(session, "prompts", ToolCatalog::prompts, Prompt::name);
    }

    /**
     * Every server's tools or prompts under their aggregate names: those the client may use, clashing names
     * left out. Each item is written as the server listed it, only the name changed.
     */
    private <T> JsonNode namedList(ClientSession session, String field, BiFunction<ToolCatalog, String, List<T>> items,
                                   Function<T, String> name) {
        ToolCatalog catalog = catalog();
        AccessPolicy access = session.client().access();
        Map<String, List<String>> clashes = catalog.clashes();
        ObjectNode result = Json.object();
        ArrayNode out = result.putArray(field);
        for (String server : pool.servers()) {
            for (T item : items.apply(catalog, server)) {
                String aggregate = catalog.namespacedName(server, name.apply(item));
                if (!clashes.containsKey(aggregate) && access.allows(aggregate)) {
                    ObjectNode node = (ObjectNode) Json.toTree(item);
                    node.put("name", aggregate);
                    out.add(node);
                }
            }
        }
        return result;
    }

    private JsonNode listResources(ClientSession session) {
        ToolCatalog catalog = catalog();
        Map<String, List<String>> clashes = catalog.clashes();
        ObjectNode result = Json.object();
        ArrayNode items = result.putArray("resources");
        for (String server : pool.servers()) {
            if (resourcesAllowed(session, server)) {
                for (Resource resource : catalog.resources(server)) {
                    if (!clashes.containsKey(resource.uri())) {
                        items.add(Json.toTree(resource));
                    }
                }
            }
        }
        return result;
    }

    private JsonNode listTemplates(ClientSession session) {
        ToolCatalog catalog = catalog();
        ObjectNode result = Json.object();
        ArrayNode items = result.putArray("resourceTemplates");
        for (String server : pool.servers()) {
            if (resourcesAllowed(session, server)) {
                for (ResourceTemplate template : catalog.resourceTemplates(server)) {
                    items.add(Json.toTree(template));
                }
            }
        }
        return result;
    }

    private boolean resourcesAllowed(ClientSession session, String server) {
        ServerConfig config = pool.config().servers().get(server);
        String prefix = config == null || config.prefix().isEmpty() ? ""
                : config.prefix() + pool.config().gateway().separator();
        return session.client().access().allowsResourcesOf(server, prefix);
    }

    // ------------------------------------------------------------------ calls

    private CompletableFuture<JsonNode> callTool(ClientSession session, JsonRpcRequest r, MessageSink stream) {
        JsonNode params = r.params();
        String name = params == null ? null : params.path("name").asText(null);
        if (name == null) {
            throw new GatewayError(JsonRpcError.INVALID_PARAMS, "tools/call needs a tool name");
        }
        JsonNode args = params.get("arguments");
        Map<String, Object> arguments = args == null || args.isNull() ? Map.of() : Json.fromTree(args, ARGS);
        Optional<CatalogEntry> entry = catalog().resolveTool(name);
        if (entry.isEmpty()) {
            // Perhaps its server is not listed yet: look again once every server is.
            return whenListed(() -> null).thenCompose(v -> call(session, resolveTool(session, name), arguments, params,
                    stream));
        }
        return call(session, usable(session, name, entry, "tool"), arguments, params, stream);
    }

    private CompletableFuture<JsonNode> call(ClientSession session, CatalogEntry entry, Map<String, Object> arguments,
                                             JsonNode params, MessageSink stream) {
        CallOptions options = callOptions(session, entry.server(), params, stream);
        CompletableFuture<CallToolResult> upstream = pool.callToolAsync(entry.server(), entry.name(),
                arguments, options);
        CompletableFuture<JsonNode> out = upstream.thenApply(Json::toTree);
        // A dependent stage does not cancel its source: the client's cancellation must reach the upstream call.
        out.whenComplete((v, e) -> {
            if (out.isCancelled()) {
                upstream.cancel(true);
            }
        });
        return out;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static final Class<Map<String, Object>> ARGS = (Class) Map.class;

    private CatalogEntry resolveTool(ClientSession session, String name) {
        return usable(session, name, catalog().resolveTool(name), "tool");
    }

    /**
     * The entry of a tool or prompt the client may use. One it may not use is as unknown to it as one that does
     * not exist: nothing leaks.
     */
    private static CatalogEntry usable(ClientSession session, String name, Optional<CatalogEntry> entry, String kind) {
        if (entry.isEmpty() || !session.client().access().allows(name)) {
            throw new GatewayError(JsonRpcError.INVALID_PARAMS, "Unknown " + kind + ": " + name);
        }
        return entry.get();
    }

    private CompletableFuture<JsonNode> readResource(ClientSession session, JsonRpcRequest r, MessageSink stream) {
        String uri = r.params() == null ? null : r.params().path("uri").asText(null);
        if (uri == null) {
            throw new GatewayError(JsonRpcError.INVALID_PARAMS, "resources/read needs a uri");
        }
        Optional<String> server = catalog().resolveResource(uri);
        if (server.isEmpty() || !resourcesAllowed(session, server.get())) {
            throw new GatewayError(RESOURCE_NOT_FOUND, "Resource not found: " + uri);
        }
        return forward(session, server.get(), McpMethods.RESOURCES_READ, (ObjectNode) r.params(), stream);
    }

    /**
     * Subscriptions go to the resource's server on the client's own upstream session where the server is sticky,
     * so {@code notifications/resources/updated} comes back to this client only. On a shared session the
     * upstream would tell whichever client: there the subscription is refused.
     */
    private CompletableFuture<JsonNode> subscription(ClientSession session, JsonRpcRequest r, MessageSink stream) {
        String uri = r.params() == null ? null : r.params().path("uri").asText(null);
        if (uri == null) {
            throw new GatewayError(JsonRpcError.INVALID_PARAMS, r.method() + " needs a uri");
        }
        String server = catalog().resolveResource(uri).filter(s -> resourcesAllowed(session, s))
                .orElseThrow(() -> new GatewayError(RESOURCE_NOT_FOUND, "Resource not found: " + uri));
        ServerConfig config = pool.config().servers().get(server);
        if (config == null || config.pool().mode() != PoolMode.STICKY) {
            throw new GatewayError(JsonRpcError.METHOD_NOT_FOUND, "Subscriptions need server '" + server
                    + "' to be sticky (pool.mode: sticky), so its updates reach only the client that subscribed");
        }
        return forward(session, server, r.method(), (ObjectNode) r.params(), stream);
    }

    /** The spec's code for an unknown resource. */
    static final int RESOURCE_NOT_FOUND = -32002;

    private CompletableFuture<JsonNode> getPrompt(ClientSession session, JsonRpcRequest r, MessageSink stream) {
        String name = r.params() == null ? null : r.params().path("name").asText(null);
        if (name == null) {
            throw new GatewayError(JsonRpcError.INVALID_PARAMS, "prompts/get needs a prompt name");
        }
        CatalogEntry entry = resolvePrompt(session, name);
        ObjectNode params = ((ObjectNode) r.params()).deepCopy();
        params.put("name", entry.name());
        return forward(session, entry.server(), McpMethods.PROMPTS_GET, params, stream);
    }

    private CatalogEntry resolvePrompt(ClientSession session, String name) {
        return usable(session, name, catalog().resolvePrompt(name), "prompt");
    }

    private CompletableFuture<JsonNode> complete(ClientSession session, JsonRpcRequest r, MessageSink stream) {
        JsonNode ref = r.params() == null ? null : r.params().get("ref");
        if (ref == null) {
            throw new GatewayError(JsonRpcError.INVALID_PARAMS, "completion/complete needs a ref");
        }
        ObjectNode params = ((ObjectNode) r.params()).deepCopy();
        String server;
        if ("ref/prompt".equals(ref.path("type").asText())) {
            CatalogEntry entry = resolvePrompt(session, ref.path("name").asText());
            ((ObjectNode) params.get("ref")).put("name", entry.name());
            server = entry.server();
        } else {
            String uri = ref.path("uri").asText();
            server = templateServer(uri).or(() -> catalog().resolveResource(uri))
                    .filter(s -> resourcesAllowed(session, s))
                    .orElseThrow(() -> new GatewayError(JsonRpcError.INVALID_PARAMS, "Unknown resource: " + uri));
        }
        return forward(session, server, "completion/complete", params, stream);
    }

    private Optional<String> templateServer(String uriTemplate) {
        for (String server : pool.servers()) {
            for (ResourceTemplate t : catalog().resourceTemplates(server)) {
                if (t.uriTemplate().equals(uriTemplate)) {
                    return Optional.of(server);
                }
            }
        }
        return Optional.empty();
    }

    private CompletableFuture<JsonNode> forward(ClientSession session, String server, String method, ObjectNode params,
                                                MessageSink stream) {
        return pool.requestAsync(server, method, withoutMeta(params), callOptions(session, server, params, stream));
    }

    /** The client's {@code _meta} (its progress token) stays at the gateway; the pool adds the upstream's own. */
    private static ObjectNode withoutMeta(ObjectNode params) {
        if (params == null || !params.has("_meta")) {
            return params;
        }
        ObjectNode copy = params.deepCopy();
        copy.remove("_meta");
        return copy;
    }

    private CallOptions callOptions(ClientSession session, String server, JsonNode params, MessageSink stream) {
        CallOptions.Builder b = CallOptions.builder().affinityKey(session.id()).cacheScope(session.client().name());
        JsonNode token = params == null ? null : params.path("_meta").get("progressToken");
        if (token != null && (token.isTextual() || token.isIntegralNumber())) {
            b.onProgress(progressTo(session, token, stream));
        }
        bindStickyHandler(session, server);
        return b.build();
    }

    private static Consumer<Progress> progressTo(ClientSession session, JsonNode token, MessageSink stream) {
        return p -> {
            ObjectNode n = Json.object();
            n.set("progressToken", token);
            n.put("progress", p.progress());
            if (p.total() != null) {
                n.put("total", p.total());
            }
            if (p.message() != null) {
                n.put("message", p.message());
            }
            JsonRpcNotification progress = new JsonRpcNotification(McpMethods.PROGRESS, n);
            // On the request's stream, else on the GET stream; stdio has one stream, which is tried once.
            if ((stream == null || !stream.send(progress)) && stream != session.standaloneStream()) {
                session.notify(progress);
            }
        };
    }

    /**
     * On a sticky server, the client's own upstream session passes the upstream's sampling and elicitation
     * requests and its notifications (log messages, resource updates) to the client, and declares to the
     * upstream only what the client declared.
     */
    private void bindStickyHandler(ClientSession session, String server) {
        ServerConfig config = pool.config().servers().get(server);
        if (config == null || config.pool().mode() != PoolMode.STICKY || session.boundServers.contains(server)) {
            return;
        }
        ObjectNode offered = Json.object();
        JsonNode caps = session.capabilities();
        for (String capability : List.of("sampling", "elicitation")) {
            if (caps != null && caps.has(capability)) {
                offered.set(capability, caps.get(capability).deepCopy());
            }
        }
        if (session.boundServers.add(server)) {
            pool.bindAffinity(server, session.id(), new ClientRequests(session, offered, server, limits, events));
        }
    }

    /**
     * Sends an upstream's request to the client and completes with the client's answer. Bounded both ways: at
     * most {@code maxClientRequests} wait for the client at once (one more is refused at once and never reaches
     * it), and each waits at most {@code clientRequestTimeout}; then the upstream gets an error, and the client a
     * {@code notifications/cancelled}, so it can drop the question.
     */
    private record ClientRequests(ClientSession session, ObjectNode capabilities, String server, ClientLimits limits,
                                  GatewayEvents events) implements ServerRequestHandler {
        @Override
        public CompletableFuture<JsonNode> handle(String method, JsonNode params) {
            if (session.isClosed()) {
                return CompletableFuture.failedFuture(new CancellationException("the client session ended"));
            }
            CompletableFuture<JsonNode> answer = new CompletableFuture<>();
            RequestId id = session.addOutgoing(answer, limits.maxClientRequests());
            if (id == null) {
                events.clientRequestFailed(GatewayEvents.TOO_MANY);
                log.debug("client session {}: refused {} from '{}': {} requests wait for the client already",
                        session.id(), method, server, limits.maxClientRequests());
                return CompletableFuture.failedFuture(new RpcErrorException(method, JsonRpcError.of(
                        JsonRpcError.INTERNAL_ERROR, "the client has " + limits.maxClientRequests() + " requests"
                                + " unanswered already (gateway.maxClientRequests); " + method + " was not sent to it")));
            }
            MessageSink via = session.sendRequest(new JsonRpcRequest(id, method, params));
            if (via == null) {
                answer.cancel(false); // takes the entry out
                return CompletableFuture.failedFuture(new RpcErrorException(method, JsonRpcError.of(
                        JsonRpcError.INTERNAL_ERROR, "the client has no open stream to receive " + method)));
            }
            // What the upstream gets: the client's answer, or an error that says why there is none.
            CompletableFuture<JsonNode> result = new CompletableFuture<>();
            long timeoutMillis = limits.clientRequestTimeout().toMillis();
            answer.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).whenComplete((v, e) -> {
                if (e == null) {
                    result.complete(v);
                } else if (e instanceof TimeoutException) {
                    timedOut(id, method, via);
                    result.completeExceptionally(new RpcErrorException(method, JsonRpcError.of(
                            JsonRpcError.INTERNAL_ERROR, "the client did not answer " + method + " within "
                                    + limits.clientRequestTimeout().toMillis() + " ms (gateway.clientRequestTimeout)")));
                } else {
                    result.completeExceptionally(e);
                }
            });
            return result;
        }

        /** Tells the client the request is withdrawn, where it sent it if that stream is still open. */
        private void timedOut(RequestId id, String method, MessageSink via) {
            events.clientRequestFailed(GatewayEvents.TIMEOUT);
            log.debug("client session {}: no answer to {} {} from '{}' within {}", session.id(), method, id, server,
                    limits.clientRequestTimeout());
            ObjectNode p = Json.object();
            p.put("requestId", id.string()); // the gateway's own ids are strings
            p.put("reason", "no answer within " + limits.clientRequestTimeout().toMillis() + " ms");
            JsonRpcNotification cancelled = new JsonRpcNotification(McpMethods.CANCELLED, p);
            if (!via.isOpen() || !via.send(cancelled)) {
                session.sendRequest(cancelled);
            }
        }

        @Override
        public void notification(String method, JsonNode params) {
            if (!session.isClosed()) {
                session.sendRequest(new JsonRpcNotification(method, params)); // the call's stream if one is open
            }
        }
    }

    // ------------------------------------------------------------------ errors

    static JsonRpcError toError(Throwable e) {
        Throwable t = Failures.unwrap(e);
        if (t instanceof GatewayError g) {
            return g.error();
        }
        if (t instanceof CancellationException) {
            return JsonRpcError.of(REQUEST_CANCELLED, "Request cancelled");
        }
        if (t instanceof UnknownToolException u) {
            return JsonRpcError.of(JsonRpcError.INVALID_PARAMS, "Unknown tool: " + u.tool().orElse("?"));
        }
        if (t instanceof ProtocolErrorException p && p.error().isPresent()) {
            return p.error().get(); // the upstream's own error (invalid params, not found, ...), as it said it
        }
        ErrorType type = Failures.classify(t);
        ObjectNode data = Json.object();
        data.put("errorType", type.tagValue());
        if (t instanceof McpPoolException m) {
            m.server().ifPresent(s -> data.put("server", s));
        }
        int code = t instanceof UnknownServerException ? JsonRpcError.INVALID_PARAMS : JsonRpcError.INTERNAL_ERROR;
        return new JsonRpcError(code, String.valueOf(t.getMessage()), data);
    }

    /** A request the gateway itself refuses, with its JSON-RPC error. */
    static final class GatewayError extends RuntimeException {
        private final transient JsonRpcError error;

        GatewayError(int code, String message) {
            super(message, null, false, false);
            this.error = JsonRpcError.of(code, message);
        }

        JsonRpcError error() {
            return error;
        }
    }
}
