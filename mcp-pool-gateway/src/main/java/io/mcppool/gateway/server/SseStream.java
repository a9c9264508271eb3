package io.mcppool.gateway.server;

import io.mcppool.gateway.mcp.MessageSink;
import io.mcppool.protocol.JsonRpcCodec;
import io.mcppool.protocol.JsonRpcMessage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One {@code text/event-stream} response. Messages may come from any thread (an upstream's reader sends
 * progress); Jetty allows one write at a time, so they queue and each write starts the next when it
 * completes, and no sender ever blocks. {@link #finish} writes the last event and ends the response.
 */
final class SseStream implements MessageSink {
    private static final byte[] EVENT = "event: message\ndata: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final ByteBuffer KEEPALIVE = ByteBuffer.wrap(": keepalive\n\n".getBytes(StandardCharsets.US_ASCII))
            .asReadOnlyBuffer();

    private record Item(ByteBuffer bytes, boolean last) {
    }

    private final Response response;
    private final Callback done;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Item> queue = new ArrayDeque<>();
    private boolean writing;
    /** No more messages are taken: finished, failed, or the client went away. */
    private volatile boolean closed;

    SseStream(Response response, Callback done) {
        this.response = response;
        this.done = done;
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
    }

    /** Sends the headers now, so the client knows the stream is open before any event. */
    void open() {
        enqueue(new Item(ByteBuffer.allocate(0), false));
    }

    @Override
    public boolean send(JsonRpcMessage message) {
        return !closed && enqueue(new Item(event(message), false));
    }

    /** A comment line that keeps idle connections (and proxies) from timing the stream out. */
    boolean keepalive() {
        return !closed && enqueue(new Item(KEEPALIVE.duplicate(), false));
    }

    /** Writes {@code last} (or nothing) and ends the response; later sends are refused. */
    void finish(JsonRpcMessage last) {
        enqueue(new Item(last == null ? ByteBuffer.allocate(0) : event(last), true));
        closed = true;
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    private static ByteBuffer event(JsonRpcMessage message) {
        byte[] json = JsonRpcCodec.encode(message);
        ByteBuffer b = ByteBuffer.allocate(EVENT.length + json.length + END.length);
        b.put(EVENT).put(json).put(END).flip();
        return b;
    }

    private boolean enqueue(Item item) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            queue.add(item);
        } finally {
            lock.unlock();
        }
        pump();
        return true;
    }

    private void pump() {
        Item next;
        lock.lock();
        try {
            if (writing || queue.isEmpty()) {
                return;
            }
            writing = true;
            next = queue.poll();
        } finally {
            lock.unlock();
        }
        response.write(next.last(), next.bytes(), Callback.from(() -> {
            lock.lock();
            try {
                writing = false;
            } finally {
                lock.unlock();
            }
            if (next.last()) {
                done.succeeded();
            } else {
                pump();
            }
        }, failure -> {
            closed = true;
            lock.lock();
            try {
                queue.clear();
            } finally {
                lock.unlock();
            }
            done.failed(failure);
        }));
    }
}
