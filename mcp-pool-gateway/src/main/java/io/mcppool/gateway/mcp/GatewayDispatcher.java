package io.mcppool.gateway.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.call.CallOptions;
import io.mcppool.McpPool;
import io.mcppool.call.McpPoolException;
import io.mcppool.catalog.CatalogEntry;
import io.mcppool.catalog.ToolCatalog;
import io.mcppool.config.ClientLimits;
import io.mcppool.config.ClientQuotas;
import io.mcppool.config.PoolMode;
import io.mcppool.config.ServerConfig;
import io.mcppool.gateway.auth.AccessPolicy;
import io.mcppool.gateway.auth.ClientIdentity;
import io.mcppool.gateway.cli.Version;
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
import io.mcppool.protocol.Resource;
import io.mcppool.protocol.ResourceTemplate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
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


    private final McpPool pool;
    private final ClientLimits limits;
    private final GatewayEvents events;
    private final CatalogLists lists;
    /** What each client holds of its quotas of calls and sticky places. */
    private final ClientUsage usage = new ClientUsage();

    /** A dispatcher with the limits of the pool's config ({@code gateway} block) that reports to no metrics. */
    public GatewayDispatcher(McpPool pool) {
        this(pool, pool.config().gateway().limits(), GatewayEvents.NONE);
    }

    /** @param limits what an upstream's requests to one client may add up to; {@code events} hears of clients at them */
    public GatewayDispatcher(McpPool pool, ClientLimits limits, GatewayEvents events) {
        this.pool = pool;
        this.lists = new CatalogLists(pool);
        this.limits = limits;
        this.events = events;
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

    /** Places of clients' quotas held now (calls in flight, sticky places): back to 0 once all is done. */
    int quotaEntries() {
        return usage.size();
    }

    private ToolCatalog catalog() {
        return pool.catalog();
    }

    // ------------------------------------------------------------------ requests

    /** {@link #request(ClientSession, ClientIdentity, JsonRpcRequest, MessageSink)} from the client that opened the session. */
    public CompletableFuture<JsonRpcResponse> request(ClientSession session, JsonRpcRequest r, MessageSink stream) {
        return request(session, session.client(), r, stream);
    }

    /**
     * {@link #admit}, then {@link #request(Admission, JsonRpcRequest, MessageSink)}; a refused request is answered
     * with a JSON-RPC error (where no HTTP status can say it: an element of a batch, stdio).
     */
    public CompletableFuture<JsonRpcResponse> request(ClientSession session, ClientIdentity client, JsonRpcRequest r,
                                                      MessageSink stream) {
        Admission admission = admit(session, client, r);
        if (admission.refusal() != null) {
            session.touch();
            return CompletableFuture.completedFuture(JsonRpcResponse.failure(r.id(),
                    JsonRpcError.of(JsonRpcError.INTERNAL_ERROR, admission.refusal().message())));
        }
        return request(admission, r, stream);
    }

    /**
     * A request let in by {@link #admit}: it holds one of its client's {@code maxCallsPerClient} places until its
     * answer is done. Hand it to {@link #request(Admission, JsonRpcRequest, MessageSink)} at once; a refused one holds
     * nothing.
     */
    public record Admission(ClientSession session, ClientIdentity client, boolean holdsCall, Refusal refusal) {
    }

    /**
     * Checks {@code r} against {@code client}'s quotas before anything is sent (so the HTTP layer can answer 429 with a
     * {@code Retry-After} before it opens a stream): a place among its calls in flight
     * ({@code maxCallsPerClient}), and, for a call to a sticky server this session has not used yet, one of its places
     * on that server ({@code maxStickySessionsPerClient}). Anonymous clients (auth off) have no quotas.
     */
    public Admission admit(ClientSession session, ClientIdentity client, JsonRpcRequest r) {
        if (client.anonymous() || McpMethods.INITIALIZE.equals(r.method())) {
            // initialize is answered at once and its session is counted by the session quotas: a client with all its
            // calls in flight may still open a session (else the one just opened for it would be refused)
            return new Admission(session, client, false, null);
        }
        ClientQuotas quotas = limits.quotas();
        if (!usage.tryTake(client.name(), ClientUsage.CALLS, quotas.maxCallsPerClient())) {
            events.refused(GatewayEvents.CALLS_PER_CLIENT);
            return new Admission(session, client, false, new Refusal(429, Refusal.CALLS_RETRY_AFTER_SECONDS,
                    GatewayEvents.CALLS_PER_CLIENT, "Client '" + client.name() + "' has "
                    + quotas.maxCallsPerClient() + " requests in flight (gateway.maxCallsPerClient); try again when"
                    + " one is answered"));
        }
        String sticky = stickyTarget(client.access(), r);
        if (sticky != null && !takeStickyPlace(session, sticky)) {
            usage.give(client.name(), ClientUsage.CALLS);
            return new Admission(session, client, false, stickyRefusal(session, sticky));
        }
        return new Admission(session, client, true, null);
    }

    /** The sticky server {@code r} goes to, when it is a call the client may make to one; else null. */
    private String stickyTarget(AccessPolicy access, JsonRpcRequest r) {
        JsonNode params = r.params();
        String name = params == null ? null : params.path("name").asText(null);
        Optional<CatalogEntry> entry = name == null ? Optional.empty() : switch (r.method()) {
            case McpMethods.TOOLS_CALL -> catalog().resolveTool(name);
            case McpMethods.PROMPTS_GET -> catalog().resolvePrompt(name);
            default -> Optional.empty();
        };
        if (entry.isEmpty() || !access.allows(name)) {
            return null;
        }
        ServerConfig config = pool.config().servers().get(entry.get().server());
        return config != null && config.pool().mode() == PoolMode.STICKY ? config.name() : null;
    }

    /**
     * Takes, for this session, one of its client's places on a sticky server, unless it holds one there already; false
     * when the client holds {@code maxStickySessionsPerClient} there through its other sessions. Kept until the
     * session ends. Atomic per session and server.
     */
    private boolean takeStickyPlace(ClientSession session, String server) {
        ClientIdentity client = session.client();
        if (client.anonymous()) {
            return true;
        }
        int max = limits.quotas().maxStickySessionsPerClient();
        return session.holdStickyPlace(server, () -> usage.tryTake(client.name(), ClientUsage.sticky(server), max),
                () -> usage.give(client.name(), ClientUsage.sticky(server)));
    }

    private Refusal stickyRefusal(ClientSession session, String server) {
        events.refused(GatewayEvents.STICKY_SESSIONS_PER_CLIENT);
        return new Refusal(429, Refusal.SESSIONS_RETRY_AFTER_SECONDS, GatewayEvents.STICKY_SESSIONS_PER_CLIENT,
                "Client '" + session.client().name() + "' holds " + limits.quotas().maxStickySessionsPerClient()
                        + " sessions of the sticky server '" + server + "' through its other client sessions"
                        + " (gateway.maxStickySessionsPerClient); end one of them (DELETE) or use it");
    }

    /**
     * Answers one admitted request; the answer is null when the client cancelled the request (nothing is sent then).
     * What the request may see and reach is decided here, from the admission's client: the identity this request's
     * own credentials gave, not the one that opened the session (a narrower token, or an allow list a reload narrowed,
     * holds at once). {@code stream} carries the messages that relate to it (progress, an upstream's requests to the
     * client) when the transport has one for it (an SSE response, stdio); else null.
     */
    public CompletableFuture<JsonRpcResponse> request(Admission admission, JsonRpcRequest r, MessageSink stream) {
        CompletableFuture<JsonRpcResponse> answer = answer(admission.session(), admission.client(), r, stream);
        if (admission.holdsCall()) {
            String name = admission.client().name();
            answer.whenComplete((v, e) -> usage.give(name, ClientUsage.CALLS));
        }
        return answer;
    }

    private static void popStream(ClientSession session, MessageSink stream) {
        if (stream != null) {
            session.popRequestStream(stream);
        }
    }

    private CompletableFuture<JsonRpcResponse> answer(ClientSession session, ClientIdentity client, JsonRpcRequest r,
                                                      MessageSink stream) {
        session.touch();
        AccessPolicy access = client.access();
        // The stream is the session's before the request goes upstream: an upstream that asks the client something
        // at once (elicitation, sampling) must find it, not an older stream or a GET stream the client has left.
        if (stream != null) {
            session.pushRequestStream(stream);
        }
        CompletableFuture<JsonNode> result;
        try {
            result = switch (r.method()) {
                case McpMethods.INITIALIZE -> CompletableFuture.completedFuture(initialize(session, r.params()));
                case McpMethods.PING, "logging/setLevel" -> CompletableFuture.completedFuture(Json.object());
                case McpMethods.TOOLS_LIST -> lists.whenListed(() -> lists.listTools(access));
                case McpMethods.TOOLS_CALL -> callTool(session, access, r, stream);
                case McpMethods.RESOURCES_LIST -> lists.whenListed(() -> lists.listResources(access));
                case McpMethods.RESOURCES_TEMPLATES_LIST -> lists.whenListed(() -> lists.listTemplates(access));
                case McpMethods.RESOURCES_READ -> readResource(session, access, r, stream);
                case McpMethods.PROMPTS_LIST -> lists.whenListed(() -> lists.listPrompts(access));
                case McpMethods.PROMPTS_GET -> getPrompt(session, access, r, stream);
                case "completion/complete" -> complete(session, access, r, stream);
                case "resources/subscribe", "resources/unsubscribe" -> subscription(session, access, r, stream);
                default -> throw new ClientErrors.Refused(JsonRpcError.METHOD_NOT_FOUND, "Method not found: " + r.method());
            };
        } catch (ClientErrors.Refused e) {
            popStream(session, stream);
            return CompletableFuture.completedFuture(JsonRpcResponse.failure(r.id(), e.error()));
        } catch (RuntimeException e) {
            popStream(session, stream);
            return CompletableFuture.completedFuture(JsonRpcResponse.failure(r.id(), ClientErrors.of(e)));
        }
        if (result.isDone()) {
            popStream(session, stream);
            return CompletableFuture.completedFuture(respond(r, result));
        }
        session.callStarted(r.id(), result);
        return result.handle((v, e) -> {
            // Idle is counted from the last answer too, before the call stops counting as in flight: a session whose
            // call outlasted the idle timeout must not be ended between its answer and the client's next request.
            session.touch();
            boolean cancelledByClient = session.callEnded(r.id(), result, e != null);
            popStream(session, stream);
            if (cancelledByClient) {
                return null; // the client cancelled it: the spec says no response follows
            }
            return e == null ? JsonRpcResponse.success(r.id(), v) : JsonRpcResponse.failure(r.id(), ClientErrors.of(e));
        });
    }

    private static JsonRpcResponse respond(JsonRpcRequest r, CompletableFuture<JsonNode> done) {
        try {
            return JsonRpcResponse.success(r.id(), done.join());
        } catch (RuntimeException e) {
            return JsonRpcResponse.failure(r.id(), ClientErrors.of(e));
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
                if (id != null) {
                    session.cancelledByClient(id);
                }
            }
            default -> log.debug("client session {}: ignoring notification {}", session.id(), n.method());
        }
    }

    /** The client's answer to a request the gateway sent it for an upstream (sampling, elicitation). */
    public void response(ClientSession session, JsonRpcResponse r) {
        session.touch();
        if (!session.answered(r)) {
            log.debug("client session {}: response to an unknown request {}", session.id(), r.id());
        }
    }

    /** The session ended (DELETE, expiry, shutdown): its calls stop and its sticky upstream sessions close. */
    public void sessionEnded(ClientSession session) {
        if (!session.end(server -> usage.give(session.client().name(), ClientUsage.sticky(server)))) {
            return;
        }
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

    // ------------------------------------------------------------------ calls

    private CompletableFuture<JsonNode> callTool(ClientSession session, AccessPolicy access, JsonRpcRequest r,
                                                 MessageSink stream) {
        JsonNode params = r.params();
        String name = params == null ? null : params.path("name").asText(null);
        if (name == null) {
            throw new ClientErrors.Refused(JsonRpcError.INVALID_PARAMS, "tools/call needs a tool name");
        }
        JsonNode args = params.get("arguments");
        if (args != null && !args.isNull() && !args.isObject()) {
            // Refused here: nothing goes upstream, and the client gets invalid params, not a transport failure.
            throw new ClientErrors.Refused(JsonRpcError.INVALID_PARAMS, "tools/call arguments must be an object");
        }
        ObjectNode arguments = args == null || args.isNull() ? Json.object() : (ObjectNode) args;
        Optional<CatalogEntry> entry = catalog().resolveTool(name);
        if (entry.isEmpty()) {
            // Perhaps its server is not listed yet: look again once it is. The server whose prefix the name carries is
            // waited for as long as a call to it may take, not only the few seconds a list answer waits: a server that
            // is slow to list (or a loaded machine) must not make its tools "unknown".
            CompletableFuture<Void> owners = ownersListed(name);
            CompletableFuture<Void> listed = owners != null ? owners : lists.whenListed(() -> null).thenApply(v -> null);
            return listed.thenCompose(v -> call(session, resolveTool(access, name), arguments, params, stream));
        }
        return call(session, usable(access, name, entry, "tool"), arguments, params, stream);
    }

    /** The call goes upstream as JSON and its result comes back as JSON: nothing is bound on the way. */
    private CompletableFuture<JsonNode> call(ClientSession session, CatalogEntry entry, ObjectNode arguments,
                                             JsonNode params, MessageSink stream) {
        CallOptions options = callOptions(session, entry.server(), params, stream);
        return pool.callToolJsonAsync(entry.server(), entry.name(), arguments, options);
    }

    /**
     * Completes when every server not listed yet that may own {@code name} (its prefix and the separator begin the
     * name, or it has no prefix) has been listed or its {@code callTimeout} passed; null when no such server exists.
     */
    private CompletableFuture<Void> ownersListed(String name) {
        String separator = pool.config().gateway().separator();
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        for (ServerConfig config : pool.config().servers().values()) {
            String prefix = config.prefix();
            if (!prefix.isEmpty() && !name.startsWith(prefix + separator)) {
                continue;
            }
            CompletableFuture<Void> loaded = catalog().loaded(config.name());
            if (!loaded.isDone()) {
                waits.add(loaded.copy().orTimeout(config.callTimeout().toMillis(), TimeUnit.MILLISECONDS)
                        .exceptionally(e -> null));
            }
        }
        return waits.isEmpty() ? null : CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new));
    }

    private CatalogEntry resolveTool(AccessPolicy access, String name) {
        return usable(access, name, catalog().resolveTool(name), "tool");
    }

    /**
     * The entry of a tool or prompt the client may use. One it may not use is as unknown to it as one that does
     * not exist: nothing leaks.
     */
    private static CatalogEntry usable(AccessPolicy access, String name, Optional<CatalogEntry> entry, String kind) {
        if (entry.isEmpty() || !access.allows(name)) {
            throw new ClientErrors.Refused(JsonRpcError.INVALID_PARAMS, "Unknown " + kind + ": " + name);
        }
        return entry.get();
    }

    private CompletableFuture<JsonNode> readResource(ClientSession session, AccessPolicy access, JsonRpcRequest r,
                                                     MessageSink stream) {
        String uri = r.params() == null ? null : r.params().path("uri").asText(null);
        if (uri == null) {
            throw new ClientErrors.Refused(JsonRpcError.INVALID_PARAMS, "resources/read needs a uri");
        }
        Optional<String> server = catalog().resolveResource(uri);
        if (server.isEmpty() || !lists.resourcesAllowed(access, server.get())) {
            throw new ClientErrors.Refused(ClientErrors.RESOURCE_NOT_FOUND, "Resource not found: " + uri);
        }
        return forward(session, server.get(), McpMethods.RESOURCES_READ, (ObjectNode) r.params(), stream);
    }

    /**
     * Subscriptions go to the resource's server on the client's own upstream session where the server is sticky,
     * so {@code notifications/resources/updated} comes back to this client only. On a shared session the
     * upstream would tell whichever client: there the subscription is refused.
     */
    private CompletableFuture<JsonNode> subscription(ClientSession session, AccessPolicy access, JsonRpcRequest r,
                                                     MessageSink stream) {
        String uri = r.params() == null ? null : r.params().path("uri").asText(null);
        if (uri == null) {
            throw new ClientErrors.Refused(JsonRpcError.INVALID_PARAMS, r.method() + " needs a uri");
        }
        String server = catalog().resolveResource(uri).filter(s -> lists.resourcesAllowed(access, s))
                .orElseThrow(() -> new ClientErrors.Refused(ClientErrors.RESOURCE_NOT_FOUND, "Resource not found: " + uri));
        ServerConfig config = pool.config().servers().get(server);
        if (config == null || config.pool().mode() != PoolMode.STICKY) {
            throw new ClientErrors.Refused(JsonRpcError.METHOD_NOT_FOUND, "Subscriptions need server '" + server
                    + "' to be sticky (pool.mode: sticky), so its updates reach only the client that subscribed");
        }
        return forward(session, server, r.method(), (ObjectNode) r.params(), stream);
    }


    private CompletableFuture<JsonNode> getPrompt(ClientSession session, AccessPolicy access, JsonRpcRequest r,
                                                  MessageSink stream) {
        String name = r.params() == null ? null : r.params().path("name").asText(null);
        if (name == null) {
            throw new ClientErrors.Refused(JsonRpcError.INVALID_PARAMS, "prompts/get needs a prompt name");
        }
        CatalogEntry entry = resolvePrompt(access, name);
        ObjectNode params = ((ObjectNode) r.params()).deepCopy();
        params.put("name", entry.name());
        return forward(session, entry.server(), McpMethods.PROMPTS_GET, params, stream);
    }

    private CatalogEntry resolvePrompt(AccessPolicy access, String name) {
        return usable(access, name, catalog().resolvePrompt(name), "prompt");
    }

    private CompletableFuture<JsonNode> complete(ClientSession session, AccessPolicy access, JsonRpcRequest r,
                                                 MessageSink stream) {
        JsonNode ref = r.params() == null ? null : r.params().get("ref");
        if (ref == null) {
            throw new ClientErrors.Refused(JsonRpcError.INVALID_PARAMS, "completion/complete needs a ref");
        }
        ObjectNode params = ((ObjectNode) r.params()).deepCopy();
        String server;
        if ("ref/prompt".equals(ref.path("type").asText())) {
            CatalogEntry entry = resolvePrompt(access, ref.path("name").asText());
            ((ObjectNode) params.get("ref")).put("name", entry.name());
            server = entry.server();
        } else {
            String uri = ref.path("uri").asText();
            server = templateServer(uri).or(() -> catalog().resolveResource(uri))
                    .filter(s -> lists.resourcesAllowed(access, s))
                    .orElseThrow(() -> new ClientErrors.Refused(JsonRpcError.INVALID_PARAMS, "Unknown resource: " + uri));
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
        if (config == null || config.pool().mode() != PoolMode.STICKY) {
            return;
        }
        // Taken at admission for the calls it could resolve; here for the others (resources, a server listed late).
        if (!takeStickyPlace(session, server)) {
            throw new ClientErrors.Refused(JsonRpcError.INTERNAL_ERROR, stickyRefusal(session, server).message());
        }
        if (session.isBound(server)) {
            return;
        }
        ObjectNode offered = Json.object();
        JsonNode caps = session.capabilities();
        for (String capability : List.of("sampling", "elicitation")) {
            if (caps != null && caps.has(capability)) {
                offered.set(capability, caps.get(capability).deepCopy());
            }
        }
        if (session.bound(server)) {
            pool.bindAffinity(server, session.id(), new ClientBridge(session, offered, server, limits, events));
        }
    }
}
