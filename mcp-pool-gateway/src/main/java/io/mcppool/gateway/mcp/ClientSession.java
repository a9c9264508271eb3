package io.mcppool.gateway.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.config.ClientLimits;
import io.mcppool.gateway.auth.ClientIdentity;
import io.mcppool.protocol.JsonRpcMessage;
import io.mcppool.protocol.RequestId;
import io.mcppool.protocol.JsonRpcResponse;
import io.mcppool.protocol.RpcErrorException;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One client's MCP session with the gateway: who it is, what it negotiated, its requests in flight (so a
 * cancellation can reach the upstream), the requests the gateway sent it on an upstream's behalf (sampling,
 * elicitation) and the streams messages can reach it on. Its id is a random 128-bit token, but it is not
 * authentication: every request is authenticated, a session answers only to the credential that opened it, and what
 * a request may use is decided by that request's own credentials. {@link #client()} is the identity that opened it.
 */
public final class ClientSession {
    private final String id;
    private final ClientIdentity client;
    private final long createdNanos = System.nanoTime();
    private volatile long lastSeenNanos = createdNanos;
    private volatile String protocolVersion;
    private volatile JsonNode capabilities;
    private volatile boolean initialized;
    private volatile boolean closed;
    /** The client's requests being served, by the client's id: cancel reaches the upstream call. */
    private final ConcurrentHashMap<RequestId, CompletableFuture<?>> inFlight = new ConcurrentHashMap<>();
    /** The client's requests it cancelled itself: they end without a response. */
    private final Set<RequestId> cancelledByClient = ConcurrentHashMap.newKeySet();
    /** Requests the gateway sent the client (for an upstream), by the gateway's id. */
    private final ConcurrentHashMap<RequestId, CompletableFuture<JsonNode>> outgoing = new ConcurrentHashMap<>();
    /** The entries of {@link #outgoing} and those about to be added: what {@code maxClientRequests} bounds. */
    private final AtomicInteger outgoingCount = new AtomicInteger();
    private final AtomicLong outgoingIds = new AtomicLong();
    /** Sticky servers whose upstream session for this client has a server-request handler bound. */
    private final Set<String> boundServers = ConcurrentHashMap.newKeySet();
    /**
     * Sticky servers on which this session holds one of its client's {@code maxStickySessionsPerClient} places, from
     * its first call there until it ends (a map, so that taking the place is one atomic step per server).
     */
    private final ConcurrentHashMap<String, Boolean> stickyPlaces = new ConcurrentHashMap<>();
    /** Streams of POSTs in progress, newest last: where an upstream's request to the client goes first. */
    private final Deque<MessageSink> requestStreams = new ConcurrentLinkedDeque<>();
    private volatile MessageSink standaloneStream;
    private final UnreadResponses unreadResponses;

    public ClientSession(String id, ClientIdentity client) {
        this(id, client, ClientLimits.DEFAULTS, GatewayEvents.NONE);
    }

    /** @param limits what its responses waiting for the client may add up to; {@code events} hears of drops */
    public ClientSession(String id, ClientIdentity client, ClientLimits limits, GatewayEvents events) {
        this.id = id;
        this.client = client;
        this.unreadResponses = new UnreadResponses(limits.maxUnreadResponseBytes(), events,
                "client '" + client.name() + "' (session " + id + ")");
    }

    public String id() {
        return id;
    }

    public ClientIdentity client() {
        return client;
    }

    public String protocolVersion() {
        return protocolVersion;
    }

    void initialized(String version, JsonNode clientCapabilities) {
        this.protocolVersion = version;
        this.capabilities = clientCapabilities;
    }

    /** The capabilities the client declared in {@code initialize} (an empty object if none). */
    public JsonNode capabilities() {
        return capabilities;
    }

    public boolean initializedNotified() {
        return initialized;
    }

    void markInitialized() {
        initialized = true;
    }

    public void touch() {
        lastSeenNanos = System.nanoTime();
    }

    public long idleNanos(long now) {
        return now - lastSeenNanos;
    }

    public boolean hasInFlight() {
        return !inFlight.isEmpty();
    }

    /** Its responses written and not yet read by the client, which the transport bounds. */
    public UnreadResponses unreadResponses() {
        return unreadResponses;
    }

    /** An upstream's requests sent to this client (sampling, elicitation) that it has not answered yet. */
    public int pendingClientRequests() {
        return outgoing.size();
    }

    /**
     * Takes an upstream's request to this client, to be answered through {@code answer}: its id, or null when
     * {@code max} are waiting already. The entry leaves when {@code answer} completes, however it does.
     */
    RequestId addOutgoing(CompletableFuture<JsonNode> answer, int max) {
        if (outgoingCount.incrementAndGet() > max) {
            outgoingCount.decrementAndGet();
            return null;
        }
        RequestId id = RequestId.of("gw-" + outgoingIds.incrementAndGet());
        outgoing.put(id, answer);
        answer.whenComplete((v, e) -> {
            if (outgoing.remove(id, answer)) {
                outgoingCount.decrementAndGet();
            }
        });
        return id;
    }

    public boolean isClosed() {
        return closed;
    }

    /** The client's GET stream, for notifications that relate to no request. */
    public MessageSink standaloneStream() {
        return standaloneStream;
    }

    /** Sets the GET stream; false if one is open already (a client has one at a time). */
    public boolean openStandaloneStream(MessageSink sink) {
        MessageSink current = standaloneStream;
        if (current != null && current.isOpen()) {
            return false;
        }
        standaloneStream = sink;
        return true;
    }

    public boolean hasOpenStream() {
        MessageSink s = standaloneStream;
        return s != null && s.isOpen();
    }

    void pushRequestStream(MessageSink sink) {
        requestStreams.addLast(sink);
    }

    void popRequestStream(MessageSink sink) {
        requestStreams.remove(sink);
    }

    /** Sends a message unrelated to a request: on the GET stream if open, else it is lost (as the spec allows). */
    public boolean notify(JsonRpcMessage message) {
        MessageSink s = standaloneStream;
        return s != null && s.send(message);
    }

    /**
     * Sends a request an upstream made: on the stream of a POST in progress (the call that led to it, most
     * likely), else on the GET stream. The stream it went on, or null when none took it.
     */
    MessageSink sendRequest(JsonRpcMessage message) {
        var it = requestStreams.descendingIterator();
        while (it.hasNext()) {
            MessageSink s = it.next();
            if (s.isOpen() && s.send(message)) {
                return s;
            }
        }
        MessageSink s = standaloneStream;
        return s != null && s.send(message) ? s : null;
    }

    // ------------------------------------------------------------------ the client's requests

    /** A request of the client's is being served: until {@link #callEnded}, the client can cancel it by its id. */
    void callStarted(RequestId id, CompletableFuture<?> call) {
        inFlight.put(id, call);
    }

    /**
     * The request's answer is ready. True when the client had cancelled it and it failed for that: then no response
     * follows, as the spec says.
     */
    boolean callEnded(RequestId id, CompletableFuture<?> call, boolean failed) {
        inFlight.remove(id, call);
        return cancelledByClient.remove(id) && failed;
    }

    /** The client cancelled its request {@code id}: the call, if still in flight, is cancelled upstream. */
    void cancelledByClient(RequestId id) {
        CompletableFuture<?> call = inFlight.get(id);
        if (call != null) {
            cancelledByClient.add(id);
            call.cancel(true);
        }
    }

    // ------------------------------------------------------------------ requests to the client

    /**
     * The client's answer to a request the gateway sent it for an upstream; false when no such request waits (it was
     * answered, timed out, or never sent).
     */
    boolean answered(JsonRpcResponse response) {
        CompletableFuture<JsonNode> waiting = response.id() == null ? null : outgoing.get(response.id());
        if (waiting == null) {
            return false;
        }
        if (response.isError()) {
            waiting.completeExceptionally(new RpcErrorException("client", response.error()));
        } else {
            waiting.complete(response.result());
        }
        return true;
    }

    // ------------------------------------------------------------------ sticky servers

    /**
     * Holds one of the client's places on a sticky server for this session, taking it with {@code take} unless the
     * session holds one there already; false when {@code take} refuses (or the session is closed). A place taken by a
     * session that closed meanwhile is given back at once through {@code giveBack}. Atomic per session and server.
     */
    boolean holdStickyPlace(String server, BooleanSupplier take, Runnable giveBack) {
        boolean held = stickyPlaces.computeIfAbsent(server, s -> !closed && take.getAsBoolean() ? Boolean.TRUE : null)
                != null;
        if (held && closed && stickyPlaces.remove(server) != null) {
            giveBack.run(); // whoever removes the entry gives the place back
        }
        return held;
    }

    /** Whether a server-request handler for this session is bound on the sticky server. */
    boolean isBound(String server) {
        return boundServers.contains(server);
    }

    /** Records the handler bound on the sticky server; false if one was already (by a concurrent request). */
    boolean bound(String server) {
        return boundServers.add(server);
    }

    /**
     * Marks the session ended, once: its calls in flight are cancelled, its requests to the client fail, and each
     * sticky place it held is given back through {@code giveBack}. False if it had ended already.
     */
    boolean end(Consumer<String> giveBack) {
        if (closed) {
            return false;
        }
        closed = true;
        inFlight.values().forEach(f -> f.cancel(true));
        outgoing.values().forEach(f -> f.completeExceptionally(new CancellationException("the client session ended")));
        // this runs once, and holdStickyPlace takes no place for a closed session: each goes back once
        for (String server : stickyPlaces.keySet()) {
            if (stickyPlaces.remove(server) != null) {
                giveBack.accept(server);
            }
        }
        return true;
    }
}
