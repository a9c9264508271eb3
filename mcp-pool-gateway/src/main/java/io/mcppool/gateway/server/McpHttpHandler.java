package io.mcppool.gateway.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.config.ClientLimits;
import io.mcppool.gateway.auth.AuthResult;
import io.mcppool.gateway.auth.ClientIdentity;
import io.mcppool.gateway.mcp.ClientSession;
import io.mcppool.gateway.mcp.ClientSessions;
import io.mcppool.gateway.mcp.GatewayDispatcher;
import io.mcppool.gateway.mcp.GatewayEvents;
import io.mcppool.gateway.mcp.Refusal;
import io.mcppool.gateway.mcp.UnreadResponses;
import io.mcppool.protocol.Json;
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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
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
    private volatile RequestChecks checks;
    private final long maxBodyBytes;
    private final ScheduledExecutorService timer;
    private final ClientLimits limits;
    private final GatewayEvents events;
    /** Whether any server is sticky (then a tool call may bring an upstream's request to the client). */
    private final java.util.function.BooleanSupplier anySticky;
    /** Set while draining: new sessions are refused, requests of open ones still served. */
    private volatile boolean draining;

    McpHttpHandler(ClientSessions sessions, RequestChecks checks, long maxBodyBytes, ScheduledExecutorService timer,
                   java.util.function.BooleanSupplier anySticky, ClientLimits limits, GatewayEvents events) {
        this.anySticky = anySticky;
        this.limits = limits;
        this.events = events;
        this.sessions = sessions;
        this.dispatcher = sessions.dispatcher();
        this.checks = checks;
        this.maxBodyBytes = maxBodyBytes;
        this.timer = timer;
    }

    /** New credentials, allow lists and limits (a reload): the next request on is checked by them. */
    void checks(RequestChecks next) {
        this.checks = next;
    }

    void drain() {
        draining = true;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        RequestChecks checks = this.checks;
        Optional<String> refused = checks.origin().refuse(request.getHeaders().get(HttpHeader.HOST),
                request.getHeaders().get(HttpHeader.ORIGIN));
        if (refused.isPresent()) {
            return error(response, callback, HttpStatus.FORBIDDEN_403, JsonRpcError.INVALID_REQUEST, refused.get());
        }
        AuthResult auth = checks.auth().authenticate(Optional.ofNullable(
                request.getHeaders().get(HttpHeader.AUTHORIZATION)));
        if (auth instanceof AuthResult.Denied denied) {
            if (denied.wwwAuthenticate() != null) {
                response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, denied.wwwAuthenticate());
            }
            return error(response, callback, denied.status(), JsonRpcError.INVALID_REQUEST, denied.message());
        }
        ClientIdentity client = ((AuthResult.Allowed) auth).client();
        long waitMillis = checks.rateLimit().applyAsLong(client);
        if (waitMillis > 0) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(Math.max(1, (waitMillis + 999) / 1000)));
            return error(response, callback, HttpStatus.TOO_MANY_REQUESTS_429, JsonRpcError.INVALID_REQUEST,
                    "Rate limit exceeded for client '" + client.name() + "'");
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
                response.getHeaders().put(HttpHeader.ALLOW, "GET, POST, DELETE");
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
        long length = request.getLength();
        if (length > maxBodyBytes) {
            return error(response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413, JsonRpcError.INVALID_REQUEST,
                    "Request body of " + length + " bytes is over the limit of " + maxBodyBytes);
        }
        byte[] body;
        try (InputStream in = Content.Source.asInputStream(request)) {
            body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
        } catch (IOException e) {
            return error(response, callback, HttpStatus.BAD_REQUEST_400, JsonRpcError.PARSE_ERROR,
                    "Could not read the body: " + e.getMessage());
        }
        if (body.length > maxBodyBytes) {
            return error(response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413, JsonRpcError.INVALID_REQUEST,
                    "Request body is over the limit of " + maxBodyBytes + " bytes");
        }
        List<JsonRpcMessage> messages;
        boolean batch;
        try {
            JsonNode tree = Json.mapper().readTree(body);
            batch = tree != null && tree.isArray();
            messages = new ArrayList<>();
            if (batch) {
                for (JsonNode item : tree) {
                    messages.add(JsonRpcCodec.decode(item));
                }
            } else {
                messages.add(JsonRpcCodec.decode(tree));
            }
        } catch (IOException | MalformedMessageException | IllegalArgumentException e) {
            return error(response, callback, HttpStatus.BAD_REQUEST_400, JsonRpcError.PARSE_ERROR,
                    "Parse error: " + e.getMessage());
        }
        if (messages.isEmpty()) {
            return error(response, callback, HttpStatus.BAD_REQUEST_400, JsonRpcError.INVALID_REQUEST, "Empty batch");
        }

        ClientSession session;
        if (isInitialize(messages)) {
            if (messages.size() > 1) {
                return error(response, callback, HttpStatus.BAD_REQUEST_400, JsonRpcError.INVALID_REQUEST,
                        "initialize must be sent alone");
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

        List<JsonRpcRequest> requests = new ArrayList<>();
        for (JsonRpcMessage m : messages) {
            switch (m) {
                case JsonRpcRequest r -> requests.add(r);
                case JsonRpcNotification n -> dispatcher.notification(session, n);
                case JsonRpcResponse r -> dispatcher.response(session, r);
            }
        }
        if (requests.isEmpty()) {
            response.setStatus(HttpStatus.ACCEPTED_202);
            callback.succeeded();
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
                    callback.succeeded();
                } else {
                    json(session, response, callback, JsonRpcCodec.encode(r));
                }
            });
            return true;
        }
        List<CompletableFuture<JsonRpcResponse>> answers = new ArrayList<>();
        for (JsonRpcRequest r : requests) {
            answers.add(dispatcher.request(session, client, r, null));
        }
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> {
            StringBuilder array = new StringBuilder("[");
            for (CompletableFuture<JsonRpcResponse> a : answers) {
                JsonRpcResponse answer = a.join();
                if (answer != null) {
                    array.append(array.length() > 1 ? "," : "").append(JsonRpcCodec.encodeToString(answer));
                }
            }
            json(session, response, callback, array.append(']').toString().getBytes(StandardCharsets.UTF_8));
        });
        return true;
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
        callback.succeeded();
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
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        byte[] body = JsonRpcCodec.encode(JsonRpcResponse.failure(null, JsonRpcError.of(code, message)));
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }
}
