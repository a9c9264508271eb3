package io.mcppool.transport;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.config.EndpointConfig;
import io.mcppool.logging.Redaction;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.JsonRpcCodec;
import io.mcppool.protocol.JsonRpcMessage;
import io.mcppool.protocol.JsonRpcRequest;
import io.mcppool.protocol.JsonRpcResponse;
import io.mcppool.protocol.McpMethods;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Streamable HTTP transport (MCP 2025-03-26 and later): every message is a POST; the answer is
 * a JSON body or an SSE stream that carries the response (and any progress or server requests
 * before it); a GET stream carries what the server sends on its own.
 *
 * <p>Each POST runs on a virtual thread of the given executor, so thousands of calls in flight
 * cost no platform threads; the shared {@link HttpClient} reuses connections. When the server no
 * longer knows the session id (404, or the reference server's 400), the id is dropped and the send
 * fails with {@link SessionExpiredException}; the session above re-initializes and sends again.
 */
public final class StreamableHttpTransport implements Transport {
    private static final Logger log = LoggerFactory.getLogger(StreamableHttpTransport.class);
    private static final String ACCEPT_BOTH = "application/json, text/event-stream";
    private static final int MAX_RESUME_ATTEMPTS = 3;
    private static final int MAX_ERROR_BODY = 2048;
    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(5);

    private final String server;
    private final EndpointConfig.Http config;
    private final HttpClient client;
    private final Executor executor;
    private final int maxMessageBytes;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean getStreamStarted = new AtomicBoolean();

    private volatile Listener listener;
    private volatile String sessionId;
    /** Set once a session id was issued: from then on a request without one would be refused by the server. */
    private volatile boolean hadSession;
    private volatile String protocolVersion;
    private volatile InputStream getStream;

    public StreamableHttpTransport(String server, EndpointConfig.Http config, HttpClient client, Executor executor,
                                   int maxMessageBytes) {
        this.server = server;
        this.config = config;
        this.client = client;
        this.executor = executor;
        this.maxMessageBytes = maxMessageBytes;
    }

    @Override
    public void start(Listener listener) {
        this.listener = listener;
    }

    @Override
    public CompletableFuture<Void> send(JsonRpcMessage message) {
        if (closed.get()) {
            return CompletableFuture.failedFuture(new TransportException("transport to " + describe() + " is closed"));
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        executor.execute(() -> {
            try {
                post(message);
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        return done;
    }

    @Override
    public void protocolVersionNegotiated(String version) {
        protocolVersion = version;
        if (sessionId != null && getStreamStarted.compareAndSet(false, true)) {
            executor.execute(this::listenForServerMessages);
        }
    }

    private HttpRequest.Builder request() {
        HttpRequest.Builder b = HttpRequest.newBuilder(config.url());
        for (Map.Entry<String, String> h : config.headers().entrySet()) {
            b.header(h.getKey(), h.getValue());
        }
        String sid = sessionId;
        if (sid != null) {
            b.header("Mcp-Session-Id", sid);
        }
        String version = protocolVersion;
        if (version != null) {
            b.header("MCP-Protocol-Version", version);
        }
        return b;
    }

    private void post(JsonRpcMessage message) throws IOException, InterruptedException {
        String sentSession = sessionId;
        boolean initialize = message instanceof JsonRpcRequest r && McpMethods.INITIALIZE.equals(r.method());
        if (sentSession == null && hadSession && !initialize) {
            // The session expired and no new one exists yet: sending without an id would only earn a 400.
            throw new SessionExpiredException("the session expired; not sent until a new one is initialized");
        }
        HttpRequest request = request()
                .header("Content-Type", "application/json")
                .header("Accept", ACCEPT_BOTH)
                .POST(HttpRequest.BodyPublishers.ofByteArray(JsonRpcCodec.encode(message)))
                .build();
        HttpResponse<InputStream> response = exchange(request);
        try (InputStream body = response.body()) {
            int status = response.statusCode();
            if (status == 202 || status == 204) {
                return;
            }
            if (status >= 200 && status < 300) {
                if (initialize) {
                    response.headers().firstValue("Mcp-Session-Id").ifPresent(id -> {
                        sessionId = id;
                        hadSession = true;
                    });
                }
                String type = response.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
                RequestIdTracker tracker = new RequestIdTracker(message);
                if (type.startsWith("text/event-stream")) {
                    String lastEventId = readEventStream(body, tracker);
                    resumeIfCut(tracker, lastEventId);
                    drainAfterAnswer(body);
                } else if (type.startsWith("application/json")) {
                    byte[] bytes = readBounded(body);
                    if (bytes.length > 0) {
                        deliver(JsonRpcCodec.decode(bytes, 0, bytes.length), tracker);
                    }
                    if (!tracker.answered()) {
                        throw new TransportException("server answered the POST without a response to request "
                                + tracker.id());
                    }
                } else if (tracker.expectsAnswer()) {
                    throw new TransportException("server answered with unsupported Content-Type '" + type + "'");
                }
                return;
            }
            String text = new String(readErrorBody(body), StandardCharsets.UTF_8);
            if (sentSession != null && isUnknownSession(status, text)) {
                // Only forget the id if no one replaced it meanwhile (a concurrent re-initialize).
                if (sentSession.equals(sessionId)) {
                    sessionId = null;
                    getStreamStarted.set(false);
                }
                throw new SessionExpiredException("server no longer knows the session (HTTP " + status + ")");
            }
            throw new HttpStatusException(status, "HTTP " + status + " from " + describe() + errorDetail(text),
                    retryAfter(response));
        }
    }

    private HttpResponse<InputStream> exchange(HttpRequest request) throws InterruptedException {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new TransportException("cannot connect to " + describe() + ": " + describeIo(e), e, true);
        } catch (IOException e) {
            throw new TransportException("HTTP exchange with " + describe() + " failed: " + describeIo(e), e);
        }
    }

    private static String describeIo(IOException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return root.getClass().getSimpleName() + (m == null ? "" : " " + m);
    }

    /** The reference server answers an unknown session with 400 "No valid session ID"; the spec says 404. */
    private static boolean isUnknownSession(int status, String body) {
        if (status == 404) {
            return true;
        }
        if (status != 400) {
            return false;
        }
        String lower = body.toLowerCase(Locale.ROOT);
        return lower.contains("session") && (lower.contains("no valid") || lower.contains("not found")
                || lower.contains("unknown") || lower.contains("invalid") || lower.contains("expired"));
    }

    private static String errorDetail(String body) {
        if (body.isBlank()) {
            return "";
        }
        try {
            JsonNode node = Json.mapper().readTree(body);
            JsonNode message = node.path("error").path("message");
            if (message.isTextual()) {
                return ": " + message.asText();
            }
        } catch (IOException e) {
            // not JSON: show the text
        }
        String oneLine = body.strip().replaceAll("\\s+", " ");
        return ": " + (oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine);
    }

    static Duration retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").map(StreamableHttpTransport::parseRetryAfter).orElse(null);
    }

    static Duration parseRetryAfter(String value) {
        String v = value.trim();
        try {
            long seconds = Long.parseLong(v);
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (RuntimeException ignored) {
                return null;
            }
        }
    }

    private byte[] readBounded(InputStream body) throws IOException {
        byte[] bytes = body.readNBytes(maxMessageBytes + 1);
        if (bytes.length > maxMessageBytes) {
            TransportException e = new TransportException("server sent a message larger than maxMessageSize ("
                    + maxMessageBytes + " bytes); closing the session");
            reportClosed(e);
            throw e;
        }
        return bytes;
    }

    /**
     * Reads the rest of an SSE stream after its answer arrived. Closing a chunked body early lets the JDK
     * client hand the half-read connection to the next request (about 1 call in 250 failed with
     * "connection closed locally"). The spec has the server close the stream after the response; a
     * server that does not gets its stream cut after a few seconds. The caller already has its answer.
     */
    private void drainAfterAnswer(InputStream body) {
        CompletableFuture<Void> watchdog = CompletableFuture.runAsync(() -> closeQuietly(body),
                CompletableFuture.delayedExecutor(DRAIN_LIMIT.toMillis(), TimeUnit.MILLISECONDS, executor));
        try {
            body.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            // cut by the watchdog, or the server went away after answering: nothing was lost
        } finally {
            watchdog.cancel(false);
        }
    }

    private static void closeQuietly(InputStream body) {
        try {
            body.close();
        } catch (IOException ignored) {
            // closing only to stop the drain
        }
    }

    private static byte[] readErrorBody(InputStream body) throws IOException {
        byte[] bytes = body.readNBytes(MAX_ERROR_BODY);
        body.transferTo(java.io.OutputStream.nullOutputStream());
        return bytes;
    }

    /** Reads SSE events until the stream ends or the awaited response arrived; returns the last event id. */
    private String readEventStream(InputStream body, RequestIdTracker tracker) throws IOException {
        LineReader lines = new LineReader(body, maxMessageBytes);
        StringBuilder data = new StringBuilder();
        String event = null;
        String lastEventId = null;
        while (true) {
            int length = lines.next();
            if (length == LineReader.TOO_LONG) {
                TransportException e = new TransportException("server sent an event larger than maxMessageSize ("
                        + maxMessageBytes + " bytes); closing the session");
                reportClosed(e);
                throw e;
            }
            if (length < 0) {
                return lastEventId;
            }
            if (length == 0) {
                if (!data.isEmpty() && (event == null || "message".equals(event))) {
                    deliver(JsonRpcCodec.decode(data.toString()), tracker);
                    if (tracker.answered()) {
                        return lastEventId;
                    }
                }
                data.setLength(0);
                event = null;
                continue;
            }
            String line = new String(lines.buffer(), 0, length, StandardCharsets.UTF_8);
            if (line.startsWith(":")) {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "data" -> {
                    if (!data.isEmpty()) {
                        data.append('\n');
                    }
                    data.append(value);
                    if (data.length() > maxMessageBytes) {
                        TransportException e = new TransportException("server sent an event larger than maxMessageSize ("
                                + maxMessageBytes + " bytes); closing the session");
                        reportClosed(e);
                        throw e;
                    }
                }
                case "event" -> event = value;
                case "id" -> lastEventId = value;
                default -> {
                    // "retry" and unknown fields: nothing to do for a stream we read to its end
                }
            }
        }
    }

    /** SSE polling (2025-11-25): a server may end the stream early; resume with GET and Last-Event-ID. */
    private void resumeIfCut(RequestIdTracker tracker, String lastEventId) throws IOException, InterruptedException {
        int attempts = 0;
        while (tracker.expectsAnswer() && !tracker.answered()) {
            if (lastEventId == null || ++attempts > MAX_RESUME_ATTEMPTS || closed.get()) {
                throw new TransportException("the server ended the event stream before answering request " + tracker.id());
            }
            HttpRequest get = request().header("Accept", "text/event-stream").header("Last-Event-ID", lastEventId)
                    .GET().build();
            HttpResponse<InputStream> response = exchange(get);
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw new TransportException("resuming the event stream failed: HTTP " + response.statusCode());
                }
                String next = readEventStream(body, tracker);
                if (next != null) {
                    lastEventId = next;
                }
            }
        }
    }

    private void deliver(JsonRpcMessage message, RequestIdTracker tracker) {
        tracker.observe(message);
        Listener l = listener;
        if (l != null) {
            l.onMessage(message);
        }
    }

    /** The standalone GET stream: what the server sends outside any request (list changes, pings). */
    private void listenForServerMessages() {
        int failures = 0;
        while (!closed.get() && sessionId != null) {
            HttpRequest get = request().header("Accept", "text/event-stream").GET().build();
            try {
                HttpResponse<InputStream> response = client.send(get, HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream body = response.body()) {
                    if (response.statusCode() != 200) {
                        // 405: the server offers no such stream; 404: the session is gone (the next POST re-initializes).
                        log.debug("server '{}': GET stream not available (HTTP {})", server, response.statusCode());
                        getStreamStarted.set(false);
                        return;
                    }
                    getStream = body;
                    failures = 0;
                    readEventStream(body, RequestIdTracker.NONE);
                }
            } catch (IOException | RuntimeException e) {
                if (closed.get()) {
                    return;
                }
                log.debug("server '{}': GET stream ended: {}", server, e.toString());
                failures++;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                getStream = null;
            }
            if (failures > 5) {
                getStreamStarted.set(false);
                return;
            }
            try {
                Thread.sleep(Math.min(5000, 100L << Math.min(failures, 6)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void reportClosed(Throwable cause) {
        if (closed.compareAndSet(false, true)) {
            closeGetStream();
            Listener l = listener;
            if (l != null) {
                l.onClosed(cause);
            }
        }
    }

    private void closeGetStream() {
        InputStream s = getStream;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing only to wake the reader
            }
        }
    }

    @Override
    public String describe() {
        return Redaction.endpoint(config.url().toString()); // a URL may carry a key in its query or user info
    }

    @Override
    public boolean isOpen() {
        return !closed.get();
    }

    /** The current {@code Mcp-Session-Id}, or null before the handshake or after expiry. */
    public String sessionId() {
        return sessionId;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeGetStream();
        String sid = sessionId;
        if (sid != null) {
            try {
                HttpRequest delete = request().timeout(Duration.ofSeconds(2)).DELETE().build();
                HttpResponse<Void> r = client.send(delete, HttpResponse.BodyHandlers.discarding());
                log.debug("server '{}': DELETE session -> HTTP {}", server, r.statusCode());
            } catch (IOException e) {
                log.debug("server '{}': DELETE session failed: {}", server, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Listener l = listener;
        if (l != null) {
            l.onClosed(null);
        }
    }

    /** Whether the stream of one POST carried the response to the request it sent. */
    private static final class RequestIdTracker {
        static final RequestIdTracker NONE = new RequestIdTracker(null);
        private final JsonRpcRequest request;
        private volatile boolean answered;

        RequestIdTracker(JsonRpcMessage sent) {
            this.request = sent instanceof JsonRpcRequest r ? r : null;
        }

        void observe(JsonRpcMessage message) {
            if (request != null && message instanceof JsonRpcResponse r && request.id().equals(r.id())) {
                answered = true;
            }
        }

        boolean expectsAnswer() {
            return request != null;
        }

        boolean answered() {
            return request == null || answered;
        }

        Object id() {
            return request == null ? null : request.id();
        }
    }
}
