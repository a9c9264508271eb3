package io.mcppool.gateway.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.config.ClientLimits;
import io.mcppool.config.FrontDoorSettings;
import io.mcppool.config.RateLimit;
import io.mcppool.gateway.auth.ClientIdentity;
import io.mcppool.gateway.auth.RateLimiter;
import io.mcppool.gateway.mcp.ClientSession;
import io.mcppool.gateway.mcp.ClientSessions;
import io.mcppool.gateway.mcp.GatewayDispatcher;
import io.mcppool.gateway.mcp.GatewayEvents;
import io.mcppool.gateway.mcp.Refusal;
import io.mcppool.gateway.mcp.UnreadResponses;
import io.mcppool.protocol.JsonRpcCodec;
import io.mcppool.protocol.JsonRpcError;
import io.mcppool.protocol.JsonRpcMessage;
import io.mcppool.protocol.JsonRpcNotification;
import io.mcppool.protocol.JsonRpcRequest;
import io.mcppool.protocol.JsonRpcResponse;
import io.mcppool.protocol.MalformedMessageException;
import io.mcppool.protocol.McpMethods;
import io.mcppool.protocol.ProtocolVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The Streamable HTTP transport, server side: {@code POST} carries the client's messages and gets JSON or
 * an SSE stream back, {@code GET} opens the stream for messages that relate to no request, {@code DELETE}
 * ends the session. Sessions are named by {@code Mcp-Session-Id}; an unknown or ended one gets 404, so the
 * client starts anew.
 */
final class McpHttpHandler extends Handler.Abstract {
    static final String SESSION_HEADER = "Mcp-Session-Id";
    static final String VERSION_HEADER = "MCP-Protocol-Version";
    private static final long KEEPALIVE_SECONDS = 15;

    private final ClientSessions sessions;
    private final GatewayDispatcher dispatcher;
    private final long maxBodyBytes;
    private final FrontDoorSettings frontDoor;
    private final ScheduledExecutorService timer;
    private final ClientLimits limits;
    private final GatewayEvents events;
    /** The rate limiter of the checks in force (a reload replaces it): a batch pays one token per further message. */
    private final Supplier<RateLimiter> rateLimiter;
    /** Whether any server is sticky (then a tool call may bring an upstream's request to the client). */
    private final java.util.function.BooleanSupplier anySticky;
    /** Set while draining: new sessions are refused, requests of open ones still served. */
    private volatile boolean draining;

    McpHttpHandler(ClientSessions sessions, long maxBodyBytes, FrontDoorSettings frontDoor,
                   Supplier<RateLimiter> rateLimiter, ScheduledExecutorService timer,
                   java.util.function.BooleanSupplier anySticky, ClientLimits limits, GatewayEvents events) {
        this.anySticky = anySticky;
        this.limits = limits;
        this.events = events;
        this.sessions = sessions;
        this.dispatcher = sessions.dispatcher();
        this.maxBodyBytes = maxBodyBytes;
        this.frontDoor = frontDoor;
        this.rateLimiter = rateLimiter;
        this.timer = timer;
    }

    void drain() {
        draining = true;
    }

    /**
     * Serves a request the {@link FrontDoor} let in: its {@code Host}, {@code Origin}, credentials and first
     * rate-limit token are checked, and its client is the request attribute {@link FrontDoor#CLIENT}.
     */
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        ClientIdentity client = (ClientIdentity) request.getAttribute(FrontDoor.CLIENT);
        if (client == null) {
            throw new IllegalStateException("the MCP endpoint is served behind the front door only");
        }
        String version = request.getHeaders().get(VERSION_HEADER);
        if (version != null && !ProtocolVersion.isSupported(version)) {
            return error(response, callback, HttpStatus.BAD_REQUEST_400, JsonRpcError.INVALID_REQUEST,
                    "Unsupported MCP-Protocol-Version: " + version + " (supported: "
                            + String.join(", ", ProtocolVersion.SUPPORTED) + ")");
        }
        return switch (request.getMethod()) {
            case "POST" -> post(request, response, callback, client);
            case "GET" -> get(request, response, callback, client);
            case "DELETE" -> delete(request, response, callback, client);
            default -> {
                response.getHeaders().put(HttpHeader.ALLOW, "GET, POST, DELETE, OPTIONS");
                yield error(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, JsonRpcError.INVALID_REQUEST,
                        "Method not allowed: " + request.getMethod());
            }
        };
    }

    // ------------------------------------------------------------------ POST

    private boolean post(Request request, Response response, Callback callback, ClientIdentity client) {
        String accept = request.getHeaders().get(HttpHeader.ACCEPT);
        if (accept != null && !accepts(accept, "application/json") && !accepts(accept, "text/event-stream")) {
            return error(response, callback, HttpStatus.NOT_ACCEPTABLE_406, JsonRpcError.INVALID_REQUEST,
                    "Not Acceptable: the client must accept application/json and text/event-stream");
        }
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            return error(response, callback, HttpStatus.UNSUPPORTED_MEDIA_TYPE_415, JsonRpcError.INVALID_REQUEST,
                    "Unsupported Media Type: the body must be application/json");
        }
        // Only initialize comes without a session, and it needs little: its cap bounds what a client that has
        // nothing yet can make the gateway read and parse.
        boolean sessionless = request.getHeaders().get(SESSION_HEADER) == null;
        long limit = sessionless ? Math.min(maxBodyBytes, frontDoor.maxInitializeBytes()) : maxBodyBytes;
        String limitName = sessionless && limit < maxBodyBytes ? "gateway.maxInitializeSize" : "gateway.maxBodySize";
        long length = request.getLength();
        if (length > limit) {
            return error(response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413, JsonRpcError.INVALID_REQUEST,
                    "Request body of " + length + " bytes is over the limit of " + limit + " (" + limitName + ")");
        }
        byte[] body;
        try (InputStream in = Content.Source.asInputStream(request)) {
            body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
        } catch (IOException e) {
            return error(response, callback, HttpStatus.BAD_REQUEST_400, JsonRpcError.PARSE_ERROR,
                    "Could not read the body: " + e.getMessage());
        }
        if (body.length > limit) {
            return error(response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413, JsonRpcError.INVALID_REQUEST,
                    "Request body is over the limit of " + limit + " bytes (" + limitName + ")");
        }
        JsonNode tree;
        try {
            tree = JsonRpcCodec.parse(body, 0, body.length);
        } catch (MalformedMessageException e) {
            return error(response, callback, HttpStatus.BAD_REQUEST_400, JsonRpcError.PARSE_ERROR,
                    "Parse error: " + e.getMessage());
        }
        int bodyLength = body.length;
        body = null; // the tree is what counts from here on
        boolean batch = tree.isArray();
        // In order: each element decoded, or the error that answers it (one bad element fails only itself).
        List<JsonRpcMessage> messages = new ArrayList<>();
        List<JsonRpcResponse> invalid = new ArrayList<>();
        if (batch) {
            if (tree.isEmpty()) {
                return error(response, callback, HttpStatus.BAD_REQUEST_400, JsonRpcError.INVALID_REQUEST,
                        "Invalid Request: an empty batch");
            }
            if (tree.size() > frontDoor.maxBatchLength()) {
                return error(response, callback, HttpStatus.BAD_REQUEST_400, JsonRpcError.INVALID_REQUEST,
                        "Invalid Request: a batch of " + tree.size() + " messages is over the limit of "
                                + frontDoor.maxBatchLength() + " (gateway.maxBatchLength)");
            }
            for (JsonNode item : tree) {
                try {
                    messages.add(JsonRpcCodec.decode(item));
                } catch (MalformedMessageException | IllegalArgumentException e) {
                    invalid.add(invalidRequest(item, e));
                }
            }
        } else {
            try {
                messages.add(JsonRpcCodec.decode(tree));
            } catch (MalformedMessageException | IllegalArgumentException e) {
                return write(response, callback, HttpStatus.BAD_REQUEST_400, invalidRequest(tree, e));
            }
        }

        ClientSession session;
        if (isInitialize(messages)) {
            if (messages.size() + invalid.size() > 1) {
                return error(response, callback, HttpStatus.BAD_REQUEST_400, JsonRpcError.INVALID_REQUEST,
                        "initialize must be sent alone");
            }
            if (bodyLength > frontDoor.maxInitializeBytes()) { // sent with a session id, to pass the cap above
                return error(response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413, JsonRpcError.INVALID_REQUEST,
                        "initialize of " + bodyLength + " bytes is over the limit of " + frontDoor.maxInitializeBytes()
                                + " (gateway.maxInitializeSize)");
            }
            if (draining) {
                return error(response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, JsonRpcError.INTERNAL_ERROR,
                        "The gateway is shutting down");
            }
            ClientSessions.Opening opened = sessions.open(client);
            if (opened.refusal() != null) {
                return refuse(response, callback, opened.refusal());
            }
            session = opened.session();
            response.getHeaders().put(SESSION_HEADER, session.id());
        } else {
            Optional<ClientSession> found = session(request, response, callback, client);
            if (found.isEmpty()) {
                return true; // answered 400 or 404
            }
            session = found.get();
            if (batch && !io.mcppool.protocol.ProtocolVersion.V2025_03_26.equals(session.protocolVersion())) {
                return error(response, callback, HttpStatus.BAD_REQUEST_400, JsonRpcError.INVALID_REQUEST,
                        "JSON-RPC batches are not allowed after protocol version 2025-03-26");
            }
        }
        if (batch && !payForBatch(response, callback, client, tree.size())) {
            return true;
        }

        List<JsonRpcRequest> requests = new ArrayList<>();
        for (JsonRpcMessage m : messages) {
            switch (m) {
                case JsonRpcRequest r -> requests.add(r);
                case JsonRpcNotification n -> dispatcher.notification(session, n);
                case JsonRpcResponse r -> dispatcher.response(session, r);
            }
        }
        if (requests.isEmpty() && invalid.isEmpty()) {
            response.setStatus(HttpStatus.ACCEPTED_202);
            EmptyResponse.end(response, callback);
            return true;
        }
        GatewayDispatcher.Admission admission = null;
        if (!batch) {
            // the client's quotas first, so that a refusal is a 429 with Retry-After, not an event on a stream
            admission = dispatcher.admit(session, client, requests.get(0));
            if (admission.refusal() != null) {
                return refuse(response, callback, admission.refusal());
            }
        }
        if (!batch && accept != null && accepts(accept, "text/event-stream") && wantsStream(requests.get(0))) {
            SseStream stream = new SseStream(response, callback, bounds(session, "response stream of request "
                    + requests.get(0).id() + " of", session.unreadResponses()));
            stream.open();
            dispatcher.request(admission, requests.get(0), stream).whenComplete((r, e) -> stream.finish(r));
            return true;
        }
        if (!batch) {
            dispatcher.request(admission, requests.get(0), null).whenComplete((r, e) -> {
                if (r == null) { // cancelled by the client: no response, only the end of the HTTP exchange
                    response.setStatus(HttpStatus.ACCEPTED_202);
                    EmptyResponse.end(response, callback);
                } else {
                    json(session, response, callback, JsonRpcCodec.encode(r));
                }
            });
            return true;
        }
        List<CompletableFuture<JsonRpcResponse>> answers = new ArrayList<>();
        for (JsonRpcResponse r : invalid) {
            answers.add(CompletableFuture.completedFuture(r));
        }
        for (JsonRpcRequest r : requests) {
            answers.add(dispatcher.request(session, client, r, null));
        }
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> {
            List<JsonRpcResponse> done = new ArrayList<>(answers.size());
            for (CompletableFuture<JsonRpcResponse> a : answers) {
                JsonRpcResponse answer = a.join();
                if (answer != null) {
                    done.add(answer);
                }
            }
            if (done.isEmpty()) { // every request was cancelled by the client
                response.setStatus(HttpStatus.ACCEPTED_202);
                EmptyResponse.end(response, callback);
            } else {
                new BatchWriter(response, callback, done, session.unreadResponses()).iterate();
            }
        });
        return true;
    }

    /**
     * Takes the tokens of a batch's further messages (the front door took one for the HTTP request): a batch pays
     * one per message. More than the client's burst can never be had at once, so that is a 400, not a 429 that
     * would never pass. Answers the refusal itself and returns false.
     */
    private boolean payForBatch(Response response, Callback callback, ClientIdentity client, int size) {
        RateLimit limit = client.rateLimit();
        if (!limit.limited() || size <= 1) {
            return true;
        }
        if (size > limit.burst()) {
            error(response, callback, HttpStatus.BAD_REQUEST_400, JsonRpcError.INVALID_REQUEST, "Invalid Request: a"
                    + " batch of " + size + " messages is more than client '" + client.name() + "' may send at once"
                    + " (its rate limit's burst is " + limit.burst() + "; each message of a batch counts)");
            return false;
        }
        long waitMillis = rateLimiter.get().tryAcquire(client, size - 1);
        if (waitMillis > 0) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(RateLimiter.retryAfterSeconds(waitMillis)));
            error(response, callback, HttpStatus.TOO_MANY_REQUESTS_429, JsonRpcError.INVALID_REQUEST,
                    "Rate limit exceeded for client '" + client.name() + "': a batch of " + size
                            + " messages needs as many tokens");
            return false;
        }
        return true;
    }

    /** The -32600 answer to a JSON value that is no JSON-RPC message: its id when it has a usable one, else null. */
    private static JsonRpcResponse invalidRequest(JsonNode item, RuntimeException why) {
        return JsonRpcResponse.failure(JsonRpcCodec.idOf(item), JsonRpcError.of(JsonRpcError.INVALID_REQUEST,
                "Invalid Request: " + why.getMessage()));
    }

    private static boolean isInitialize(List<JsonRpcMessage> messages) {
        for (JsonRpcMessage m : messages) {
            if (m instanceof JsonRpcRequest r && McpMethods.INITIALIZE.equals(r.method())) {
                return true;
            }
        }
        return false;
    }

    /**
     * A request answered on an SSE stream: one that may have messages before its answer (a progress token,
     * or a tool call that may lead an upstream to ask the client something). Everything else gets plain
     * JSON, which is cheaper for both sides.
     */
    private boolean wantsStream(JsonRpcRequest r) {
        JsonNode params = r.params();
        if (params != null && params.path("_meta").has("progressToken")) {
            return true;
        }
        return McpMethods.TOOLS_CALL.equals(r.method()) && anySticky.getAsBoolean();
    }

    // ------------------------------------------------------------------ GET and DELETE

    private boolean get(Request request, Response response, Callback callback, ClientIdentity client) {
        String accept = request.getHeaders().get(HttpHeader.ACCEPT);
        if (accept == null || !accepts(accept, "text/event-stream")) {
            return error(response, callback, HttpStatus.NOT_ACCEPTABLE_406, JsonRpcError.INVALID_REQUEST,
                    "Not Acceptable: GET opens a text/event-stream");
        }
        Optional<ClientSession> session = session(request, response, callback, client);
        if (session.isEmpty()) {
            return true;
        }
        SseStream stream = new SseStream(response, callback, bounds(session.get(), "GET stream of", null));
        switch (sessions.openStream(session.get(), stream)) {
            case ALREADY_OPEN -> {
                return error(response, callback, HttpStatus.CONFLICT_409, JsonRpcError.INVALID_REQUEST,
                        "Conflict: this session already has a GET stream open");
            }
            case CLIENT_QUOTA -> {
                return refuse(response, callback, new Refusal(HttpStatus.TOO_MANY_REQUESTS_429, 5,
                        GatewayEvents.STREAMS_PER_CLIENT, "Client '" + client.name() + "' has "
                        + limits.quotas().maxStreamsPerClient() + " GET streams open (gateway.maxStreamsPerClient);"
                        + " close one first"));
            }
            case OPENED -> {
            }
        }
        stream.open();
        ScheduledFuture<?>[] keepalive = new ScheduledFuture<?>[1];
        keepalive[0] = timer.scheduleWithFixedDelay(() -> {
            if (session.get().isClosed() || !stream.keepalive()) {
                stream.finish(null);
                keepalive[0].cancel(false);
            }
        }, KEEPALIVE_SECONDS, KEEPALIVE_SECONDS, TimeUnit.SECONDS);
        return true;
    }

    private boolean delete(Request request, Response response, Callback callback, ClientIdentity client) {
        Optional<ClientSession> session = session(request, response, callback, client);
        if (session.isEmpty()) {
            return true;
        }
        sessions.end(session.get()); // ends its GET stream too
        response.setStatus(HttpStatus.OK_200);
        EmptyResponse.end(response, callback);
        return true;
    }

    /**
     * The stream limits, the stream's name in a log line (what it is, the client and the session), and where its
     * last message, if a response, waits among the session's unread responses.
     */
    private SseStream.Bounds bounds(ClientSession session, String what, UnreadResponses unread) {
        return new SseStream.Bounds(limits, events, what + " client '" + session.client().name() + "' (session "
                + session.id() + ")", unread);
    }

    private Optional<ClientSession> session(Request request, Response response, Callback callback,
                                            ClientIdentity client) {
        String id = request.getHeaders().get(SESSION_HEADER);
        if (id == null) {
            error(response, callback, HttpStatus.BAD_REQUEST_400, JsonRpcError.INVALID_REQUEST,
                    "Bad Request: Mcp-Session-Id header is required");
            return Optional.empty();
        }
        Optional<ClientSession> found = sessions.find(id, client);
        if (found.isEmpty()) {
            error(response, callback, HttpStatus.NOT_FOUND_404, JsonRpcError.SESSION_NOT_FOUND, "Session not found");
        }
        found.ifPresent(ClientSession::touch);
        return found;
    }

    // ------------------------------------------------------------------ writing

    private static boolean accepts(String accept, String type) {
        return accept.contains(type) || accept.contains("*/*");
    }

    /**
     * Writes a response of {@code session}. Until its client has read it, Jetty holds its bytes (once: the array is
     * written as it is); the session's unread responses are bounded, so a newer one may drop this one, which ends
     * its exchange without it.
     */
    private static void json(ClientSession session, Response response, Callback callback, byte[] body) {
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        OnceCallback done = new OnceCallback(callback);
        UnreadResponses unread = session.unreadResponses();
        UnreadResponses.Waiting waiting = unread.admit(body.length, () -> done.failed(new IOException(
                "the response was dropped: the client has not read it and newer ones came"))).entry();
        response.write(true, ByteBuffer.wrap(body), Callback.from(() -> {
            unread.written(waiting);
            done.succeeded();
        }, failure -> {
            unread.written(waiting);
            done.failed(failure);
        }));
    }

    /** A request the client's quotas or the gateway's limits refuse: 429 or 503, with {@code Retry-After}. */
    private static boolean refuse(Response response, Callback callback, Refusal refusal) {
        response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(refusal.retryAfterSeconds()));
        return error(response, callback, refusal.status(), JsonRpcError.INTERNAL_ERROR, refusal.message());
    }

    static boolean error(Response response, Callback callback, int status, int code, String message) {
        return write(response, callback, status, JsonRpcResponse.failure(null, JsonRpcError.of(code, message)));
    }

    /** Writes one JSON-RPC message as the whole answer (an error of the HTTP layer: no session holds it). */
    static boolean write(Response response, Callback callback, int status, JsonRpcResponse message) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        byte[] body = JsonRpcCodec.encode(message);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }
}
