package io.mcppool.internal.session;

import io.mcppool.protocol.RpcErrorException;
import io.mcppool.protocol.ServerRequestHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.internal.protocol.InitializeResult;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.JsonRpcError;
import io.mcppool.protocol.JsonRpcMessage;
import io.mcppool.protocol.JsonRpcNotification;
import io.mcppool.protocol.JsonRpcRequest;
import io.mcppool.protocol.JsonRpcResponse;
import io.mcppool.protocol.MalformedMessageException;
import io.mcppool.protocol.McpMethods;
import io.mcppool.protocol.Progress;
import io.mcppool.protocol.ProtocolVersion;
import io.mcppool.protocol.RequestId;
import io.mcppool.protocol.Root;
import io.mcppool.transport.NotSentException;
import io.mcppool.transport.SessionExpiredException;
import io.mcppool.transport.Transport;
import io.mcppool.transport.TransportException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One MCP client session over one transport: the handshake, many requests in flight at once, each
 * with its own deadline, and everything the server sends back (responses, progress, pings, list
 * changes, log messages, its own requests).
 *
 * <p>Request ids are ours: a counter per session, never reused. A request whose deadline passes is
 * removed from the pending map and its caller is failed at once; then, if the request had left (the
 * transport had started writing it), the server gets {@code notifications/cancelled} for it, else it is
 * withdrawn and the server never sees it. Whatever the server sends later for that id is dropped.
 * Nothing here waits on the transport: requests are queued, and notices nobody waits for (cancellations,
 * answers to the server's own requests) are dropped when a server that stopped reading has filled the queue. When an HTTP server says the session is gone,
 * the session re-initializes (once per request, shared by all requests that saw the same expiry)
 * and sends the request again: the server did not process it.
 */
public final class McpSession implements Transport.Listener {
    private static final Logger log = LoggerFactory.getLogger(McpSession.class);

    private final Transport transport;
    private final SessionOptions options;
    private final ScheduledExecutorService timer;
    private final SessionListener listener;
    private final Logger serverLog;
    private final AtomicLong ids = new AtomicLong();
    private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();
    private final ReentrantLock handshakeLock = new ReentrantLock();

    private volatile InitializeResult initializeResult;
    private volatile boolean closed;
    private volatile Throwable closeCause;
    /** Bumped by every handshake (under handshakeLock); a request remembers the generation it was sent under. */
    private volatile int generation;
    private volatile CompletableFuture<InitializeResult> handshake;
    /** Answers the server's sampling and elicitation requests; set before open, or null. */
    private volatile ServerRequestHandler serverRequests;
    /** How long closing the transport may take, when the owner has a deadline to keep. */
    private volatile java.time.Duration closeBudget;

    public McpSession(Transport transport, SessionOptions options, ScheduledExecutorService timer,
                      SessionListener listener) {
        this.transport = transport;
        this.options = options;
        this.timer = timer;
        this.listener = listener == null ? SessionListener.NONE : listener;
        this.serverLog = LoggerFactory.getLogger("mcp.server." + options.server());
    }

    /**
     * Starts the transport and performs the handshake. Blocks while the transport starts (a process
     * spawn), so the pool calls it off the caller's thread; the handshake itself is asynchronous.
     */
    public CompletableFuture<InitializeResult> open() {
        try {
            transport.start(this);
        } catch (RuntimeException e) {
            closed = true;
            closeCause = e;
            return CompletableFuture.failedFuture(e);
        }
        handshakeLock.lock();
        try {
            return startHandshake();
        } finally {
            handshakeLock.unlock();
        }
    }

    /**
     * Passes the server's requests other than ping and roots (sampling, elicitation) to {@code handler}, and
     * declares its capabilities at the handshake: so set it before {@link #open()}.
     */
    public void serverRequests(ServerRequestHandler handler) {
        this.serverRequests = handler;
    }

    private CompletableFuture<InitializeResult> startHandshake() {
        generation++;
        ObjectNode params = Json.object();
        params.put("protocolVersion", ProtocolVersion.LATEST);
        ObjectNode capabilities = params.putObject("capabilities");
        ServerRequestHandler handler = serverRequests;
        if (handler != null && handler.capabilities() != null) {
            handler.capabilities().properties().forEach(e -> {
                if (!e.getKey().equals("roots")) { // roots are the pool's own answer, from config
                    capabilities.set(e.getKey(), e.getValue().deepCopy());
                }
            });
        }
        if (!options.roots().isEmpty()) {
            capabilities.putObject("roots").put("listChanged", false);
        }
        params.set("clientInfo", Json.toTree(options.clientInfo()));
        long timeoutNanos = options.connectTimeout().toNanos();
        CompletableFuture<InitializeResult> result = new CompletableFuture<>();
        Pending init = newPending(McpMethods.INITIALIZE, params, null);
        init.resent = true; // an expired session during initialize is a failure, not a reason to initialize again
        send(init, timeoutNanos);
        init.whenComplete((json, error) -> {
            if (error != null) {
                Throwable cause = unwrap(error);
                String why = cause instanceof RequestTimeoutException
                        ? "no answer to initialize within " + options.connectTimeout().toMillis() + " ms (connectTimeout)"
                        : "initialize failed: " + cause.getMessage();
                result.completeExceptionally(new HandshakeException(why, cause));
                return;
            }
            InitializeResult init2;
            try {
                init2 = Json.fromTree(json, InitializeResult.class);
            } catch (MalformedMessageException e) {
                result.completeExceptionally(new HandshakeException("initialize result is malformed: " + e.getMessage(), e));
                return;
            }
            if (init2.protocolVersion() == null || !ProtocolVersion.isSupported(init2.protocolVersion())) {
                result.completeExceptionally(new HandshakeException("server answered protocol version '"
                        + init2.protocolVersion() + "'; mcp-pool speaks " + String.join(", ", ProtocolVersion.SUPPORTED)
                        + ", so the session is closed", null));
                return;
            }
            initializeResult = init2;
            transport.protocolVersionNegotiated(init2.protocolVersion());
            transport.send(new JsonRpcNotification(McpMethods.INITIALIZED, null)).whenComplete((v, e) -> {
                if (e != null) {
                    result.completeExceptionally(new HandshakeException("sending notifications/initialized failed: "
                            + unwrap(e).getMessage(), unwrap(e)));
                } else {
                    result.complete(init2);
                }
            });
        });
        result.whenComplete((r, e) -> {
            if (e != null) {
                close(e);
            }
        });
        handshake = result;
        return result;
    }

    /**
     * Sends a request. {@code params} becomes the session's (a progress token may be added to it).
     * The future completes with the result, or fails with {@link RequestTimeoutException},
     * {@link RpcErrorException} or {@link TransportException}; cancelling it cancels the request.
     */
    public CompletableFuture<JsonNode> request(String method, ObjectNode params, long timeoutNanos,
                                               Consumer<Progress> onProgress) {
        Pending p = newPending(method, params, onProgress);
        if (onProgress != null) {
            ObjectNode target = params == null ? Json.object() : params;
            target.withObject("_meta").put("progressToken", p.id);
            p.params = target;
        }
        send(p, timeoutNanos);
        return p;
    }

    public CompletableFuture<JsonNode> ping(long timeoutNanos) {
        return request(McpMethods.PING, null, timeoutNanos, null);
    }

    private Pending newPending(String method, ObjectNode params, Consumer<Progress> onProgress) {
        return new Pending(this, ids.incrementAndGet(), method, params, onProgress);
    }

    private void send(Pending p, long timeoutNanos) {
        pending.put(p.id, p);
        if (closed) {
            fail(p, new NotSentException("session already closed: " + closedException().getMessage()));
            return;
        }
        p.timeoutNanos = timeoutNanos;
        p.timeout = timer.schedule(p, timeoutNanos, TimeUnit.NANOSECONDS);
        transmit(p);
    }

    private void transmit(Pending p) {
        CompletableFuture<InitializeResult> hs = handshake;
        int gen = generation;
        if (hs != null && !hs.isDone() && !McpMethods.INITIALIZE.equals(p.method)) {
            // A new session is being set up after an expiry: requests wait for it rather than go out without one.
            hs.whenComplete((r, e) -> {
                if (e != null) {
                    fail(p, new TransportException("session expired and re-initializing failed: " + unwrap(e).getMessage(),
                            unwrap(e)));
                } else if (!p.isDone()) {
                    transmit(p);
                }
            });
            return;
        }
        p.generation = gen;
        CompletableFuture<Void> sent = transport.send(new JsonRpcRequest(RequestId.of(p.id), p.method, p.params));
        p.sent = sent;
        if (p.isDone()) {
            sent.cancel(false); // timed out or cancelled while it was being queued: withdraw it if it can be
        }
        sent.whenComplete((v, error) -> {
            if (error != null && !(error instanceof java.util.concurrent.CancellationException)) {
                onSendFailed(p, unwrap(error));
            }
        });
    }

    private void onSendFailed(Pending p, Throwable error) {
        if (p.isDone()) {
            return;
        }
        if (error instanceof SessionExpiredException && !p.resent && !closed) {
            p.resent = true;
            log.info("server '{}' ({}) reports the session expired; re-initializing", options.server(), transport.describe());
            reinitialize(p.generation).whenComplete((r, e) -> {
                if (e != null) {
                    fail(p, new TransportException("session expired and re-initializing failed: " + unwrap(e).getMessage(), unwrap(e)));
                } else if (!p.isDone()) {
                    transmit(p);
                }
            });
            return;
        }
        fail(p, error);
    }

    private CompletableFuture<InitializeResult> reinitialize(int seenGeneration) {
        handshakeLock.lock();
        try {
            if (generation != seenGeneration && handshake != null) {
                return handshake; // someone else already started the new session
            }
            return startHandshake();
        } finally {
            handshakeLock.unlock();
        }
    }

    /** The deadline of {@code p} passed (on the timer thread: nothing here may wait on the server). */
    void timedOut(Pending p) {
        if (!pending.remove(p.id, p)) {
            return;
        }
        // The caller first; then the server, if the request reached it at all.
        p.completeExceptionally(new RequestTimeoutException(p.method, p.id, TimeUnit.NANOSECONDS.toMillis(p.timeoutNanos)));
        if (!McpMethods.INITIALIZE.equals(p.method)) { // the spec forbids cancelling initialize
            withdrawOrCancel(p, "timeout");
        }
    }

    /** The caller cancelled {@code p}. */
    void cancelled(Pending p) {
        if (pending.remove(p.id, p)) {
            cancelTimeout(p);
            withdrawOrCancel(p, "cancelled by the caller");
        }
    }

    /**
     * Takes back a request the transport has not started writing; tells the server it is cancelled when it
     * has. The notice is best effort: it is dropped when the server has stopped reading.
     */
    private void withdrawOrCancel(Pending p, String reason) {
        CompletableFuture<Void> sent = p.sent;
        if (sent == null || sent.cancel(false) || closed) {
            return; // never left (or still waits for a new session): the server has nothing to cancel
        }
        ObjectNode params = Json.object();
        params.put("requestId", p.id);
        params.put("reason", reason);
        if (!transport.trySend(new JsonRpcNotification(McpMethods.CANCELLED, params))) {
            log.debug("server '{}': notifications/cancelled for {} dropped (the server is not reading)", options.server(),
                    p.id);
        }
    }

    private void fail(Pending p, Throwable error) {
        if (pending.remove(p.id, p)) {
            cancelTimeout(p);
        }
        p.completeExceptionally(error);
    }

    private static void cancelTimeout(Pending p) {
        ScheduledFuture<?> t = p.timeout;
        if (t != null) {
            t.cancel(false);
        }
    }

    @Override
    public void onMessage(JsonRpcMessage message) {
        switch (message) {
            case JsonRpcResponse r -> onResponse(r);
            case JsonRpcNotification n -> onNotification(n);
            case JsonRpcRequest r -> onServerRequest(r);
        }
    }

    private void onResponse(JsonRpcResponse r) {
        if (r.id() == null || !r.id().isNumber()) {
            log.warn("server '{}' ({}) sent a response with id {} that this client never used: {}", options.server(),
                    transport.describe(), r.id(), r.isError() ? r.error().message() : "result");
            return;
        }
        Pending p = pending.remove(r.id().number());
        if (p == null) {
            log.debug("server '{}': dropping late response for request {}", options.server(), r.id());
            return;
        }
        cancelTimeout(p);
        if (r.isError()) {
            p.completeExceptionally(new RpcErrorException(p.method, r.error()));
        } else {
            p.complete(r.result());
        }
    }

    private void onNotification(JsonRpcNotification n) {
        switch (n.method()) {
            case McpMethods.PROGRESS -> onProgress(n.params());
            case McpMethods.TOOLS_LIST_CHANGED -> listener.onToolsListChanged(this);
            case McpMethods.RESOURCES_LIST_CHANGED -> listener.onResourcesListChanged(this);
            case McpMethods.PROMPTS_LIST_CHANGED -> listener.onPromptsListChanged(this);
            case McpMethods.MESSAGE -> {
                onLogMessage(n.params());
                toClient(n);
            }
            case McpMethods.CANCELLED -> {
                // cancellations concern server-to-client requests, which are answered at once
            }
            default -> {
                if (!toClient(n)) {
                    log.debug("server '{}': ignoring notification {}", options.server(), n.method());
                }
            }
        }
    }

    /** Passes a notification to the client this session belongs to (sticky sessions of a gateway), if any. */
    private boolean toClient(JsonRpcNotification n) {
        ServerRequestHandler handler = serverRequests;
        if (handler == null) {
            return false;
        }
        try {
            handler.notification(n.method(), n.params());
        } catch (RuntimeException e) {
            log.debug("server '{}': passing {} on failed: {}", options.server(), n.method(), e.toString());
        }
        return true;
    }

    private void onProgress(JsonNode params) {
        if (params == null) {
            return;
        }
        JsonNode token = params.get("progressToken");
        if (token == null || !token.canConvertToLong()) {
            return;
        }
        Pending p = pending.get(token.asLong());
        if (p == null || p.onProgress == null) {
            return; // progress for a finished request: ignore, as the spec says
        }
        JsonNode total = params.get("total");
        JsonNode message = params.get("message");
        Progress progress = new Progress(params.path("progress").asDouble(),
                total == null || total.isNull() ? null : total.asDouble(),
                message == null || message.isNull() ? null : message.asText());
        try {
            p.onProgress.accept(progress);
        } catch (RuntimeException e) {
            log.warn("server '{}': progress listener threw", options.server(), e);
        }
    }

    private void onLogMessage(JsonNode params) {
        if (params == null) {
            return;
        }
        String level = params.path("level").asText("info");
        JsonNode data = params.get("data");
        String text = data == null ? "" : data.isTextual() ? data.textValue() : data.toString();
        String logger = params.path("logger").asText(null);
        String line = logger == null ? text : "[" + logger + "] " + text;
        Level slf4j = switch (level) {
            case "debug" -> Level.DEBUG;
            case "info", "notice" -> Level.INFO;
            case "warning" -> Level.WARN;
            default -> Level.ERROR;
        };
        if (serverLog.isEnabledForLevel(slf4j)) {
            options.logs().notifications().log(slf4j, "{}", slf4j == Level.ERROR ? line + " (" + level + ")" : line);
        }
    }

    private void onServerRequest(JsonRpcRequest r) {
        ServerRequestHandler handler = serverRequests;
        switch (r.method()) {
            case McpMethods.PING -> answer(r, JsonRpcResponse.success(r.id(), Json.object()));
            case McpMethods.ROOTS_LIST -> answer(r, JsonRpcResponse.success(r.id(), rootsResult()));
            default -> {
                if (handler == null) {
                    answer(r, JsonRpcResponse.failure(r.id(), JsonRpcError.of(JsonRpcError.METHOD_NOT_FOUND,
                            "Method not found: " + r.method() + " (mcp-pool does not offer this capability)")));
                    return;
                }
                CompletableFuture<JsonNode> answer;
                try {
                    answer = handler.handle(r.method(), r.params());
                } catch (RuntimeException e) {
                    answer = CompletableFuture.failedFuture(e);
                }
                answer.whenComplete((result, error) -> answer(r, error == null
                        ? JsonRpcResponse.success(r.id(), result == null ? Json.object() : result)
                        : JsonRpcResponse.failure(r.id(), unwrap(error) instanceof RpcErrorException rpc ? rpc.error()
                                : JsonRpcError.of(JsonRpcError.INTERNAL_ERROR, String.valueOf(unwrap(error).getMessage())))));
            }
        }
    }

    /** Best effort, like any message nobody waits for: a server that does not read its answers loses them. */
    private void answer(JsonRpcRequest r, JsonRpcResponse response) {
        if (!transport.trySend(response)) {
            log.debug("server '{}': the answer to its {} was dropped (closed, or it is not reading)", options.server(),
                    r.method());
        }
    }

    private ObjectNode rootsResult() {
        ObjectNode result = Json.object();
        ArrayNode roots = result.putArray("roots");
        for (Root root : options.roots()) {
            ObjectNode node = roots.addObject();
            node.put("uri", root.uri());
            if (root.name() != null) {
                node.put("name", root.name());
            }
        }
        return result;
    }

    @Override
    public void onClosed(Throwable cause) {
        close(cause);
    }

    private void close(Throwable cause) {
        if (closed) {
            return;
        }
        closed = true;
        closeCause = cause;
        if (cause != null) {
            log.info("server '{}' ({}): session ended: {}", options.server(), transport.describe(), cause.getMessage());
        }
        TransportException failure = closedException();
        for (Pending p : pending.values()) {
            CompletableFuture<Void> sent = p.sent;
            // A request still queued never reached the server: say so, so it may go to another session.
            fail(p, sent == null || sent.cancel(false) ? new NotSentException(failure.getMessage()) : failure);
        }
        // Tell the owner first, so the pool stops handing out this session before the (possibly slow)
        // shutdown of the transport begins.
        try {
            listener.onClosed(this, cause);
        } finally {
            java.time.Duration budget = closeBudget;
            if (cause == null && budget != null) {
                transport.close(budget);
            } else if (cause == null) {
                transport.close();
            } else {
                // Called from a transport thread (a reader, the process reaper): do not block it.
                Thread.ofVirtual().name("mcp-pool-session-close").start(transport::close);
            }
        }
    }

    private TransportException closedException() {
        Throwable cause = closeCause;
        return cause == null ? new TransportException("session closed")
                : new TransportException(cause.getMessage(), cause);
    }

    /** Ends the session: fails what is in flight, then closes the transport the way its spec says. */
    public void close() {
        close((Throwable) null);
    }

    /** As {@link #close()}, the transport's shutdown taking about {@code budget} at most. */
    public void close(java.time.Duration budget) {
        closeBudget = budget;
        close((Throwable) null);
    }

    public boolean isOpen() {
        return !closed && transport.isOpen();
    }

    /** The handshake's result, or null before it completed. */
    public InitializeResult initializeResult() {
        return initializeResult;
    }

    public int inFlight() {
        return pending.size();
    }

    public Transport transport() {
        return transport;
    }

    public String server() {
        return options.server();
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** The JSON-RPC id of a request this session's {@link #request} returned; -1 for any other future. */
    public static long requestId(CompletableFuture<?> request) {
        return request instanceof Pending p ? p.id : -1;
    }

    /** The server's {@code Mcp-Session-Id} on Streamable HTTP; null on stdio or before the handshake. */
    public String sessionId() {
        return transport instanceof io.mcppool.internal.transport.StreamableHttpTransport http ? http.sessionId() : null;
    }

    /** A request in flight: the future the caller holds, and the timer task that ends it at its deadline. */
    static final class Pending extends CompletableFuture<JsonNode> implements Runnable {
        final McpSession session;
        final long id;
        final String method;
        final Consumer<Progress> onProgress;
        ObjectNode params;
        volatile ScheduledFuture<?> timeout;
        /** The transport's handle on the request once queued: cancelling it withdraws a request not yet written. */
        volatile CompletableFuture<Void> sent;
        long timeoutNanos;
        int generation;
        volatile boolean resent;

        Pending(McpSession session, long id, String method, ObjectNode params, Consumer<Progress> onProgress) {
            this.session = session;
            this.id = id;
            this.method = method;
            this.params = params;
            this.onProgress = onProgress;
        }

        @Override
        public void run() {
            session.timedOut(this);
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                session.cancelled(this);
            }
            return cancelled;
        }
    }
}
