package io.mcppool.it.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.protocol.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A Streamable HTTP client for the gateway tests (public for the saturation suite), just what they need and no more: it keeps the session id and
 * the negotiated version, answers are parsed whether they come as JSON or as an SSE stream, and a GET stream
 * collects its events. Every HTTP exchange is bounded by {@link #TIMEOUT}.
 */
public final class GatewayClient {
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** One client for every test: connections are pooled, and nothing here needs more than HTTP/1.1. */
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** An HTTP answer; {@code messages} are the JSON-RPC messages of its body (JSON or SSE). */
    public record Answer(int status, HttpHeaders headers, String body, List<JsonNode> messages) {
        /** The JSON-RPC response among the messages (the last one that has an id and no method). */
        public JsonNode response() {
            for (int i = messages.size() - 1; i >= 0; i--) {
                JsonNode m = messages.get(i);
                if (!m.has("method") && (m.has("result") || m.has("error"))) {
                    return m;
                }
            }
            throw new AssertionError("no JSON-RPC response in the answer (HTTP " + status + "): " + body);
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    private final URI uri;
    private final String token;
    private final AtomicLong ids = new AtomicLong();
    private volatile String sessionId;
    private volatile String protocolVersion;

    /** @param token the bearer token, or null for none */
    public GatewayClient(URI mcpUri, String token) {
        this.uri = mcpUri;
        this.token = token;
    }

    public String sessionId() {
        return sessionId;
    }

    /** Pretends to hold another session id (unknown, ended, or someone else's). */
    public void useSession(String id) {
        this.sessionId = id;
    }

    /** {@code initialize} with {@code version}, then {@code notifications/initialized}; the result. */
    public JsonNode initialize(String version) {
        return initialize(version, Json.object());
    }

    /** {@link #initialize(String)}, declaring the client {@code capabilities} ({@code {"elicitation": {}}}). */
    JsonNode initialize(String version, JsonNode capabilities) {
        Answer a = initializeRaw(version, capabilities);
        if (a.status() != 200) {
            throw new AssertionError("initialize: HTTP " + a.status() + " " + a.body());
        }
        JsonNode response = a.response();
        if (response.has("error")) {
            throw new AssertionError("initialize: " + response.get("error"));
        }
        sessionId = a.header("Mcp-Session-Id");
        protocolVersion = response.path("result").path("protocolVersion").asText();
        Answer ack = notify("notifications/initialized", null);
        if (ack.status() != 202) {
            throw new AssertionError("notifications/initialized: HTTP " + ack.status() + " " + ack.body());
        }
        return response.get("result");
    }

    public JsonNode initialize() {
        return initialize("2025-11-25");
    }

    /** The {@code initialize} exchange alone, without keeping anything. */
    public Answer initializeRaw(String version) {
        return initializeRaw(version, Json.object());
    }

    private Answer initializeRaw(String version, JsonNode capabilities) {
        ObjectNode params = Json.object().put("protocolVersion", version);
        params.set("capabilities", capabilities);
        params.putObject("clientInfo").put("name", "gateway-it").put("version", "1");
        return post(message("initialize", params));
    }

    /** Sends a request in this session; the JSON-RPC response ({@code result} or {@code error}). */
    public JsonNode request(String method, JsonNode params) {
        Answer a = post(message(method, params));
        if (a.status() != 200) {
            throw new AssertionError(method + ": HTTP " + a.status() + " " + a.body());
        }
        return a.response();
    }

    /** {@code tools/call}; the JSON-RPC response. */
    public JsonNode call(String tool, Map<String, ?> arguments) {
        return request("tools/call", callParams(tool, arguments));
    }

    /** {@code tools/call} without waiting: the HTTP answer. */
    public CompletableFuture<Answer> callAsync(String tool, Map<String, ?> arguments) {
        return postAsync(message("tools/call", callParams(tool, arguments)), Map.of());
    }

    /** The names {@code tools/list} returns. */
    public List<String> toolNames() {
        JsonNode response = request("tools/list", Json.object());
        if (response.has("error")) {
            throw new AssertionError("tools/list: " + response.get("error"));
        }
        List<String> names = new ArrayList<>();
        response.path("result").path("tools").forEach(t -> names.add(t.path("name").asText()));
        return names;
    }

    /** Sends a notification in this session; the HTTP answer (202 when taken). */
    Answer notify(String method, JsonNode params) {
        ObjectNode n = Json.object().put("jsonrpc", "2.0").put("method", method);
        if (params != null) {
            n.set("params", params);
        }
        return post(n);
    }

    /** {@code DELETE}: ends the session; the HTTP status. */
    public int delete() {
        return send(builder().DELETE(), Map.of()).status();
    }

    /** A request message with the next id, not sent. */
    public ObjectNode message(String method, JsonNode params) {
        ObjectNode r = Json.object().put("jsonrpc", "2.0").put("id", ids.incrementAndGet()).put("method", method);
        if (params != null) {
            r.set("params", params);
        }
        return r;
    }

    public Answer post(JsonNode message) {
        return post(message, Map.of());
    }

    /** POSTs one message with this session's headers, plus {@code headers} (which may override them). */
    Answer post(JsonNode message, Map<String, String> headers) {
        return join(postAsync(message, headers));
    }

    CompletableFuture<Answer> postAsync(JsonNode message, Map<String, String> headers) {
        return postBytes(Json.write(message).getBytes(StandardCharsets.UTF_8), headers);
    }

    public CompletableFuture<Answer> postBytes(byte[] body, Map<String, String> headers) {
        HttpRequest.Builder b = builder().POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream");
        return sendAsync(b, headers);
    }

    /**
     * Opens the GET stream. The answer's status is known when this returns: a stream that did not open
     * ({@link Events#status()} not 200) holds the error body as its only "event".
     */
    public Events openStream() {
        HttpRequest.Builder b = builder().GET().header("Accept", "text/event-stream").timeout(Duration.ofDays(1));
        HttpResponse<Stream<String>> r = join(HTTP.sendAsync(withHeaders(b, Map.of()).build(),
                HttpResponse.BodyHandlers.ofLines()));
        return new Events(r);
    }

    /**
     * POSTs one message and hands back its answer as it streams: for a request answered on an SSE stream (one with a
     * progress token), whose events arrive while the call is in flight. A JSON answer is its only "event".
     */
    public Events postStream(JsonNode message) {
        HttpRequest.Builder b = builder().POST(HttpRequest.BodyPublishers.ofString(Json.write(message)))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .timeout(Duration.ofDays(1));
        return new Events(join(HTTP.sendAsync(b.build(), HttpResponse.BodyHandlers.ofLines())));
    }

    private HttpRequest.Builder builder() {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(TIMEOUT);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (sessionId != null) {
            b.header("Mcp-Session-Id", sessionId);
        }
        if (protocolVersion != null) {
            b.header("MCP-Protocol-Version", protocolVersion);
        }
        return b;
    }

    private static HttpRequest.Builder withHeaders(HttpRequest.Builder b, Map<String, String> headers) {
        headers.forEach(b::setHeader);
        return b;
    }

    private Answer send(HttpRequest.Builder b, Map<String, String> headers) {
        return join(sendAsync(b, headers));
    }

    private static CompletableFuture<Answer> sendAsync(HttpRequest.Builder b, Map<String, String> headers) {
        return HTTP.sendAsync(withHeaders(b, headers).build(), HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> new Answer(r.statusCode(), r.headers(), r.body(), messages(r.headers(), r.body())));
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.get(TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("HTTP exchange failed: " + e, e);
        }
    }

    private static List<JsonNode> messages(HttpHeaders headers, String body) {
        String type = headers.firstValue("Content-Type").orElse("");
        List<JsonNode> out = new ArrayList<>();
        if (body == null || body.isBlank()) {
            return out;
        }
        if (type.startsWith("text/event-stream")) {
            StringBuilder data = new StringBuilder();
            for (String line : body.split("\r?\n", -1)) {
                sseLine(line, data, out);
            }
            sseLine("", data, out);
            return out;
        }
        JsonNode tree = parse(body);
        if (tree.isArray()) {
            tree.forEach(out::add);
        } else {
            out.add(tree);
        }
        return out;
    }

    /** Feeds one SSE line; an empty line ends an event, whose data is then parsed into {@code out}. */
    private static boolean sseLine(String line, StringBuilder data, List<JsonNode> out) {
        if (line.isEmpty()) {
            if (!data.isEmpty()) {
                out.add(parse(data.toString()));
                data.setLength(0);
                return true;
            }
            return false;
        }
        if (line.startsWith("data:")) {
            if (!data.isEmpty()) {
                data.append('\n');
            }
            data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
        }
        return false;
    }

    /** A GET stream: its events are collected by a virtual thread until {@link #close()}. */
    public static final class Events implements AutoCloseable {
        private final HttpResponse<Stream<String>> response;
        private final LinkedBlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
        /** Events {@link #await} passed over, kept for failure messages. */
        private final List<JsonNode> skipped = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final Thread reader;

        Events(HttpResponse<Stream<String>> response) {
            this.response = response;
            this.reader = Thread.ofVirtual().name("gateway-it-sse").start(this::read);
        }

        public int status() {
            return response.statusCode();
        }

        private void read() {
            StringBuilder data = new StringBuilder();
            List<JsonNode> parsed = new ArrayList<>(1);
            try (Stream<String> lines = response.body()) {
                lines.forEach(line -> {
                    if (status() != 200) {
                        if (line.startsWith("{")) {
                            events.add(parse(line)); // the error body of a stream that did not open
                        }
                    } else if (sseLine(line, data, parsed)) {
                        events.add(parsed.remove(0));
                    }
                });
            } catch (UncheckedIOException | IllegalStateException e) {
                // closed by the test or by the gateway
            }
        }

        /** The next event whose {@code method} is {@code method}, waiting at most {@code timeout}; null if none came. */
        public JsonNode await(String method, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                long left = deadline - System.nanoTime();
                JsonNode e = left <= 0 ? null : events.poll(left, TimeUnit.NANOSECONDS);
                if (e == null || method.equals(e.path("method").asText())) {
                    return e;
                }
                skipped.add(e);
            }
        }

        /** The answer's headers (a refused stream's {@code Retry-After}, say). */
        public HttpHeaders headers() {
            return response.headers();
        }

        /** Whether the stream has ended (the server closed it, or {@link #close()}). */
        public boolean ended() {
            return !reader.isAlive();
        }

        /** Every event received that {@link #await} has not returned. */
        List<JsonNode> pending() {
            List<JsonNode> all = new ArrayList<>(skipped);
            all.addAll(events);
            return all;
        }

        @Override
        public void close() {
            reader.interrupt();
            try {
                response.body().close();
            } catch (RuntimeException e) {
                // already closed
            }
        }
    }

    // ------------------------------------------------------------------ raw HTTP

    /** A status line and a body, read from a raw exchange. */
    record RawAnswer(int status, Map<String, String> headers, String body) {
    }

    /**
     * One HTTP/1.1 request written by hand, for what {@link HttpClient} refuses to send (a foreign {@code Host}).
     * The connection is closed after the answer.
     */
    static RawAnswer raw(URI uri, String method, Map<String, String> headers, String body) {
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            StringBuilder req = new StringBuilder(method).append(' ').append(uri.getRawPath()).append(" HTTP/1.1\r\n");
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            Map<String, String> all = new LinkedHashMap<>(headers);
            all.putIfAbsent("Host", uri.getHost() + ":" + uri.getPort());
            all.put("Connection", "close");
            if (body != null) {
                all.put("Content-Length", Integer.toString(bytes.length));
            }
            all.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
            req.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(bytes);
            out.flush();
            InputStream in = socket.getInputStream();
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int headEnd = text.indexOf("\r\n\r\n");
            String[] head = text.substring(0, headEnd < 0 ? text.length() : headEnd).split("\r\n");
            Map<String, String> answerHeaders = new LinkedHashMap<>();
            for (int i = 1; i < head.length; i++) {
                int colon = head[i].indexOf(':');
                if (colon > 0) {
                    answerHeaders.put(head[i].substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT),
                            head[i].substring(colon + 1).trim());
                }
            }
            return new RawAnswer(Integer.parseInt(head[0].split(" ")[1]), answerHeaders,
                    headEnd < 0 ? "" : text.substring(headEnd + 4));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode parse(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    static ObjectNode callParams(String tool, Map<String, ?> arguments) {
        ObjectNode params = Json.object().put("name", tool);
        params.set("arguments", Json.toTree(arguments));
        return params;
    }
}
