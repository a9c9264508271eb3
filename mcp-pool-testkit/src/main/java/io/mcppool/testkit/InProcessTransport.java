package io.mcppool.testkit;

import io.mcppool.protocol.JsonRpcCodec;
import io.mcppool.protocol.JsonRpcMessage;
import io.mcppool.protocol.RequestId;
import io.mcppool.transport.Transport;
import io.mcppool.transport.TransportException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Client side of one in-process connection, and at the same time the {@link ServerTransport} of
 * its server session. Each direction is a single-thread executor: order is kept, and nobody's
 * message is handled on the stack of the thread that sent it.
 */
final class InProcessTransport implements Transport, ServerTransport {
    private final InProcessServer owner;
    private final int number;
    private final ExecutorService toServer;
    private final ExecutorService toClient;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Listener listener;
    private volatile ServerSession session;

    InProcessTransport(InProcessServer owner, int number) {
        this.owner = owner;
        this.number = number;
        this.toServer = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("testkit-inproc-" + number + "-in").factory());
        this.toClient = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("testkit-inproc-" + number + "-out").factory());
    }

    @Override
    public void start(Listener listener) {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException(describe() + " was already started");
        }
        if (!owner.isAvailable()) {
            closed.set(true);
            shutdownExecutors();
            throw new TransportException(describe() + ": connection refused (server unavailable)", null, true);
        }
        this.listener = listener;
        this.session = owner.server().openSession("inproc", this);
        owner.opened(this);
    }

    @Override
    public CompletableFuture<Void> send(JsonRpcMessage message) {
        if (session == null) {
            return CompletableFuture.failedFuture(new IllegalStateException(describe() + " was not started"));
        }
        if (closed.get()) {
            return CompletableFuture.failedFuture(new TransportException(describe() + " is closed"));
        }
        byte[] bytes = JsonRpcCodec.encode(message); // here, so an unencodable message fails the caller
        try {
            toServer.execute(() -> {
                if (!closed.get()) {
                    session.receive(JsonRpcCodec.decode(bytes, 0, bytes.length));
                }
            });
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new TransportException(describe() + " is closed"));
        }
        return CompletableFuture.completedFuture(null);
    }

    // ---- server side ----

    @Override
    public void send(JsonRpcMessage message, RequestId relatedRequest) {
        if (closed.get()) {
            return;
        }
        byte[] bytes = JsonRpcCodec.encode(message);
        try {
            toClient.execute(() -> deliver(JsonRpcCodec.decode(bytes, 0, bytes.length)));
        } catch (RejectedExecutionException e) {
            // closed meanwhile: a message after the end is lost, as on a real connection
        }
    }

    @Override
    public void crash(int exitCode) {
        end(new TransportException(describe() + ": server crashed (exit code " + exitCode + ")"));
    }

    /** The server side drops the connection (as {@link InProcessServer#disconnectAll()} does). */
    void disconnect() {
        end(new TransportException(describe() + ": server closed the connection"));
    }

    private void deliver(JsonRpcMessage message) {
        try {
            listener.onMessage(message);
        } catch (RuntimeException e) {
            // a listener's bug must not kill the delivery thread and silently stop the connection
            System.err.println("testkit: " + describe() + " listener failed on a message: " + e);
        }
    }

    // ---- lifecycle ----

    @Override
    public String describe() {
        return "in-process testkit server #" + number;
    }

    @Override
    public boolean isOpen() {
        return session != null && !closed.get();
    }

    @Override
    public void close() {
        end(null);
    }

    private void end(Throwable cause) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ServerSession s = session;
        if (s != null) {
            s.close();
            owner.closed(this);
            Listener l = listener;
            // after every message already on its way, so the client sees them before the end
            toClient.execute(() -> l.onClosed(cause));
        }
        shutdownExecutors();
    }

    private void shutdownExecutors() {
        toServer.shutdown();
        toClient.shutdown();
    }
}
