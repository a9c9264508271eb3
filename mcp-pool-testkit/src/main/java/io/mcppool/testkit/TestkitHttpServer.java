package io.mcppool.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.mcppool.protocol.JsonRpcCodec;
import io.mcppool.protocol.JsonRpcError;
import io.mcppool.protocol.JsonRpcMessage;
import io.mcppool.protocol.JsonRpcNotification;
import io.mcppool.protocol.JsonRpcRequest;
import io.mcppool.protocol.JsonRpcResponse;
import io.mcppool.protocol.MalformedMessageException;
import io.mcppool.protocol.McpMethods;
import io.mcppool.protocol.ProtocolVersion;
import io.mcppool.protocol.RequestId;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * A testkit server speaking Streamable HTTP (spec 2025-11-25) at {@code http://127.0.0.1:<port>/mcp},
 * on the JDK's built-in HTTP server. It binds the loopback address only.
 *
 * <ul>
 *   <li>POST a request: the answer is {@code application/json}, or {@code text/event-stream} when
 *       the call sends something first (progress, log messages, a {@code roots/list} request): the
 *       choice is made by the first message the call produces. The final response ends the stream.
 *   <li>POST a notification or response: 202.
 *   <li>GET: the session's standalone SSE stream (one at a time; a second gets 409), for messages
 *       that belong to no request.
 *   <li>DELETE: ends the session (200).
 *   <li>{@code initialize} creates a session and returns {@code Mcp-Session-Id}; every other
 *       request must carry it (missing: 400; unknown: 404, or 400 like the reference server, see
 *       {@link #unknownSessionReply}). An unsupported {@code MCP-Protocol-Version} header gets 400,
 *       an {@code Origin} that is not localhost gets 403.
 * </ul>
 *
 * SSE events carry no ids and streams cannot be resumed: a test that needs resumption needs
 * another peer. {@link #stop()} forgets every session, as a restarted server would; the shared
 * state of the {@link TestServer} (executions, records) survives it.
 */
public final class TestkitHttpServer implements AutoCloseable {

    /** How to answer a request whose {@code Mcp-Session-Id} the server does not know. */
    public enum UnknownSessionReply {
        /** HTTP 404, as the spec says. */
        NOT_FOUND,
        /** HTTP 400 "Bad Request: No valid session ID provided", as the reference TypeScript server does. */
        BAD_REQUEST
    }

    /**
     * A POST that {@link #respondWith} answered instead of the server.
     *
     * @param atNanos {@link System#nanoTime()} when the request came in
     * @param method  the JSON-RPC method of the message, or null when it had none (a response, or not JSON-RPC)
     */
    public record CannedReply(long atNanos, int status, String method) {
    }

    /** What {@link #respondWith} armed: {@code remaining} -1 for every matching POST until cleared. */
    private record Canned(int status, Duration retryAfter, String method, AtomicInteger remaining) {
        /** Takes one use, if this applies to a POST of {@code postMethod}. Safe to race. */
        boolean take(String postMethod) {
            if (method != null && !method.equals(postMethod)) {
                return false;
            }
            while (true) {
                int left = remaining.get();
                if (left < 0) {
                    return true;
                }
                if (left == 0) {
                    return false;
                }
                if (remaining.compareAndSet(left, left - 1)) {
                    return true;
                }
            }
        }
    }

    static final String SESSION_HEADER = "Mcp-Session-Id";
    static final String VERSION_HEADER = "MCP-Protocol-Version";
    private static final String PATH = "/mcp";
    private static final Object END = new Object();
    private static final InetAddress LOOPBACK = loopback();

    private final TestServer server;
    private final Map<String, HttpSession> sessions = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    // start/stop can come from a test thread and from a crashing tool at once
    private final ReentrantLock lifecycle = new ReentrantLock();
    private HttpServer http;
    private ExecutorService executor;
    private volatile int port;
    private volatile boolean running;
    private volatile Map<String, String> lastHeaders = Map.of();
    private volatile UnknownSessionReply unknownSessionReply = UnknownSessionReply.NOT_FOUND;
    private volatile IntConsumer crashHandler;
    private final AtomicReference<Canned> canned = new AtomicReference<>();
    private final List<CannedReply> cannedReplies = new CopyOnWriteArrayList<>();

    private TestkitHttpServer(TestServer server, int port) {
        this.server = Objects.requireNonNull(server, "server");
        this.port = port;
    }

    /** Starts a server with the built-in tools and these options on an ephemeral port. */
    public static TestkitHttpServer start(TestkitOptions options) {
        return start(TestServer.create(options), 0);
    }

    public static TestkitHttpServer start(TestServer server) {
        return start(server, 0);
    }

    /** Starts {@code server} on {@code port} (0: any free port). */
    public static TestkitHttpServer start(TestServer server, int port) {
        TestkitHttpServer s = new TestkitHttpServer(server, port);
        s.start();
        return s;
    }

    /** Starts again after {@link #stop()}, on the same port. Does nothing while running. */
    public void start() {
        lifecycle.lock();
        try {
            if (running) {
                return;
            }
            HttpServer h = bind();
            executor = Executors.newVirtualThreadPerTaskExecutor();
            h.setExecutor(executor);
            h.createContext("/", this::handle);
            h.start();
            http = h;
            port = h.getAddress().getPort();
            running = true;
        } finally {
            lifecycle.unlock();
        }
    }

    /**
     * Stops listening and closes every connection and session, as a server going down would.
     * Idempotent; {@link #start()} brings it back on the same port.
     */
    public void stop() {
        lifecycle.lock();
        try {
            if (!running) {
                return;
            }
            running = false;
            // end the sessions first: their open streams wake up and finish, so the HTTP server's
            // stop does not have to wait for exchanges that would otherwise never end
            expireAllSessions();
            http.stop(0);
            executor.shutdownNow();
            http = null;
            executor = null;
        } finally {
            lifecycle.unlock();
        }
    }

    @Override
    public void close() {
        stop();
    }

    public boolean isRunning() {
        return running;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "http://127.0.0.1:" + port + PATH;
    }

    public URI uri() {
        return URI.create(url());
    }

    public TestServer server() {
        return server;
    }

    /** Forgets every session: the next request with an old id gets 404 (or 400, see {@link #unknownSessionReply}). */
    public int expireAllSessions() {
        int n = 0;
        for (String id : List.copyOf(sessions.keySet())) {
            HttpSession s = sessions.remove(id);
            if (s != null) {
                s.close();
                n++;
            }
        }
        return n;
    }

    /** Chooses how requests for unknown sessions are answered; {@link UnknownSessionReply#NOT_FOUND} by default. */
    public TestkitHttpServer unknownSessionReply(UnknownSessionReply reply) {
        unknownSessionReply = Objects.requireNonNull(reply, "reply");
        return this;
    }

    /**
     * Answers every POST with HTTP {@code status} instead of handling it, until {@link #clearRespondWith()}: for
     * throttling (429) and overload (503) tests. The body is a JSON-RPC error; {@code retryAfter} (null for
     * none) is sent as {@code Retry-After} in whole seconds, rounded up. GET and DELETE are handled as usual.
     */
    public void respondWith(int status, Duration retryAfter) {
        arm(status, retryAfter, -1, null);
    }

    /** As {@link #respondWith(int, Duration)}, for the next {@code count} POSTs only; then the server answers again. */
    public void respondWith(int status, Duration retryAfter, int count) {
        respondWith(status, retryAfter, count, null);
    }

    /**
     * As {@link #respondWith(int, Duration, int)}, counting only POSTs of the JSON-RPC method {@code method}
     * ({@code "tools/call"}, say; null: any POST); other POSTs are handled as usual. So a test can throttle a
     * tool call without hitting a handshake, a notification or a health check's ping.
     */
    public void respondWith(int status, Duration retryAfter, int count, String method) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, got " + count);
        }
        arm(status, retryAfter, count, method);
    }

    private void arm(int status, Duration retryAfter, int count, String method) {
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("status must be an HTTP status from 200 to 599, got " + status);
        }
        if (retryAfter != null && retryAfter.isNegative()) {
            throw new IllegalArgumentException("retryAfter must not be negative, got " + retryAfter);
        }
        canned.set(new Canned(status, retryAfter, method, new AtomicInteger(count)));
    }

    /** Ends {@link #respondWith}: every POST is handled by the server again. */
    public void clearRespondWith() {
        canned.set(null);
    }

    /** The POSTs {@link #respondWith} answered so far, in arrival order (across {@code stop()}/{@code start()}). */
    public List<CannedReply> cannedReplies() {
        return List.copyOf(cannedReplies);
    }

    /** Sessions currently known. */
    public int sessionCount() {
        return sessions.size();
    }

    /** HTTP requests received since the server was created (all methods, across restarts). */
    public long requestCount() {
        return requests.get();
    }

    /** The headers of the last HTTP request, names in lower case, repeated values joined by ", ". */
    public Map<String, String> lastHeaders() {
        return lastHeaders;
    }

    /**
     * What the {@code crash} tool does. By default it stops this server (sessions gone, port
     * closed) until {@link #start()}; the command-line runner makes it end the process.
     */
    void onCrash(IntConsumer handler) {
        crashHandler = handler;
    }

    private HttpServer bind() {
        // a port just released by stop() can take a moment to become free again
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            try {
                return HttpServer.create(new InetSocketAddress(LOOPBACK, port), 0);
            } catch (BindException e) {
                if (port == 0 || System.nanoTime() > deadline) {
                    throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new UncheckedIOException("interrupted while binding 127.0.0.1:" + port, e);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
            }
        }
    }

    private void crash(int exitCode) {
        IntConsumer handler = crashHandler;
        if (handler != null) {
            handler.accept(exitCode);
        } else {
            // not on the calling handler thread: stop() ends the very exchange that is running it
            Thread.ofVirtual().start(this::stop);
        }
    }

    // ---- request handling ----

    private void handle(HttpExchange ex) {
        try (ex) {
            requests.incrementAndGet();
            Map<String, String> headers = flatten(ex.getRequestHeaders());
            lastHeaders = headers;
            if (!PATH.equals(ex.getRequestURI().getPath())) {
                sendError(ex, 404, JsonRpcError.INVALID_REQUEST, "Not Found: the MCP endpoint is " + PATH, null);
                return;
            }
            if (!originAllowed(headers.get("origin"))) {
                sendError(ex, 403, JsonRpcError.INVALID_REQUEST, "Forbidden: Origin not allowed", null);
                return;
            }
            switch (ex.getRequestMethod()) {
                case "POST" -> post(ex, headers);
                case "GET" -> get(ex, headers);
                case "DELETE" -> delete(ex, headers);
                default -> {
                    ex.getResponseHeaders().set("Allow", "GET, POST, DELETE");
                    sendError(ex, 405, JsonRpcError.INVALID_REQUEST, "Method Not Allowed", null);
                }
            }
        } catch (IOException e) {
            // the client went away mid-exchange: nothing to tell it
        } catch (RuntimeException e) {
            System.err.println("testkit http: " + e);
        }
    }

    private void post(HttpExchange ex, Map<String, String> headers) throws IOException {
        long arrived = System.nanoTime();
        byte[] body = ex.getRequestBody().readAllBytes();
        JsonRpcMessage message = null;
        MalformedMessageException malformed = null;
        try {
            message = JsonRpcCodec.decode(body, 0, body.length);
        } catch (MalformedMessageException e) {
            malformed = e;
        }
        if (answerCanned(ex, message, arrived)) {
            return;
        }
        if (malformed != null) {
            MalformedMessageException e = malformed;
            int code = e.getCause() instanceof JsonProcessingException ? JsonRpcError.PARSE_ERROR : JsonRpcError.INVALID_REQUEST;
            sendError(ex, 400, code, (code == JsonRpcError.PARSE_ERROR ? "Parse error: " : "Invalid Request: ")
                    + e.getMessage(), null);
            return;
        }
        String accept = headers.getOrDefault("accept", "*/*").toLowerCase(Locale.ROOT);
        boolean anything = accept.contains("*/*");
        boolean sse = anything || accept.contains("text/event-stream");
        boolean json = anything || accept.contains("application/json");
        if (message instanceof JsonRpcRequest && !sse && !json) {
            sendError(ex, 406, JsonRpcError.INVALID_REQUEST,
                    "Not Acceptable: Accept must include application/json or text/event-stream", null);
            return;
        }
        if (message instanceof JsonRpcRequest request && McpMethods.INITIALIZE.equals(request.method())) {
            String id = UUID.randomUUID().toString();
            HttpSession session = new HttpSession(id);
            session.core = server.openSessionWithId(id, session);
            sessions.put(id, session);
            answer(ex, session, request, headers, id, sse, json);
            return;
        }
        HttpSession session = sessionOf(ex, headers);
        if (session == null) {
            return;
        }
        if (message instanceof JsonRpcRequest request) {
            answer(ex, session, request, headers, null, sse, json);
        } else {
            session.core.receive(message, headers);
            ex.sendResponseHeaders(202, -1);
        }
    }

    /** Answers with what {@link #respondWith} armed, if it applies to this POST; false to handle it as usual. */
    private boolean answerCanned(HttpExchange ex, JsonRpcMessage message, long arrived) throws IOException {
        Canned c = canned.get();
        if (c == null) {
            return false;
        }
        String method = switch (message) {
            case JsonRpcRequest r -> r.method();
            case JsonRpcNotification n -> n.method();
            case null, default -> null;
        };
        if (!c.take(method)) {
            return false;
        }
        if (c.remaining().get() == 0) {
            canned.compareAndSet(c, null); // used up
        }
        cannedReplies.add(new CannedReply(arrived, c.status(), method));
        if (c.retryAfter() != null) {
            long seconds = c.retryAfter().toSeconds() + (c.retryAfter().toNanosPart() > 0 ? 1 : 0);
            ex.getResponseHeaders().set("Retry-After", Long.toString(seconds));
        }
        if (c.status() == 204 || c.status() == 304) {
            ex.sendResponseHeaders(c.status(), -1); // no body allowed
            return true;
        }
        RequestId id = message instanceof JsonRpcRequest r ? r.id() : null;
        sendError(ex, c.status(), -32000, "HTTP " + c.status() + " from the testkit (respondWith)", id);
        return true;
    }

    /**
     * Runs one request and writes what it produces. The first message decides the response type:
     * the response itself means plain JSON; anything else starts an SSE stream that the response
     * (or the request's abandonment) ends. Only this thread writes to the exchange.
     */
    private void answer(HttpExchange ex, HttpSession session, JsonRpcRequest request, Map<String, String> headers,
                        String newSessionId, boolean sse, boolean json) throws IOException {
        Outbox box = new Outbox();
        if (session.exchanges.putIfAbsent(request.id(), box) != null) {
            sendError(ex, 409, JsonRpcError.INVALID_REQUEST,
                    "Request id " + request.id() + " is already in use in this session", request.id());
            return;
        }
        if (newSessionId != null) {
            ex.getResponseHeaders().set(SESSION_HEADER, newSessionId);
        }
        if (session.core.isClosed()) {
            box.end(); // the session ended while this request came in: nobody else will end the box
        }
        try {
            session.core.receive(request, headers);
            OutputStream stream = null;
            while (true) {
                Object next = box.take();
                if (next == END) {
                    if (stream == null) {
                        // never answered (cancelled, or the session ended): an empty stream says so
                        // without inventing a response the spec says not to send
                        if (sse) {
                            startSse(ex).close();
                        } else {
                            ex.sendResponseHeaders(204, -1);
                        }
                    }
                    return;
                }
                JsonRpcMessage m = (JsonRpcMessage) next;
                if (stream == null && m instanceof JsonRpcResponse && json) {
                    byte[] bytes = JsonRpcCodec.encode(m);
                    ex.getResponseHeaders().set("Content-Type", "application/json");
                    ex.sendResponseHeaders(200, bytes.length);
                    ex.getResponseBody().write(bytes);
                    return;
                }
                if (!sse) {
                    continue; // the client cannot take a stream: only the response can reach it
                }
                if (stream == null) {
                    stream = startSse(ex);
                }
                writeEvent(stream, m);
                if (m instanceof JsonRpcResponse) {
                    return; // the response ends the request's stream
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            // a client that went away does not cancel the call; later messages for it are dropped
            session.exchanges.remove(request.id(), box);
        }
    }

    private void get(HttpExchange ex, Map<String, String> headers) throws IOException {
        HttpSession session = sessionOf(ex, headers);
        if (session == null) {
            return;
        }
        String accept = headers.getOrDefault("accept", "").toLowerCase(Locale.ROOT);
        if (!accept.contains("text/event-stream") && !accept.contains("*/*")) {
            sendError(ex, 406, JsonRpcError.INVALID_REQUEST, "Not Acceptable: Accept must include text/event-stream", null);
            return;
        }
        Outbox box = new Outbox();
        if (!session.openStandalone(box)) {
            sendError(ex, 409, JsonRpcError.INVALID_REQUEST, "Conflict: this session already has a GET stream", null);
            return;
        }
        try (OutputStream stream = startSse(ex)) {
            // the JDK server sends headers with the first body bytes: an SSE comment (ignored by
            // every SSE reader) gets them to the client now rather than with the first event
            stream.write(STREAM_OPEN);
            stream.flush();
            while (true) {
                Object next = box.take();
                if (next == END) {
                    return;
                }
                writeEvent(stream, (JsonRpcMessage) next);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            session.closeStandalone(box);
        }
    }

    private void delete(HttpExchange ex, Map<String, String> headers) throws IOException {
        HttpSession session = sessionOf(ex, headers);
        if (session == null) {
            return;
        }
        sessions.remove(session.id, session);
        session.close();
        ex.sendResponseHeaders(200, -1);
    }

    /** The session the request names, or null after answering 400/404 for a missing, unknown or mismatched one. */
    private HttpSession sessionOf(HttpExchange ex, Map<String, String> headers) throws IOException {
        String version = headers.get(VERSION_HEADER.toLowerCase(Locale.ROOT));
        if (version != null && !ProtocolVersion.isSupported(version) && !version.equals(server.options().protocolVersion())) {
            sendError(ex, 400, JsonRpcError.INVALID_REQUEST, "Bad Request: Unsupported protocol version: " + version, null);
            return null;
        }
        String id = headers.get(SESSION_HEADER.toLowerCase(Locale.ROOT));
        if (id == null) {
            sendError(ex, 400, JsonRpcError.INVALID_REQUEST, "Bad Request: Mcp-Session-Id header is required", null);
            return null;
        }
        HttpSession session = sessions.get(id);
        if (session == null) {
            if (unknownSessionReply == UnknownSessionReply.BAD_REQUEST) {
                sendError(ex, 400, -32000, "Bad Request: No valid session ID provided", null);
            } else {
                sendError(ex, 404, JsonRpcError.SESSION_NOT_FOUND, "Session not found", null);
            }
            return null;
        }
        return session;
    }

    private static OutputStream startSse(HttpExchange ex) throws IOException {
        Headers h = ex.getResponseHeaders();
        h.set("Content-Type", "text/event-stream");
        h.set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0); // 0: chunked, length unknown
        return ex.getResponseBody();
    }

    private static final byte[] STREAM_OPEN = ": stream open\n\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] EVENT_PREFIX = "event: message\ndata: ".getBytes(StandardCharsets.UTF_8);
    private static final byte[] EVENT_SUFFIX = "\n\n".getBytes(StandardCharsets.UTF_8);

    private static void writeEvent(OutputStream stream, JsonRpcMessage message) throws IOException {
        // the codec's output has no newline, so one data line holds the whole message
        stream.write(EVENT_PREFIX);
        JsonRpcCodec.write(message, stream);
        stream.write(EVENT_SUFFIX);
        stream.flush();
    }

    private static void sendError(HttpExchange ex, int status, int code, String message, RequestId id)
            throws IOException {
        byte[] body = JsonRpcCodec.encode(JsonRpcResponse.failure(id, JsonRpcError.of(code, message)));
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    private static boolean originAllowed(String origin) {
        if (origin == null) {
            return true; // not a browser: DNS rebinding needs one
        }
        try {
            String host = URI.create(origin.trim()).getHost();
            return host != null && (host.equals("localhost") || host.equals("127.0.0.1")
                    || host.equals("[::1]") || host.equals("::1"));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static Map<String, String> flatten(Headers headers) {
        Map<String, String> flat = new TreeMap<>();
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            flat.put(e.getKey().toLowerCase(Locale.ROOT), String.join(", ", e.getValue()));
        }
        return Map.copyOf(flat);
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress("127.0.0.1", new byte[]{127, 0, 0, 1});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Messages waiting for the one thread that writes an exchange; {@link #END} closes it. */
    private static final class Outbox {
        private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        private volatile boolean ended;

        boolean offer(JsonRpcMessage message) {
            if (ended) {
                return false;
            }
            queue.add(message);
            return true;
        }

        void end() {
            ended = true;
            queue.add(END);
        }

        Object take() throws InterruptedException {
            return queue.take();
        }
    }

    /** One HTTP session: routes what its {@link ServerSession} sends to the right open exchange. */
    private final class HttpSession implements ServerTransport {
        final String id;
        final Map<RequestId, Outbox> exchanges = new ConcurrentHashMap<>();
        private final ReentrantLock standaloneLock = new ReentrantLock();
        private volatile Outbox standalone;
        ServerSession core;

        HttpSession(String id) {
            this.id = id;
        }

        @Override
        public void send(JsonRpcMessage message, RequestId relatedRequest) {
            Outbox own = relatedRequest == null ? null : exchanges.get(relatedRequest);
            if (own != null && own.offer(message)) {
                return;
            }
            // a response may only travel on its request's stream; anything else may fall back to
            // the GET stream, and is dropped when there is none (the spec allows no other place)
            if (!(message instanceof JsonRpcResponse)) {
                Outbox s = standalone;
                if (s != null) {
                    s.offer(message);
                }
            }
        }

        @Override
        public void abandon(RequestId request) {
            Outbox own = exchanges.get(request);
            if (own != null) {
                own.end();
            }
        }

        @Override
        public void crash(int exitCode) {
            TestkitHttpServer.this.crash(exitCode);
        }

        boolean openStandalone(Outbox box) {
            standaloneLock.lock();
            try {
                if (standalone != null || core.isClosed()) {
                    return false;
                }
                standalone = box;
                return true;
            } finally {
                standaloneLock.unlock();
            }
        }

        void closeStandalone(Outbox box) {
            standaloneLock.lock();
            try {
                if (standalone == box) {
                    standalone = null;
                }
            } finally {
                standaloneLock.unlock();
            }
        }

        void close() {
            core.close();
            for (Outbox box : exchanges.values()) {
                box.end();
            }
            Outbox s = standalone;
            if (s != null) {
                s.end();
            }
        }
    }
}
