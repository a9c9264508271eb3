package io.mcppool.internal.transport;

import io.mcppool.transport.TransportException;
import io.mcppool.protocol.JsonRpcCodec;
import io.mcppool.protocol.JsonRpcMessage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import io.mcppool.transport.NotSentException;
/**
 * The one writer of a peer's input stream: newline-delimited JSON-RPC messages, written by a thread of its
 * own from a queue. Senders only enqueue, so no thread that completes other callers' work (a transport's
 * reader handing a slot to a waiting caller, the timer sending {@code notifications/cancelled}) ever blocks
 * on a peer that stopped reading; only this thread does, and a peer that never reads again fails its own
 * calls by their deadlines.
 *
 * <p>The queue is bounded. Messages nobody waits for ({@link #offer}: notifications, answers to the peer's
 * own requests) take at most {@code maxQueuedNotices} places and are dropped beyond that. Messages someone
 * waits for ({@link #send}: requests) always get in, because the pool bounds them already (one per session
 * slot, plus the odd ping); they wait their turn at most until their caller's deadline, when the caller
 * withdraws them by cancelling the returned future. A withdrawn message is skipped, so the peer never sees
 * a request whose caller has already given up. {@code maxQueued} is a last guard against a bug above: beyond
 * it even requests are refused with {@link NotSentException}.
 *
 * <p>The thread writes what is queued and flushes once the queue is empty, so messages queued together go
 * out in one system call. {@link #close()} refuses new messages, drops what is queued and lets the thread
 * close the stream after the write in progress (never from the closing thread: a blocked write would block
 * it too). A write that fails ends the writer and is reported once to {@code onFailure}.
 */
public final class MessageWriter {
    /** Default of {@code maxQueuedNotices}. */
    public static final int DEFAULT_MAX_QUEUED_NOTICES = 256;
    /** Default of {@code maxQueued}: far above what a pool's slots can put in one queue. */
    public static final int DEFAULT_MAX_QUEUED = 4096;
    private static final long STACK_BYTES = 256 * 1024;

    private final String name;
    private final OutputStream out;
    private final int maxQueuedNotices;
    private final int maxQueued;
    private final Function<TransportException, CompletableFuture<? extends Throwable>> onFailure;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition queued = lock.newCondition();
    /** Guarded by {@link #lock}. */
    private final ArrayDeque<Outgoing> queue = new ArrayDeque<>();
    /** Guarded by {@link #lock}: how many entries of {@link #queue} are notices. */
    private int notices;
    /** Guarded by {@link #lock}. */
    private boolean closing;
    private final LongAdder dropped = new LongAdder();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private final Thread thread;

    /**
     * Starts the writer thread.
     *
     * @param out       the peer's input; this writer owns it and closes it when it ends
     * @param onFailure told once when a write fails (the peer went away), on the writer thread; the messages
     *                  that were being written fail with what its future gives, so a transport that can tell why
     *                  (the process exited, and said why on its stderr) can say so
     */
    public MessageWriter(String threadName, OutputStream out, int maxQueuedNotices, int maxQueued,
                         Function<TransportException, CompletableFuture<? extends Throwable>> onFailure) {
        if (maxQueuedNotices < 1 || maxQueued < maxQueuedNotices) {
            throw new IllegalArgumentException("need 1 <= maxQueuedNotices <= maxQueued, got " + maxQueuedNotices
                    + " and " + maxQueued);
        }
        this.name = threadName;
        this.out = out;
        this.maxQueuedNotices = maxQueuedNotices;
        this.maxQueued = maxQueued;
        this.onFailure = onFailure;
        this.thread = new Thread(null, this::run, threadName, STACK_BYTES);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Queues a message someone waits for. The future completes once it is written and flushed, fails with
     * {@link NotSentException} if it never was (closed, or refused at {@code maxQueued}) and with
     * {@link TransportException} if the write broke. Cancelling it before the writer took it withdraws it.
     */
    public CompletableFuture<Void> send(JsonRpcMessage message) {
        Outgoing o = new Outgoing(message, false);
        lock.lock();
        try {
            if (closing) {
                return CompletableFuture.failedFuture(new NotSentException(name + ": the peer's input is closed"));
            }
            if (queue.size() >= maxQueued) {
                return CompletableFuture.failedFuture(new NotSentException(name + ": " + queue.size()
                        + " messages are waiting to be written (maxQueued); the peer is not reading"));
            }
            queue.addLast(o);
            queued.signal();
        } finally {
            lock.unlock();
        }
        return o;
    }

    /**
     * Queues a message nobody waits for, if fewer than {@code maxQueuedNotices} such messages are waiting;
     * false (and counted in {@link #dropped()}) otherwise, or when closed.
     */
    public boolean offer(JsonRpcMessage message) {
        lock.lock();
        try {
            if (closing || notices >= maxQueuedNotices || queue.size() >= maxQueued) {
                dropped.increment();
                return false;
            }
            queue.addLast(new Outgoing(message, true));
            notices++;
            queued.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Messages nobody waited for that were dropped because the queue was full or closed. */
    public long dropped() {
        return dropped.sum();
    }

    /** Messages waiting to be written (withdrawn ones included until the writer skips them). */
    public int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Refuses new messages and drops the queued ones (those waited for fail with {@link NotSentException});
     * the writer thread ends after the write in progress and closes the stream. Never blocks.
     */
    public void close() {
        List<Outgoing> dropped;
        lock.lock();
        try {
            if (closing) {
                return;
            }
            closing = true;
            dropped = new ArrayList<>(queue);
            queue.clear();
            notices = 0;
            queued.signal();
        } finally {
            lock.unlock();
        }
        failUnsent(dropped, name + ": closed before the message was written");
    }

    /** Completes when the writer thread has ended and closed the stream. */
    public CompletableFuture<Void> ended() {
        return ended;
    }

    private void run() {
        List<Outgoing> batch = new ArrayList<>();
        List<Outgoing> written = new ArrayList<>();
        try {
            while (true) {
                lock.lock();
                try {
                    while (queue.isEmpty() && !closing) {
                        queued.awaitUninterruptibly();
                    }
                    if (closing) {
                        break;
                    }
                    batch.addAll(queue);
                    queue.clear();
                    notices = 0;
                } finally {
                    lock.unlock();
                }
                for (Outgoing o : batch) {
                    if (o.claim()) {
                        written.add(o);
                        JsonRpcCodec.write(o.message, out);
                        out.write('\n');
                    }
                }
                out.flush();
                for (Outgoing o : written) {
                    o.complete(null);
                }
                batch.clear();
                written.clear();
            }
        } catch (IOException | RuntimeException e) {
            Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
            // What was taken may have reached the peer in part or whole; what was not taken never left.
            TransportException broken = new TransportException(name + ": writing failed: " + cause, cause);
            failUnsent(batch, name + ": writing failed before the message was written: " + cause);
            close();
            List<Outgoing> taken = List.copyOf(written);
            onFailure.apply(broken).whenComplete((why, ignored) -> {
                Throwable failure = why != null ? why : broken;
                for (Outgoing o : taken) {
                    o.completeExceptionally(failure);
                }
            });
        } finally {
            try {
                out.close(); // everything was flushed, so this writes nothing; after a failure it only releases the pipe
            } catch (IOException ignored) {
                // the peer is gone either way
            }
            ended.complete(null);
        }
    }

    private static void failUnsent(List<Outgoing> entries, String why) {
        NotSentException e = null;
        for (Outgoing o : entries) {
            if (!o.notice && o.withdraw()) {
                if (e == null) {
                    e = new NotSentException(why);
                }
                o.failWithdrawn(e);
            }
        }
    }

    @Override
    public String toString() {
        return name;
    }

    /**
     * One queued message and, for messages someone waits for, its outcome. {@link #cancel} withdraws it if
     * the writer has not taken it yet.
     */
    private static final class Outgoing extends CompletableFuture<Void> {
        private static final int QUEUED = 0;
        private static final int TAKEN = 1;
        private static final int WITHDRAWN = 2;
        private static final VarHandle STATE;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(Outgoing.class, "state", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final JsonRpcMessage message;
        final boolean notice;
        @SuppressWarnings("unused") // through STATE
        private volatile int state;

        Outgoing(JsonRpcMessage message, boolean notice) {
            this.message = message;
            this.notice = notice;
        }

        boolean claim() {
            return STATE.compareAndSet(this, QUEUED, TAKEN);
        }

        boolean withdraw() {
            return STATE.compareAndSet(this, QUEUED, WITHDRAWN);
        }

        void failWithdrawn(Throwable e) {
            super.completeExceptionally(e);
        }

        /** True only when the message had not been taken by the writer: then it never will be. */
        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return withdraw() && super.cancel(mayInterruptIfRunning);
        }
    }
}
