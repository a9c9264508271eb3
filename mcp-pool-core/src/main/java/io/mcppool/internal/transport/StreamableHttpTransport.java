package io.mcppool.internal.transport;

import io.mcppool.transport.Transport;
import io.mcppool.transport.TransportException;
import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.Redaction;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.JsonRpcCodec;
import io.mcppool.protocol.JsonRpcMessage;
import io.mcppool.protocol.JsonRpcNotification;
import io.mcppool.protocol.JsonRpcRequest;
import io.mcppool.protocol.JsonRpcResponse;
import io.mcppool.protocol.MalformedMessageException;
import io.mcppool.protocol.McpMethods;
import io.mcppool.protocol.RequestId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mcppool.transport.SessionExpiredException;
/**
 * The Streamable HTTP transport (MCP 2025-03-26 and later): every message is a POST; the answer is
 * a JSON body or an SSE stream that carries the response (and any progress or server requests
 * before it); a GET stream carries what the server sends on its own.
 *
 * <p>Each message's exchange runs on a thread of the given executor (a virtual thread in the pool), so
 * thousands of calls in flight cost no platform threads; the shared {@link HttpClient} reuses connections.
 * The future {@link #send} returns is that exchange ({@link HttpExchange}): it completes when the server
 * accepted a notification or delivered the response, and cancelling it withdraws a message not yet sent or
 * aborts the exchange (the response stream is closed, its connection and thread released). A
 * {@code notifications/cancelled} for a request aborts that request's exchange as well, since whatever the
 * server still sends for it would be ignored; {@link #close} aborts every exchange.
 *
 * <p>Messages nobody waits for ({@link #trySend}) are bounded: at most {@code maxOneWayInFlight} such POSTs at
 * once (more are dropped) and each aborted after {@code oneWayTimeout} without an answer, so a server that
 * never answers them cannot pin threads and connections.
 *
 * <p>When the server ends a request's event stream before the response (SSE polling, 2025-11-25), the stream is
 * resumed with GET and {@code Last-Event-ID} after the {@code retry} the server set; the GET stream reconnects
 * the same way. When the server no longer knows the session id (404, or the reference server's 400), the id is
 * dropped and the send fails with {@link SessionExpiredException}; the session above re-initializes and sends again.
 */
public final class StreamableHttpTransport implements Transport {
    /** Default of {@code maxOneWayInFlight}: one-way POSTs (cancel notices, answers to the server) at once. */
    public static final int DEFAULT_MAX_ONE_WAY_IN_FLIGHT = 64;
    /** Default of {@code oneWayTimeout}: how long a one-way POST may wait for the server's 202. */
    public static final Duration DEFAULT_ONE_WAY_TIMEOUT = Duration.ofSeconds(10);
    /** The wait before a reconnect when the server set no {@code retry}; doubled per failure in a row. */
    static final long DEFAULT_RECONNECT_MILLIS = 1000;
    private static final long MAX_RECONNECT_BACKOFF_MILLIS = 30_000;
    private static final Logger log = LoggerFactory.getLogger(StreamableHttpTransport.class);
    private static final String ACCEPT_BOTH = "application/json, text/event-stream";
    /** Resumes of a request's stream in a row that bring no new event before the request fails. */
    private static final int MAX_RESUMES_WITHOUT_PROGRESS = 3;
    /** GET stream connections in a row that fail before it is given up (the next handshake starts it again). */
    private static final int MAX_GET_FAILURES = 5;
    private static final int MAX_ERROR_BODY = 2048;
    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(5);

    private final String server;
    private final EndpointConfig.Http config;
    private final HttpClient client;
    private final Executor executor;
    private final int maxMessageBytes;
    private final Semaphore oneWaySlots;
    private final int maxOneWayInFlight;
    private final Duration oneWayTimeout;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean getStreamStarted = new AtomicBoolean();
    /** Every exchange not yet ended, the GET stream's included: close aborts them. */
    private final Set<HttpExchange> inFlight = ConcurrentHashMap.newKeySet();
    /** The exchanges of requests by id, for a cancel notice to abort. */
    private final Map<RequestId, HttpExchange> requests = new ConcurrentHashMap<>();

    private volatile Listener listener;
    private volatile String sessionId;
    /** Set once a session id was issued: from then on a request without one would be refused by the server. */
    private volatile boolean hadSession;
    private volatile String protocolVersion;
    /** The standalone GET stream's exchange, while there is one. */
    private volatile HttpExchange getStream;
    /** The reconnection time the server set last, on any stream (milliseconds), or -1 while it set none. */
    private volatile long serverRetryMillis = -1;

    public StreamableHttpTransport(String server, EndpointConfig.Http config, HttpClient client, Executor executor,
                                   int maxMessageBytes) {
        this(server, config, client, executor, maxMessageBytes, DEFAULT_MAX_ONE_WAY_IN_FLIGHT, DEFAULT_ONE_WAY_TIMEOUT);
    }

    /**
     * @param maxOneWayInFlight one-way POSTs ({@link #trySend}) in flight at once; more are dropped
     * @param oneWayTimeout     how long a one-way POST may take before it is aborted
     */
    public StreamableHttpTransport(String server, EndpointConfig.Http config, HttpClient client, Executor executor,
                                   int maxMessageBytes, int maxOneWayInFlight, Duration oneWayTimeout) {
        if (maxOneWayInFlight < 1) {
            throw new IllegalArgumentException("maxOneWayInFlight must be at least 1, got " + maxOneWayInFlight);
        }
        if (oneWayTimeout.isNegative() || oneWayTimeout.isZero()) {
            throw new IllegalArgumentException("oneWayTimeout must be > 0, got " + oneWayTimeout);
        }
        this.server = server;
        this.config = config;
        this.client = client;
        this.executor = executor;
        this.maxMessageBytes = maxMessageBytes;
        this.maxOneWayInFlight = maxOneWayInFlight;
        this.oneWaySlots = new Semaphore(maxOneWayInFlight);
        this.oneWayTimeout = oneWayTimeout;
    }

    @Override
    public void start(Listener listener) {
        this.listener = listener;
    }

    @Override
    public CompletableFuture<Void> send(JsonRpcMessage message) {
        return dispatch(message);
    }

    /**
     * Sends without anyone waiting: dropped (false) when the transport is closed or {@code maxOneWayInFlight}
     * one-way POSTs are in flight already; aborted when the server has not answered it within
     * {@code oneWayTimeout}. A failure is only logged (at DEBUG): nobody waits for it.
     */
    @Override
    public boolean trySend(JsonRpcMessage message) {
        if (closed.get()) {
            return false;
        }
        if (!oneWaySlots.tryAcquire()) {
            log.debug("server '{}': {} one-way messages in flight, the limit; dropping {}", server, maxOneWayInFlight,
                    describeMessage(message));
            return false;
        }
        HttpExchange x = dispatch(message);
        CompletableFuture<Void> deadline = after(oneWayTimeout, () -> x.abort("no answer within "
                + oneWayTimeout.toMillis() + " ms"));
        x.whenComplete((v, e) -> {
            deadline.cancel(false);
            oneWaySlots.release();
            if (e != null) {
                log.debug("server '{}': {} was not delivered: {}", server, describeMessage(message), e.getMessage());
            }
        });
        return true;
    }

    private HttpExchange dispatch(JsonRpcMessage message) {
        HttpExchange x = new HttpExchange(executor);
        inFlight.add(x); // before the closed check: close() either sees it here or it sees close()
        if (closed.get()) {
            x.end(new TransportException("transport to " + describe() + " is closed"));
            inFlight.remove(x);
            return x;
        }
        RequestId id = message instanceof JsonRpcRequest r ? r.id() : null;
        if (id != null) {
            requests.put(id, x);
        }
        x.whenComplete((v, e) -> {
            inFlight.remove(x);
            if (id != null) {
                requests.remove(id, x);
            }
        });
        abortIfCancelNotice(message);
        try {
            executor.execute(() -> run(x, message));
        } catch (RejectedExecutionException e) {
            x.end(new TransportException("transport to " + describe() + " is shutting down", e));
        }
        return x;
    }

    /**
     * After {@code notifications/cancelled} the session ignores whatever the server still sends for that request,
     * so its stream is closed rather than kept open (a server that never answers would pin it for good).
     */
    private void abortIfCancelNotice(JsonRpcMessage message) {
        if (message instanceof JsonRpcNotification n && McpMethods.CANCELLED.equals(n.method()) && n.params() != null
                && n.params().hasNonNull("requestId")) {
            try {
                HttpExchange target = requests.get(JsonRpcCodec.requestId(n.params().get("requestId")));
                if (target != null) {
                    target.abandon("the request was cancelled");
                }
            } catch (MalformedMessageException e) {
                // not one of our ids: nothing to abort
            }
        }
    }

    private void run(HttpExchange x, JsonRpcMessage message) {
        if (!x.begin()) {
            return; // withdrawn before it started
        }
        Throwable error = null;
        try {
            post(x, message);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = new TransportException("interrupted while sending to " + describe(), e);
        } catch (Throwable t) {
            error = t;
        } finally {
            x.end(error);
        }
    }

    /** Runs {@code task} on the executor after {@code delay}; cancelling the returned future unschedules it. */
    private CompletableFuture<Void> after(Duration delay, Runnable task) {
        CompletableFuture<Void> timer = new CompletableFuture<Void>().completeOnTimeout(null, delay.toMillis(),
                TimeUnit.MILLISECONDS);
        timer.thenRunAsync(task, executor);
        return timer;
    }

    private static String describeMessage(JsonRpcMessage message) {
        return switch (message) {
            case JsonRpcRequest r -> "request " + r.method();
            case JsonRpcNotification n -> n.method();
            case JsonRpcResponse r -> "the answer to request " + r.id();
        };
    }

    @Override
    public void protocolVersionNegotiated(String version) {
        protocolVersion = version;
        if (sessionId != null && !closed.get() && getStreamStarted.compareAndSet(false, true)) {
            HttpExchange x = new HttpExchange(executor);
            inFlight.add(x);
            x.whenComplete((v, e) -> inFlight.remove(x));
            HttpExchange previous = getStream;
            getStream = x;
            if (previous != null) {
                previous.abort("a new session has its own GET stream"); // one that may still wait to reconnect
            }
            if (closed.get()) {
                x.abort("the transport is closed");
                return;
            }
            try {
                executor.execute(() -> listenForServerMessages(x));
            } catch (RejectedExecutionException e) {
                x.abort("the executor is shutting down");
            }
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

    private void post(HttpExchange x, JsonRpcMessage message) throws IOException, InterruptedException {
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
        HttpResponse<InputStream> response = exchange(x, request);
        try (InputStream body = x.read(response.body())) {
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
                if (!(message instanceof JsonRpcRequest sent)) {
                    // A notification or a response gets 202 without a body by the spec. A server that answers 200
                    // with a body anyway (the conformance suite 0.1.16 sends {"jsonrpc":"2.0","result":{}}) has
                    // said nothing to this client: the SDK clients ignore such a body, and so does this one.
                    log.debug("server '{}': HTTP {} with a body for {}; ignored", server, status, describeMessage(message));
                    drainAfterAnswer(body);
                    return;
                }
                String type = response.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
                RequestIdTracker tracker = new RequestIdTracker(sent);
                if (type.startsWith("text/event-stream")) {
                    SseReader events = new SseReader(body, maxMessageBytes);
                    readEvents(events, tracker);
                    if (tracker.answered()) {
                        drainAfterAnswer(body);
                    } else {
                        resume(x, tracker, events.lastEventId());
                    }
                } else if (type.startsWith("application/json")) {
                    byte[] bytes = readBounded(body);
                    if (bytes.length > 0) {
                        deliver(JsonRpcCodec.decode(bytes, 0, bytes.length), tracker);
                    }
                    if (!tracker.answered()) {
                        throw new TransportException("server answered the POST without a response to request "
                                + tracker.id());
                    }
                } else {
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

    /**
     * One HTTP request of exchange {@code x}. Only a connection that could not be made is a connect failure (the
     * message never left). Any other failure before the answer, including a reused kept-alive connection that
     * the server had closed, is a transport failure: the request bytes may have reached the server, and the
     * JDK client cannot tell whether they did, so the call may have run (docs/resilience.md, "Errors").
     */
    private HttpResponse<InputStream> exchange(HttpExchange x, HttpRequest request) throws InterruptedException {
        try {
            return x.send(client, request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new TransportException("cannot connect to " + describe() + ": " + describeIo(e), e, true);
        } catch (IOException e) {
            throw new TransportException("HTTP exchange with " + describe() + " failed before an answer (the server"
                    + " may have received the request): " + describeIo(e), e);
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
            throw tooLarge("a message");
        }
        return bytes;
    }

    /** A message over the limit breaks the session: it is closed, and the caller gets this. */
    private TransportException tooLarge(String what) {
        TransportException e = new TransportException("server sent " + what + " larger than maxMessageSize ("
                + maxMessageBytes + " bytes); closing the session");
        reportClosed(e);
        return e;
    }

    /**
     * Reads the rest of a body nobody needs any more (a stream after its answer, a body to a notification).
     * Closing a chunked body early lets the JDK client hand the half-read connection to the next request (about
     * 1 call in 250 failed with "connection closed locally"). The spec has the server close the stream after the
     * response; a server that does not gets its stream cut after a few seconds. The caller already has its answer.
     */
    private void drainAfterAnswer(InputStream body) {
        CompletableFuture<Void> watchdog = after(DRAIN_LIMIT, () -> HttpExchange.closeQuietly(body));
        try {
            body.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            // cut by the watchdog or an abort, or the server went away after answering: nothing was lost
        } finally {
            watchdog.cancel(false);
        }
    }

    private static byte[] readErrorBody(InputStream body) throws IOException {
        byte[] bytes = body.readNBytes(MAX_ERROR_BODY);
        body.transferTo(OutputStream.nullOutputStream());
        return bytes;
    }

    /**
     * Delivers the stream's messages until it ends or carries the response the tracker waits for; remembers the
     * reconnection time the server set on it.
     */
    private void readEvents(SseReader events, RequestIdTracker tracker) throws IOException {
        try {
            String data;
            while ((data = events.next()) != null) {
                deliver(JsonRpcCodec.decode(data), tracker);
                if (tracker.expectsAnswer() && tracker.answered()) {
                    return;
                }
            }
        } catch (SseReader.TooLarge e) {
            throw tooLarge("an event");
        } finally {
            if (events.retryMillis() >= 0) {
                serverRetryMillis = events.retryMillis();
            }
        }
    }

    /**
     * SSE polling (2025-11-25, SEP-1699): the server ended the request's stream before the response. Resume it
     * with GET and {@code Last-Event-ID}, each time after the {@code retry} the server set (a MUST), until the
     * response arrives; a few resumes in a row that bring no new event end the request.
     */
    private void resume(HttpExchange x, RequestIdTracker tracker, String lastEventId)
            throws IOException, InterruptedException {
        String from = lastEventId;
        int fruitless = 0;
        while (!tracker.answered()) {
            if (from == null) {
                throw new TransportException("the server ended the event stream before answering request "
                        + tracker.id() + " and gave no event id to resume it from");
            }
            if (++fruitless > MAX_RESUMES_WITHOUT_PROGRESS || closed.get()) {
                throw new TransportException("the server ended the event stream before answering request "
                        + tracker.id() + "; " + MAX_RESUMES_WITHOUT_PROGRESS + " resumes brought nothing new");
            }
            if (!x.pause(reconnectDelayMillis(fruitless - 1))) {
                throw new TransportException("aborted while waiting to resume the stream of request " + tracker.id());
            }
            HttpRequest get = request().header("Accept", "text/event-stream").header("Last-Event-ID", from)
                    .GET().build();
            HttpResponse<InputStream> response = exchange(x, get);
            // The resumed stream is the server's GET stream: it may go on after the answer, so it is closed then.
            try (InputStream body = x.read(response.body())) {
                if (response.statusCode() != 200) {
                    throw new TransportException("resuming the event stream failed: HTTP " + response.statusCode());
                }
                SseReader events = new SseReader(body, maxMessageBytes);
                readEvents(events, tracker);
                String next = events.lastEventId();
                if (next != null && !next.equals(from)) {
                    from = next;
                    fruitless = 0;
                }
            }
        }
    }

    /** The wait before reconnect attempt {@code failures} (0 for the first): the server's retry, else a backoff. */
    private long reconnectDelayMillis(int failures) {
        long retry = serverRetryMillis;
        if (retry >= 0) {
            return retry;
        }
        return Math.min(MAX_RECONNECT_BACKOFF_MILLIS, DEFAULT_RECONNECT_MILLIS << Math.min(failures, 5));
    }

    private void deliver(JsonRpcMessage message, RequestIdTracker tracker) {
        tracker.observe(message);
        Listener l = listener;
        if (l != null) {
            l.onMessage(message);
        }
    }

    /**
     * The standalone GET stream: what the server sends outside any request (list changes, pings). When it ends
     * or breaks it is opened again after the server's {@code retry}, with {@code Last-Event-ID} so the server can
     * replay what this client missed.
     */
    private void listenForServerMessages(HttpExchange x) {
        if (!x.begin()) {
            return;
        }
        String lastEventId = null;
        int failures = 0;
        try {
            while (!closed.get() && sessionId != null) {
                HttpRequest.Builder get = request().header("Accept", "text/event-stream");
                if (lastEventId != null) {
                    get.header("Last-Event-ID", lastEventId);
                }
                try {
                    HttpResponse<InputStream> response = x.send(client, get.GET().build(),
                            HttpResponse.BodyHandlers.ofInputStream());
                    try (InputStream body = x.read(response.body())) {
                        if (response.statusCode() != 200) {
                            // 405: the server offers no such stream; 404: the session is gone (the next POST re-initializes).
                            log.debug("server '{}': GET stream not available (HTTP {})", server, response.statusCode());
                            getStreamStarted.set(false);
                            return;
                        }
                        failures = 0;
                        SseReader events = new SseReader(body, maxMessageBytes);
                        try {
                            readEvents(events, RequestIdTracker.NONE);
                        } finally {
                            if (events.lastEventId() != null) {
                                lastEventId = events.lastEventId();
                            }
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    if (closed.get() || x.stopped()) {
                        return;
                    }
                    log.debug("server '{}': GET stream ended: {}", server, e.toString());
                    if (++failures > MAX_GET_FAILURES) {
                        getStreamStarted.set(false);
                        return;
                    }
                }
                if (!x.pause(reconnectDelayMillis(failures))) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            x.end(null);
        }
    }

    private void reportClosed(Throwable cause) {
        if (closed.compareAndSet(false, true)) {
            abortAll("the transport closed: " + cause.getMessage());
            Listener l = listener;
            if (l != null) {
                l.onClosed(cause);
            }
        }
    }

    private void abortAll(String reason) {
        for (HttpExchange x : inFlight) {
            x.abort(reason);
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

    /** Aborts every exchange in flight (their futures fail), then ends the session with DELETE (at most 2 s). */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        abortAll("the transport was closed");
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

        RequestIdTracker(JsonRpcRequest sent) {
            this.request = sent;
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
            return answered;
        }

        Object id() {
            return request == null ? null : request.id();
        }
    }
}
