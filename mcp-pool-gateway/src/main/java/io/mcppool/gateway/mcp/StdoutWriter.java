package io.mcppool.gateway.mcp;

import io.mcppool.protocol.JsonRpcCodec;
import io.mcppool.protocol.JsonRpcMessage;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that writes stdout in stdio mode, fed by a queue. Whoever produces a message for the host (an
 * upstream's reader with progress or a notification, the pool's threads with answers) only queues it, so a host that
 * stops reading stdout blocks this thread and nothing else.
 *
 * <p>The queue is bounded by {@code maxMessages} and {@code maxBytes} (the one being written included). Messages
 * nobody waits for (notifications, an upstream's requests to the host) are dropped when it is full: counted, and
 * logged once per burst. Responses are never dropped: {@link #awaitRoom} lets the stdin loop read a new request only
 * while the queued messages and the answers still to come are under {@code maxMessages}, so the answers always fit
 * in number; in bytes they may go over by the answers in flight, whose size nobody knows before they come.
 */
final class StdoutWriter {
    private static final Logger log = LoggerFactory.getLogger(StdoutWriter.class);

    private final OutputStream out;
    private final int maxMessages;
    private final long maxBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition queued = lock.newCondition();
    private final Condition room = lock.newCondition();
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private final Thread thread;
    /** Messages and bytes queued and not yet written, the one being written included (under the lock). */
    private int messages;
    private long bytes;
    /** No more writes: stdout failed, or the end came. */
    private boolean closed;
    /** Write what is queued, then stop. */
    private boolean finishing;
    /** Notifications dropped in the current burst (under the lock), and in all. */
    private long burst;
    private final AtomicLong dropped = new AtomicLong();

    StdoutWriter(OutputStream out, int maxMessages, long maxBytes) {
        this.out = out;
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
        this.thread = new Thread(this::run, "mcp-pool-stdio-writer");
        thread.setDaemon(true); // a host that never reads again must not keep the process alive
    }

    void start() {
        thread.start();
    }

    /** Queues a response: never dropped while stdout is open, whatever the bound. */
    void put(JsonRpcMessage message) {
        byte[] json = JsonRpcCodec.encode(message);
        lock.lock();
        try {
            if (!closed) {
                add(json);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Queues a message nobody waits for, unless the queue is full: then it is dropped (false). */
    boolean offer(JsonRpcMessage message) {
        byte[] json = JsonRpcCodec.encode(message);
        boolean taken;
        boolean firstDrop = false;
        long ended = 0;
        int waitingMessages;
        long waitingBytes;
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            waitingMessages = messages;
            waitingBytes = bytes;
            taken = messages < maxMessages && (messages == 0 || bytes + size(json) <= maxBytes);
            if (taken) {
                ended = endBurst();
                add(json);
            } else {
                firstDrop = burst++ == 0;
            }
        } finally {
            lock.unlock();
        }
        if (!taken) {
            dropped.incrementAndGet();
            if (firstDrop) {
                log.warn("stdout is full (the host is not reading it: {} messages, {} bytes wait; the limit is {}"
                        + " messages or {} bytes, gateway.maxStreamMessages and maxStreamSize): dropping notifications"
                        + " to the host until it reads again", waitingMessages, waitingBytes, maxMessages, maxBytes);
            }
            return false;
        }
        logBurst(ended);
        return true;
    }

    /**
     * Waits while the queue is over its bound, counting {@code inFlight} answers still to come as queued already,
     * so the stdin loop reads the host's next request only when there is room for its answer. Returns at once once
     * stdout is closed (answers then go nowhere). {@link #answered} wakes it when an answer comes.
     */
    void awaitRoom(IntSupplier inFlight) throws InterruptedException {
        lock.lock();
        try {
            while (!closed && (overBound() || messages + inFlight.getAsInt() >= maxMessages)) {
                room.await();
            }
        } finally {
            lock.unlock();
        }
    }

    /** A request of the host's ended (its answer, if any, is queued): the stdin loop may have room now. */
    void answered() {
        lock.lock();
        try {
            room.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean isOpen() {
        return !closed;
    }

    long droppedNotifications() {
        return dropped.get();
    }

    /**
     * Writes what is queued and stops the thread, waiting at most {@code grace}. A host that does not read leaves
     * the thread blocked in its write; it is a daemon, and ends when the host closes stdout or the process exits.
     */
    void finish(Duration grace) {
        lock.lock();
        try {
            finishing = true;
            queued.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            if (!thread.join(grace)) {
                log.warn("stdio: the host did not read what was left for it within {}; not waiting longer", grace);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    private void run() {
        while (true) {
            byte[] json;
            lock.lock();
            try {
                while (queue.isEmpty() && !finishing && !closed) {
                    queued.awaitUninterruptibly();
                }
                if (closed || queue.isEmpty()) {
                    return;
                }
                json = queue.poll();
            } finally {
                lock.unlock();
            }
            try {
                out.write(json);
                out.write('\n');
                out.flush();
            } catch (IOException e) {
                log.debug("stdio: writing stdout failed: {}", e.toString());
                close();
                return;
            }
            long ended;
            lock.lock();
            try {
                messages--;
                bytes -= size(json);
                ended = overBound() ? 0 : endBurst();
                room.signalAll();
            } finally {
                lock.unlock();
            }
            logBurst(ended);
        }
    }

    /** Stdout is gone (or the end came): nothing more is queued, and the stdin loop must not wait for room. */
    private void close() {
        lock.lock();
        try {
            closed = true;
            queue.clear();
            messages = 0;
            bytes = 0;
            queued.signalAll();
            room.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void add(byte[] json) {
        queue.add(json);
        messages++;
        bytes += size(json);
        queued.signal();
    }

    /** A message's bytes on stdout: its JSON and the newline. */
    private static long size(byte[] json) {
        return json.length + 1L;
    }

    private boolean overBound() {
        return messages >= maxMessages || bytes >= maxBytes;
    }

    /** The drops of the burst that just ended (under the lock), to be logged outside it; 0 when none. */
    private long endBurst() {
        long n = burst;
        burst = 0;
        return n;
    }

    private static void logBurst(long n) {
        if (n > 0) {
            log.warn("stdout has room again; {} notification(s) to the host were dropped while it was full", n);
        }
    }
}
