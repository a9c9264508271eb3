package io.mcppool.gateway.server;

import io.mcppool.config.ClientLimits;
import io.mcppool.gateway.mcp.GatewayEvents;
import io.mcppool.gateway.mcp.MessageSink;
import io.mcppool.gateway.mcp.UnreadResponses;
import io.mcppool.protocol.JsonRpcCodec;
import io.mcppool.protocol.JsonRpcMessage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code text/event-stream} response. Messages may come from any thread (an upstream's reader sends
 * progress); Jetty allows one write at a time, so they queue and each write starts the next when it
 * completes, and no sender ever blocks. {@link #finish} writes the last event and ends the response.
 *
 * <p>The queue is bounded: a client that stops reading would otherwise make it grow as fast as an upstream sends.
 * Messages queued and not yet written (the one being written included) may number {@code maxStreamMessages} and
 * weigh {@code maxStreamBytes}; one message alone always fits, however large. A message over either limit closes
 * the stream instead of joining it: what was queued is dropped, the client's connection is closed, and it may open
 * a new stream. The last message ({@link #finish}, a POST's response) is not held to these limits: it is a
 * response, which {@code maxUnreadResponseBytes} bounds per session.
 */
final class SseStream implements MessageSink {
    private static final Logger log = LoggerFactory.getLogger(SseStream.class);
    private static final byte[] EVENT = "event: message\ndata: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final ByteBuffer KEEPALIVE = ByteBuffer.wrap(": keepalive\n\n".getBytes(StandardCharsets.US_ASCII))
            .asReadOnlyBuffer();

    private record Item(ByteBuffer bytes, boolean last) {
    }

    /**
     * The limits, and whom to tell and how to name the stream when a client reaches them; {@code unread} holds the
     * last message (a POST's response) among the session's responses waiting for the client, or is null (GET).
     */
    record Bounds(ClientLimits limits, GatewayEvents events, String name, UnreadResponses unread) {
    }

    private final Response response;
    private final OnceCallback done;
    private final Bounds bounds;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Item> queue = new ArrayDeque<>();
    /** Messages and bytes queued and not yet written, the one being written included (under the lock). */
    private int queuedMessages;
    private long queuedBytes;
    private boolean writing;
    /** No more messages are taken: finished, failed, or the client went away. */
    private volatile boolean closed;
    /** The last message's place among the session's unread responses, while it waits to be written. */
    private volatile UnreadResponses.Waiting lastWaiting;

    SseStream(Response response, Callback done, Bounds bounds) {
        this.response = response;
        this.done = new OnceCallback(done);
        this.bounds = bounds;
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
        ByteBuffer bytes = last == null ? ByteBuffer.allocate(0) : event(last);
        if (last != null && bounds.unread() != null && !closed) {
            lastWaiting = bounds.unread().admit(bytes.remaining(), () -> end(new IOException(
                    "the response was dropped: the client has not read it and newer ones came"))).entry();
        }
        if (!enqueue(new Item(bytes, true))) {
            released();
        }
        closed = true;
    }

    /** The last message no longer waits: written, dropped or never queued. */
    private void released() {
        UnreadResponses.Waiting w = lastWaiting;
        if (w != null) {
            bounds.unread().written(w);
        }
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    /** Its session ended: the stream ends now (else the next keepalive would find out). */
    @Override
    public void close() {
        finish(null);
    }

    private static ByteBuffer event(JsonRpcMessage message) {
        byte[] json = JsonRpcCodec.encode(message);
        ByteBuffer b = ByteBuffer.allocate(EVENT.length + json.length + END.length);
        b.put(EVENT).put(json).put(END).flip();
        return b;
    }

    private boolean enqueue(Item item) {
        int size = item.bytes().remaining();
        String overflow = null;
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            overflow = item.last() ? null : overflow(size);
            if (overflow != null) {
                closed = true;
                dropQueued();
            } else {
                queue.add(item);
                queuedMessages++;
                queuedBytes += size;
                if (item.last()) {
                    // Under the lock: a send racing finish() must be refused (and go elsewhere) rather than be
                    // queued after the end of the response, where it was never written although send said yes.
                    closed = true;
                }
            }
        } finally {
            lock.unlock();
        }
        if (overflow != null) {
            ClientLimits limits = bounds.limits();
            log.warn("closed the {}: the client is not reading it; {}; the limit is {} messages or {} bytes"
                            + " (gateway.maxStreamMessages, gateway.maxStreamSize); it may open a new stream",
                    bounds.name(), overflow, limits.maxStreamMessages(), limits.maxStreamBytes());
            bounds.events().streamClosed(GatewayEvents.SLOW_CLIENT);
            end(new IOException("the client did not read its stream"));
            return false;
        }
        pump();
        return true;
    }

    /** Why one more message of {@code size} bytes does not fit, or null when it does (under the lock). */
    private String overflow(int size) {
        ClientLimits limits = bounds.limits();
        if (queuedMessages + 1 > limits.maxStreamMessages()
                || queuedMessages > 0 && queuedBytes + size > limits.maxStreamBytes()) {
            return queuedMessages + " messages (" + queuedBytes + " bytes) were waiting and one of " + size
                    + " bytes came";
        }
        return null;
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
        int size = next.bytes().remaining();
        response.write(next.last(), next.bytes(), Callback.from(() -> {
            lock.lock();
            try {
                writing = false;
                queuedMessages--;
                queuedBytes -= size;
            } finally {
                lock.unlock();
            }
            if (next.last()) {
                released();
                done.succeeded();
            } else {
                pump();
            }
        }, this::end));
    }

    /** Forgets the messages not yet being written (under the lock); the one being written ends with its write. */
    private void dropQueued() {
        for (Item i : queue) {
            queuedMessages--;
            queuedBytes -= i.bytes().remaining();
        }
        queue.clear();
    }

    /** Ends the exchange with a failure (the client went away, or is not reading): Jetty closes the connection. */
    private void end(Throwable failure) {
        closed = true;
        lock.lock();
        try {
            dropQueued();
        } finally {
            lock.unlock();
        }
        released();
        done.failed(failure);
    }
}
