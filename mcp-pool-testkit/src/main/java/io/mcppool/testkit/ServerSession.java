package io.mcppool.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.protocol.CallToolResult;
import io.mcppool.protocol.Content;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.JsonRpcError;
import io.mcppool.protocol.JsonRpcMessage;
import io.mcppool.protocol.JsonRpcNotification;
import io.mcppool.protocol.JsonRpcRequest;
import io.mcppool.protocol.JsonRpcResponse;
import io.mcppool.protocol.McpMethods;
import io.mcppool.protocol.ProtocolVersion;
import io.mcppool.protocol.RequestId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One MCP session of a {@link TestServer}, independent of the transport: messages come in through
 * {@link #receive}, go out through a {@link ServerTransport}.
 *
 * <p>Threading: {@code receive} is called by the runner's reader (the stdin loop, an HTTP handler,
 * the in-process inbox). Everything except tool calls is answered right there; tool calls run on
 * their own virtual thread, except the few built-in ones that can never block, so a slow call never
 * holds up the others and answers may leave out of order.
 */
final class ServerSession {
    private static final String RESOURCES_SUBSCRIBE = "resources/subscribe";
    private static final String RESOURCES_UNSUBSCRIBE = "resources/unsubscribe";
    private static final String COMPLETION_COMPLETE = "completion/complete";
    private static final String[] LOG_LEVELS = {"debug", "info", "notice", "warning", "error", "critical", "alert",
            "emergency"};

    private final TestServer server;
    private final String id;
    private final ServerTransport transport;
    private final Map<RequestId, Call> running = new ConcurrentHashMap<>();
    private final Map<RequestId, CompletableFuture<JsonNode>> awaitingClient = new ConcurrentHashMap<>();
    private final AtomicLong nextRequestId = new AtomicLong();
    private final AtomicLong counter = new AtomicLong();
    private final Set<String> subscriptions = ConcurrentHashMap.newKeySet();
    private volatile String protocolVersion;
    private volatile boolean initializeSeen;
    private volatile boolean clientReady;
    private volatile JsonNode clientCapabilities = Json.object();
    private volatile int minLogLevel;
    private volatile boolean closed;

    ServerSession(TestServer server, String id, ServerTransport transport) {
        this.server = server;
        this.id = id;
        this.transport = transport;
    }

    String id() {
        return id;
    }

    TestServer server() {
        return server;
    }

    ServerTransport transport() {
        return transport;
    }

    /** Whether {@code initialize} has been answered. */
    boolean isInitialized() {
        return protocolVersion != null;
    }

    String protocolVersion() {
        return protocolVersion;
    }

    boolean clientSentInitialized() {
        return clientReady;
    }

    JsonNode clientCapabilities() {
        return clientCapabilities;
    }

    AtomicLong counter() {
        return counter;
    }

    /** Whether the client subscribed to {@code uri} and has not unsubscribed since. */
    boolean isSubscribed(String uri) {
        return subscriptions.contains(uri);
    }

    void receive(JsonRpcMessage message) {
        receive(message, null);
    }

    /** Handles one message from the client; {@code headers} are the HTTP request's (lower-case names), or null. */
    void receive(JsonRpcMessage message, Map<String, String> headers) {
        if (closed) {
            return;
        }
        // instanceof rather than a pattern switch: a type switch bootstraps an invokedynamic call
        // site on first use, which costs start-up time in every spawned stdio server
        if (message instanceof JsonRpcRequest request) {
            onRequest(request, headers);
        } else if (message instanceof JsonRpcNotification notification) {
            onNotification(notification);
        } else if (message instanceof JsonRpcResponse response) {
            onResponse(response);
        }
    }

    /** Ends the session: running calls are cancelled, requests to the client fail. Idempotent. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Call call : running.values()) {
            call.cancel();
        }
        for (CompletableFuture<JsonNode> f : awaitingClient.values()) {
            f.completeExceptionally(new IllegalStateException("session " + id + " closed"));
        }
        awaitingClient.clear();
        server.sessionClosed(this);
    }

    boolean isClosed() {
        return closed;
    }

    // ---- requests ----

    private void onRequest(JsonRpcRequest request, Map<String, String> headers) {
        String method = request.method();
        if (server.options().stderrNoise()) {
            System.err.println("testkit: session " + id + " request " + request.id() + " " + method);
        }
        if (McpMethods.PING.equals(method)) {
            reply(request, Json.object());
            return;
        }
        if (McpMethods.INITIALIZE.equals(method)) {
            initialize(request);
            return;
        }
        if (!isInitialized()) {
            fail(request, JsonRpcError.INVALID_REQUEST, "Server not initialized: the first request must be initialize");
            return;
        }
        Catalog catalog = server.catalog();
        try {
            switch (method) {
                case McpMethods.TOOLS_LIST -> listTools(request);
                case McpMethods.TOOLS_CALL -> callTool(request, headers);
                case McpMethods.RESOURCES_LIST -> reply(request, catalog.resourceList());
                case McpMethods.RESOURCES_TEMPLATES_LIST -> reply(request, catalog.resourceTemplateList());
                case McpMethods.RESOURCES_READ -> reply(request, catalog.readResource(request.params()));
                case RESOURCES_SUBSCRIBE -> subscribe(request, catalog, true);
                case RESOURCES_UNSUBSCRIBE -> subscribe(request, catalog, false);
                case McpMethods.PROMPTS_LIST -> reply(request, catalog.promptList());
                case McpMethods.PROMPTS_GET -> reply(request, catalog.getPrompt(request.params()));
                case COMPLETION_COMPLETE -> reply(request, catalog.complete(request.params()));
                case "logging/setLevel" -> setLogLevel(request);
                default -> fail(request, JsonRpcError.METHOD_NOT_FOUND, "Method not found: " + method);
            }
        } catch (Catalog.RequestError e) {
            fail(request, e.code(), e.getMessage());
        }
    }

    private void initialize(JsonRpcRequest request) {
        if (initializeSeen) {
            fail(request, JsonRpcError.INVALID_REQUEST, "initialize was already received in this session");
            return;
        }
        initializeSeen = true;
        TestkitOptions options = server.options();
        if (options.hangInitialize()) {
            return; // on purpose: a server that never finishes starting
        }
        if (!options.slowStart().isZero()) {
            try {
                Thread.sleep(options.slowStart());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        JsonNode params = request.params() == null ? Json.object() : request.params();
        String offered = params.path("protocolVersion").asText(null);
        String version = options.protocolVersion() != null ? options.protocolVersion()
                : ProtocolVersion.isSupported(offered) ? offered : ProtocolVersion.LATEST;
        JsonNode caps = params.get("capabilities");
        clientCapabilities = caps != null && caps.isObject() ? caps : Json.object();

        ObjectNode result = Json.object();
        result.put("protocolVersion", version);
        Catalog catalog = server.catalog();
        ObjectNode capabilities = result.putObject("capabilities");
        capabilities.putObject("tools").put("listChanged", true);
        ObjectNode resources = capabilities.putObject("resources");
        if (catalog.subscriptions()) {
            resources.put("subscribe", true);
        }
        capabilities.putObject("prompts");
        capabilities.putObject("logging");
        if (catalog.completions()) {
            capabilities.putObject("completions");
        }
        ObjectNode info = result.putObject("serverInfo");
        info.put("name", TestServer.NAME);
        info.put("version", TestServer.VERSION);
        info.put("title", options.label() == null ? "mcp-pool testkit server"
                : "mcp-pool testkit server: " + options.label());
        result.put("instructions", catalog.instructions());
        protocolVersion = version;
        server.sessionInitialized();
        reply(request, result);
    }

    private void listTools(JsonRpcRequest request) {
        JsonNode cursorNode = request.params() == null ? null : request.params().get("cursor");
        String cursor = cursorNode == null || cursorNode.isNull() ? null : cursorNode.asText();
        ToolRegistry.Page page;
        try {
            page = server.registry().page(cursor, server.options().toolsPageSize());
        } catch (IllegalArgumentException e) {
            fail(request, JsonRpcError.INVALID_PARAMS, e.getMessage());
            return;
        }
        ObjectNode result = Json.object();
        ArrayNode list = result.putArray("tools");
        for (ToolRegistry.Entry e : page.entries()) {
            list.add(e.listing());
        }
        if (page.nextCursor() != null) {
            result.put("nextCursor", page.nextCursor());
        }
        reply(request, result);
    }

    /** {@code resources/subscribe} and {@code resources/unsubscribe}: both answer {@code {}}. */
    private void subscribe(JsonRpcRequest request, Catalog catalog, boolean on) {
        if (!catalog.subscriptions()) {
            fail(request, JsonRpcError.METHOD_NOT_FOUND, "Method not found: " + request.method());
            return;
        }
        JsonNode uri = request.params() == null ? null : request.params().get("uri");
        if (uri == null || !uri.isTextual()) {
            fail(request, JsonRpcError.INVALID_PARAMS, request.method() + " needs params with a string 'uri'");
            return;
        }
        if (on) {
            catalog.checkSubscribable(uri.textValue());
            subscriptions.add(uri.textValue());
        } else {
            subscriptions.remove(uri.textValue());
        }
        reply(request, Json.object());
    }

    private void setLogLevel(JsonRpcRequest request) {
        String level = request.params() == null ? null : request.params().path("level").asText(null);
        int index = levelIndex(level);
        if (index < 0) {
            fail(request, JsonRpcError.INVALID_PARAMS, "Unknown log level: " + level);
            return;
        }
        minLogLevel = index;
        reply(request, Json.object());
    }

    private void callTool(JsonRpcRequest request, Map<String, String> headers) {
        JsonNode params = request.params();
        if (params == null || !params.isObject() || !params.path("name").isTextual()) {
            fail(request, JsonRpcError.INVALID_PARAMS, "tools/call needs params with a string 'name'");
            return;
        }
        String name = params.get("name").textValue();
        ToolRegistry.Entry entry = server.registry().find(name);
        if (entry == null) {
            fail(request, JsonRpcError.INVALID_PARAMS, "Unknown tool: " + name);
            return;
        }
        JsonNode args = params.get("arguments");
        if (args == null || args.isNull()) {
            args = Json.object();
        } else if (!args.isObject()) {
            fail(request, JsonRpcError.INVALID_PARAMS, "tools/call 'arguments' must be an object");
            return;
        }
        String invalid = ArgumentCheck.check(entry.tool().inputSchema(), args);
        if (invalid != null) {
            reply(request, toJson(CallToolResult.error("Invalid arguments for " + name + ": " + invalid)));
            return;
        }
        Call call = new Call(request.id(), name, args, params.path("_meta"), entry, headers);
        if (running.putIfAbsent(request.id(), call) != null) {
            // A client must never reuse an id while the first request is open; saying so loudly
            // catches pool bugs that would otherwise look like a lost answer.
            fail(request, JsonRpcError.INVALID_REQUEST, "Request id " + request.id() + " is already in use in this session");
            return;
        }
        // counted here, on the reading thread, so a stats call sent after this one always sees it
        server.recordExecution(name, id, request.id(), call.meta(), headers);
        if (entry.inline() || server.options().sequential()) {
            // sequential: the reading thread runs the call and writes its answer before it reads on
            call.run();
        } else {
            Thread.ofVirtual().start(call);
        }
    }

    // ---- notifications and responses from the client ----

    private void onNotification(JsonRpcNotification notification) {
        String method = notification.method();
        if (McpMethods.INITIALIZED.equals(method)) {
            clientReady = true;
        } else if (McpMethods.CANCELLED.equals(method)) {
            JsonNode idNode = notification.params() == null ? null : notification.params().get("requestId");
            if (idNode == null || !(idNode.isTextual() || idNode.isIntegralNumber())) {
                return; // malformed: a notification cannot be answered, so there is nothing to say
            }
            server.recordCancelled(idNode);
            RequestId rid = idNode.isTextual() ? RequestId.of(idNode.textValue()) : RequestId.of(idNode.longValue());
            Call call = running.get(rid);
            if (call != null) {
                call.cancel();
            }
        }
        // progress, roots/list_changed and anything unknown: nothing to do
    }

    private void onResponse(JsonRpcResponse response) {
        if (response.id() == null) {
            return;
        }
        CompletableFuture<JsonNode> waiting = awaitingClient.remove(response.id());
        if (waiting == null) {
            return; // an answer to nothing we asked (or to a request we gave up on)
        }
        if (response.error() != null) {
            waiting.completeExceptionally(new ClientErrorException(response.error()));
        } else {
            waiting.complete(response.result() == null ? Json.object() : response.result());
        }
    }

    // ---- going out ----

    /** Sends a request to the client and returns its result; {@code related} is the call it belongs to. */
    CompletableFuture<JsonNode> requestClient(String method, JsonNode params, RequestId related) {
        RequestId rid = RequestId.of(nextRequestId.incrementAndGet());
        CompletableFuture<JsonNode> future = new CompletableFuture<>();
        if (closed) {
            future.completeExceptionally(new IllegalStateException("session " + id + " closed"));
            return future;
        }
        awaitingClient.put(rid, future);
        // whoever gives up on the future (a timeout, a cancelled call) must not leave it behind
        future.whenComplete((r, e) -> awaitingClient.remove(rid));
        transport.send(new JsonRpcRequest(rid, method, params), related);
        return future;
    }

    void sendNotification(JsonRpcNotification notification, RequestId related) {
        if (!closed) {
            transport.send(notification, related);
        }
    }

    void log(String level, String message, RequestId related) {
        if (levelIndex(level) < minLogLevel) {
            return;
        }
        ObjectNode params = Json.object();
        params.put("level", level);
        params.put("logger", TestServer.NAME);
        params.put("data", message);
        sendNotification(new JsonRpcNotification(McpMethods.MESSAGE, params), related);
    }

    private void reply(JsonRpcRequest request, JsonNode result) {
        replyTo(request.id(), result);
    }

    private void replyTo(RequestId requestId, JsonNode result) {
        if (!closed) {
            transport.send(JsonRpcResponse.success(requestId, result), requestId);
        }
    }

    private void fail(JsonRpcRequest request, int code, String message) {
        if (!closed) {
            transport.send(JsonRpcResponse.failure(request.id(), JsonRpcError.of(code, message)), request.id());
        }
    }

    private static int levelIndex(String level) {
        for (int i = 0; i < LOG_LEVELS.length; i++) {
            if (LOG_LEVELS[i].equals(level)) {
                return i;
            }
        }
        return -1;
    }

    /** Whole numbers as integers ({@code 3}, not {@code 3.0}): what most servers send. */
    private static void putNumber(ObjectNode node, String field, double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            node.put(field, (long) value);
        } else {
            node.put(field, value);
        }
    }

    static ObjectNode toJson(CallToolResult result) {
        ObjectNode node = Json.object();
        ArrayNode content = node.putArray("content");
        List<Content> blocks = result.content();
        for (Content c : blocks) {
            content.add(c.json());
        }
        if (result.structuredContent() != null) {
            node.set("structuredContent", result.structuredContent());
        }
        if (result.isError() != null) {
            node.put("isError", result.isError());
        }
        if (result.meta() != null) {
            node.set("_meta", result.meta());
        }
        return node;
    }

    /**
     * One running {@code tools/call}: what its handler sees, and the cancellation hook. Registered
     * in {@code running} before it starts, so a cancellation that races the start still finds it.
     */
    final class Call implements ToolContext, Runnable {
        private final RequestId requestId;
        private final String toolName;
        private final JsonNode arguments;
        private final JsonNode meta;
        private final ToolRegistry.Entry entry;
        private final Map<String, String> headers;
        // Guards 'thread' so a cancellation interrupts the call's own thread only while the handler
        // runs on it, never a reader thread that ran an inline tool and has moved on.
        private final ReentrantLock threadLock = new ReentrantLock();
        private Thread thread;
        private volatile boolean cancelled;

        Call(RequestId requestId, String toolName, JsonNode arguments, JsonNode meta, ToolRegistry.Entry entry,
             Map<String, String> headers) {
            this.requestId = requestId;
            this.toolName = toolName;
            this.arguments = arguments;
            this.meta = meta;
            this.entry = entry;
            this.headers = headers;
        }

        @Override
        public void run() {
            CallToolResult result = runHandler();
            running.remove(requestId, this);
            if (result == null || cancelled) {
                // the spec says a cancelled request gets no answer; HTTP still has to end its stream
                transport.abandon(requestId);
            } else {
                replyTo(requestId, toJson(result));
            }
        }

        private CallToolResult runHandler() {
            if (!entry.inline()) {
                threadLock.lock();
                try {
                    if (cancelled) {
                        return null;
                    }
                    thread = Thread.currentThread();
                } finally {
                    threadLock.unlock();
                }
            }
            try {
                return entry.handler().call(this);
            } catch (InterruptedException e) {
                return cancelled ? null : CallToolResult.error(toolName + " was interrupted");
            } catch (Exception | LinkageError | AssertionError e) {
                // a failing tool is a result, not a dead session: report it the way the spec wants
                return CallToolResult.error(e.getMessage() == null ? toolName + " failed: " + e : e.getMessage());
            } finally {
                if (!entry.inline()) {
                    threadLock.lock();
                    try {
                        thread = null;
                    } finally {
                        threadLock.unlock();
                    }
                    Thread.interrupted(); // a late interrupt must not leak into sending the answer
                }
            }
        }

        void cancel() {
            threadLock.lock();
            try {
                cancelled = true;
                if (thread != null) {
                    thread.interrupt();
                }
            } finally {
                threadLock.unlock();
            }
        }

        ServerSession session() {
            return ServerSession.this;
        }

        Map<String, String> headers() {
            return headers;
        }

        @Override
        public String toolName() {
            return toolName;
        }

        @Override
        public JsonNode arguments() {
            return arguments;
        }

        @Override
        public JsonNode meta() {
            return meta;
        }

        @Override
        public RequestId requestId() {
            return requestId;
        }

        @Override
        public String sessionId() {
            return id;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public void progress(double progress, Double total, String message) {
            JsonNode token = meta.get("progressToken");
            if (token == null || token.isNull() || cancelled) {
                return;
            }
            ObjectNode params = Json.object();
            params.set("progressToken", token);
            putNumber(params, "progress", progress);
            if (total != null) {
                putNumber(params, "total", total);
            }
            if (message != null) {
                params.put("message", message);
            }
            ServerSession.this.sendNotification(new JsonRpcNotification(McpMethods.PROGRESS, params), requestId);
        }

        @Override
        public void log(String level, String message) {
            ServerSession.this.log(level, message, requestId);
        }

        @Override
        public void sendNotification(String method, JsonNode params) {
            ServerSession.this.sendNotification(new JsonRpcNotification(method, params), requestId);
        }

        @Override
        public CompletableFuture<JsonNode> sendRequest(String method, JsonNode params) {
            return requestClient(method, params, requestId);
        }
    }
}
