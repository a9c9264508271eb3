package io.mcppool.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.JsonRpcError;
import io.mcppool.protocol.JsonRpcMessage;
import io.mcppool.protocol.JsonRpcNotification;
import io.mcppool.protocol.JsonRpcRequest;
import io.mcppool.protocol.JsonRpcResponse;
import io.mcppool.protocol.McpMethods;
import io.mcppool.protocol.ProtocolVersion;
import io.mcppool.protocol.RequestId;
import io.mcppool.transport.NotSentException;
import io.mcppool.transport.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A scripted transport for deterministic engine tests: the test plays the server. It sees what the session
 * sent ({@link #received()}), answers requests by id, sends its own notifications and requests, and breaks
 * the connection when it likes; every call reaches the session on the test's thread, before the method returns.
 *
 * <p>Sends follow the {@link Transport} contract. A message the test {@linkplain #hold holds} stays queued:
 * its future is incomplete and cancelling it withdraws it (the server never sees it), until the test
 * {@linkplain Outgoing#take() takes} it (then it is received, and cancelling no longer withdraws it) or
 * {@linkplain Outgoing#fail fails} it. Other messages are taken at once. {@link #trySend} delivers at once,
 * or drops the message while the test {@linkplain #refuseNotices refuses notices} (a server that stopped
 * reading). A request taken is answered at once, on the sender's stack, when the test set an answer for its
 * method: by default {@code initialize}, so a pool can open sessions over it.
 */
public final class FakeTransport implements Transport {
    private static final AtomicInteger NUMBERS = new AtomicInteger();

    private final String name;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<JsonRpcMessage> received = new CopyOnWriteArrayList<>();
    private final List<JsonRpcMessage> dropped = new CopyOnWriteArrayList<>();
    private final List<Outgoing> queue = new ArrayList<>(); // guarded by lock
    private final Map<String, Function<JsonRpcRequest, JsonRpcResponse>> answers = new ConcurrentHashMap<>();

    private volatile Predicate<JsonRpcMessage> holds = m -> false;
    private volatile boolean refuseNotices;
    private volatile Supplier<? extends RuntimeException> refuseStart;
    private volatile Supplier<? extends RuntimeException> refuseSends;
    private volatile Listener listener;
    private volatile boolean closed;
    private boolean reportedClosed; // guarded by lock
    private final AtomicInteger closeCalls = new AtomicInteger();

    public FakeTransport() {
        this("fake #" + NUMBERS.incrementAndGet());
    }

    public FakeTransport(String name) {
        this.name = name;
        answers.put(McpMethods.INITIALIZE, r -> JsonRpcResponse.success(r.id(), initializeResult(Json.object())));
    }

    /** A valid answer to {@code initialize} declaring {@code capabilities}. */
    public static ObjectNode initializeResult(ObjectNode capabilities) {
        ObjectNode result = Json.object();
        result.put("protocolVersion", ProtocolVersion.LATEST);
        result.set("capabilities", capabilities);
        result.putObject("serverInfo").put("name", "fake").put("version", "1");
        return result;
    }

    /** A {@code tools/call} result holding one text item. */
    public static ObjectNode textResult(String text) {
        ObjectNode result = Json.object();
        result.putArray("content").addObject().put("type", "text").put("text", text);
        return result;
    }

    // ------------------------------------------------------------------ how the "server" behaves

    /** Messages matching {@code which} stay queued until the test takes or fails them. */
    public FakeTransport hold(Predicate<JsonRpcMessage> which) {
        holds = which;
        return this;
    }

    /** Requests and notifications of these methods stay queued until the test takes or fails them. */
    public FakeTransport hold(String... methods) {
        Set<String> set = Set.of(methods);
        return hold(m -> set.contains(method(m)));
    }

    /** Every message is taken at once (the default). */
    public FakeTransport holdNone() {
        return hold(m -> false);
    }

    /** Answers requests of {@code method} as soon as they are taken; null: the test answers them. */
    public FakeTransport answer(String method, Function<JsonRpcRequest, JsonRpcResponse> answer) {
        if (answer == null) {
            answers.remove(method);
        } else {
            answers.put(method, answer);
        }
        return this;
    }

    /** Answers {@code initialize} declaring {@code capabilities}. */
    public FakeTransport capabilities(ObjectNode capabilities) {
        return answer(McpMethods.INITIALIZE, r -> JsonRpcResponse.success(r.id(), initializeResult(capabilities)));
    }

    /** While true, {@link #trySend} drops every message, as a transport whose peer stopped reading. */
    public FakeTransport refuseNotices(boolean refuse) {
        refuseNotices = refuse;
        return this;
    }

    /** {@link #start} throws what {@code failure} makes (connection refused); null: starts. */
    public FakeTransport refuseStart(Supplier<? extends RuntimeException> failure) {
        refuseStart = failure;
        return this;
    }

    /** {@link #send} fails at once with what {@code failure} makes; null: sends. */
    public FakeTransport refuseSends(Supplier<? extends RuntimeException> failure) {
        refuseSends = failure;
        return this;
    }

    // ------------------------------------------------------------------ what the server saw

    /** Every message the server got, in order (requests and notifications taken, and what trySend delivered). */
    public List<JsonRpcMessage> received() {
        return List.copyOf(received);
    }

    /** Messages trySend dropped. */
    public List<JsonRpcMessage> dropped() {
        return List.copyOf(dropped);
    }

    /** The requests of {@code method} the server got, in order. */
    public List<JsonRpcRequest> requests(String method) {
        return received.stream().filter(m -> m instanceof JsonRpcRequest r && r.method().equals(method))
                .map(m -> (JsonRpcRequest) m).toList();
    }

    /** The last request of {@code method} the server got; fails when there is none. */
    public JsonRpcRequest request(String method) {
        List<JsonRpcRequest> all = requests(method);
        if (all.isEmpty()) {
            throw new AssertionError(name + ": the server got no " + method + " request; it got " + received);
        }
        return all.get(all.size() - 1);
    }

    /** The notifications of {@code method} the server got, in order. */
    public List<JsonRpcNotification> notifications(String method) {
        return received.stream().filter(m -> m instanceof JsonRpcNotification n && n.method().equals(method))
                .map(m -> (JsonRpcNotification) m).toList();
    }

    /** The client's answers to the server's own requests. */
    public List<JsonRpcResponse> responses() {
        return received.stream().filter(m -> m instanceof JsonRpcResponse).map(m -> (JsonRpcResponse) m).toList();
    }

    /** Messages queued (held, neither taken, withdrawn nor failed), oldest first. */
    public List<Outgoing> queued() {
        lock.lock();
        try {
            queue.removeIf(o -> o.state != Outgoing.QUEUED);
            return List.copyOf(queue);
        } finally {
            lock.unlock();
        }
    }

    /** The queued message of {@code method}; fails unless there is exactly one. */
    public Outgoing queued(String method) {
        List<Outgoing> all = queued().stream().filter(o -> method.equals(method(o.message))).toList();
        if (all.size() != 1) {
            throw new AssertionError(name + ": expected one queued " + method + ", found " + all.size());
        }
        return all.get(0);
    }

    /** Takes every queued message, oldest first. */
    public void takeAll() {
        for (Outgoing o : queued()) {
            o.take();
        }
    }

    /** How often the session closed this transport. */
    public int closeCalls() {
        return closeCalls.get();
    }

    // ------------------------------------------------------------------ what the server does

    /** The server answers {@code request} with {@code result}. */
    public void reply(JsonRpcRequest request, JsonNode result) {
        deliver(JsonRpcResponse.success(request.id(), result));
    }

    /** The server answers {@code request} with a JSON-RPC error. */
    public void replyError(JsonRpcRequest request, int code, String message) {
        deliver(JsonRpcResponse.failure(request.id(), JsonRpcError.of(code, message)));
    }

    /** The server sends a response for request id {@code id} (one the client may not know, or no longer wait for). */
    public void replyTo(long id, JsonNode result) {
        deliver(JsonRpcResponse.success(RequestId.of(id), result));
    }

    /** The server sends a notification. */
    public void notifyClient(String method, JsonNode params) {
        deliver(new JsonRpcNotification(method, params));
    }

    /** The server sends a request of its own. */
    public void askClient(RequestId id, String method, JsonNode params) {
        deliver(new JsonRpcRequest(id, method, params));
    }

    /** Hands {@code message} to the session as the transport's reader would. */
    public void deliver(JsonRpcMessage message) {
        Listener l = listener;
        if (l == null) {
            throw new IllegalStateException(name + " was not started");
        }
        l.onMessage(message);
    }

    /** The connection breaks ({@code cause}): queued messages fail as never sent, the session is told. */
    public void breaks(Throwable cause) {
        end(cause);
    }

    // ------------------------------------------------------------------ Transport

    @Override
    public void start(Listener listener) {
        Supplier<? extends RuntimeException> refuse = refuseStart;
        if (refuse != null) {
            closed = true;
            throw refuse.get();
        }
        this.listener = listener;
    }

    @Override
    public CompletableFuture<Void> send(JsonRpcMessage message) {
        if (closed || listener == null) {
            return CompletableFuture.failedFuture(new NotSentException(name + " is closed"));
        }
        Supplier<? extends RuntimeException> refuse = refuseSends;
        if (refuse != null) {
            return CompletableFuture.failedFuture(refuse.get());
        }
        Outgoing o = new Outgoing(message);
        if (holds.test(message)) {
            lock.lock();
            try {
                queue.add(o);
            } finally {
                lock.unlock();
            }
        } else {
            o.take();
        }
        return o;
    }

    @Override
    public boolean trySend(JsonRpcMessage message) {
        if (closed || refuseNotices) {
            dropped.add(message);
            return false;
        }
        received.add(message);
        return true;
    }

    @Override
    public String describe() {
        return name;
    }

    @Override
    public boolean isOpen() {
        return listener != null && !closed;
    }

    @Override
    public void close() {
        closeCalls.incrementAndGet();
        end(null);
    }

    private void end(Throwable cause) {
        List<Outgoing> unsent;
        boolean report;
        lock.lock();
        try {
            closed = true;
            unsent = new ArrayList<>(queue);
            queue.clear();
            report = !reportedClosed && listener != null;
            reportedClosed = true;
        } finally {
            lock.unlock();
        }
        for (Outgoing o : unsent) {
            o.fail(new NotSentException(name + " closed before the message was written"));
        }
        if (report) {
            listener.onClosed(cause);
        }
    }

    private static String method(JsonRpcMessage m) {
        return switch (m) {
            case JsonRpcRequest r -> r.method();
            case JsonRpcNotification n -> n.method();
            case JsonRpcResponse r -> null;
        };
    }

    @Override
    public String toString() {
        return name;
    }

    /** One message sent with {@link #send}: queued, then taken by the server, withdrawn, or failed. */
    public final class Outgoing extends CompletableFuture<Void> {
        static final int QUEUED = 0;
        static final int TAKEN = 1;
        static final int WITHDRAWN = 2;
        static final int FAILED = 3;

        private final JsonRpcMessage message;
        private volatile int state = QUEUED;

        Outgoing(JsonRpcMessage message) {
            this.message = message;
        }

        public JsonRpcMessage message() {
            return message;
        }

        /** The request's id; fails for a notification. */
        public long id() {
            return ((JsonRpcRequest) message).id().number();
        }

        /** The server takes the message: it is received, the send completes, an auto-answer follows. */
        public void take() {
            if (!move(TAKEN)) {
                throw new IllegalStateException("cannot take " + message + ": it was withdrawn or failed");
            }
            received.add(message);
            complete(null);
            if (message instanceof JsonRpcRequest r) {
                Function<JsonRpcRequest, JsonRpcResponse> answer = answers.get(r.method());
                if (answer != null) {
                    deliver(answer.apply(r));
                }
            }
        }

        /** The send fails with {@code error} before the server got the message. */
        public void fail(Throwable error) {
            if (move(FAILED)) {
                completeExceptionally(error);
            }
        }

        public boolean withdrawn() {
            return state == WITHDRAWN;
        }

        private boolean move(int to) {
            lock.lock();
            try {
                if (state != QUEUED) {
                    return false;
                }
                state = to;
                return true;
            } finally {
                lock.unlock();
            }
        }

        /** Withdraws the message while it is queued (true); once taken the server has it (false). */
        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return move(WITHDRAWN) && super.cancel(mayInterruptIfRunning);
        }
    }
}
