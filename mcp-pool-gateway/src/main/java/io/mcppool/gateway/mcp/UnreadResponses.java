package io.mcppool.gateway.mcp;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The responses of one client session that wait to be written because its client has not read them yet, and the
 * bound on their bytes ({@code gateway.maxUnreadResponseSize}). The transport holds each such response once, as the
 * bytes it writes; a client that sends requests and never reads the answers would otherwise pin all of them. A new
 * response always gets in, however large: when the total goes over the bound, the oldest waiting responses are
 * dropped (their exchanges end without them) until it fits, since the client has left those unread the longest.
 */
public final class UnreadResponses {
    /** One response waiting to be written. */
    public static final class Waiting {
        private final long bytes;
        private final Runnable drop;
        private boolean gone;

        private Waiting(long bytes, Runnable drop) {
            this.bytes = bytes;
            this.drop = drop;
        }
    }

    private static final Logger log = LoggerFactory.getLogger(UnreadResponses.class);
    /** Drops are logged once per burst: at the first, then at most once in this long, with the count since. */
    private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final long maxBytes;
    private final GatewayEvents events;
    private final String who;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private long bytes;
    /** Drops not logged yet, and when the last WARN was (under the lock). */
    private long unlogged;
    private long warnedNanos;
    private boolean warned;

    /** @param who the client and session, for the log line that says responses were dropped */
    public UnreadResponses(long maxBytes, GatewayEvents events, String who) {
        this.maxBytes = maxBytes;
        this.events = events;
        this.who = who;
    }

    /**
     * Takes a response of {@code size} bytes that is about to be written; {@code drop} ends its exchange without
     * it, should it have to make room later. Returns its entry, to be {@linkplain #written released} when the write
     * ends, and how many older responses were dropped for it (their {@code drop} has run, on this thread).
     */
    public Admitted admit(long size, Runnable drop) {
        Waiting w = new Waiting(size, drop);
        List<Waiting> dropped = new ArrayList<>(0);
        long toLog = 0;
        long waitingBytes;
        lock.lock();
        try {
            waiting.addLast(w);
            bytes += size;
            while (bytes > maxBytes && waiting.peekFirst() != w) {
                Waiting oldest = waiting.pollFirst();
                oldest.gone = true;
                bytes -= oldest.bytes;
                dropped.add(oldest);
            }
            waitingBytes = bytes;
            if (!dropped.isEmpty()) {
                unlogged += dropped.size();
                long now = System.nanoTime();
                if (!warned || now - warnedNanos >= WARN_EVERY_NANOS) {
                    warned = true;
                    warnedNanos = now;
                    toLog = unlogged;
                    unlogged = 0;
                }
            }
        } finally {
            lock.unlock();
        }
        // Outside the lock: dropping ends an exchange, which may call back into written().
        for (Waiting d : dropped) {
            d.drop.run();
            events.responseDropped(GatewayEvents.SLOW_CLIENT);
        }
        if (toLog > 0) {
            log.warn("dropped {} response(s) of {} that its client has not read: its unread responses went over {}"
                            + " bytes (gateway.maxUnreadResponseSize); {} bytes wait now; their connections are closed",
                    toLog, who, maxBytes, waitingBytes);
        }
        return new Admitted(w, dropped.size());
    }

    /** The response was written, or its exchange failed: it no longer counts. Idempotent. */
    public void written(Waiting w) {
        lock.lock();
        try {
            if (!w.gone) {
                w.gone = true;
                waiting.remove(w);
                bytes -= w.bytes;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Bytes of responses waiting now. */
    public long bytes() {
        lock.lock();
        try {
            return bytes;
        } finally {
            lock.unlock();
        }
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** A response taken in, and how many older ones were dropped to make room for it. */
    public record Admitted(Waiting entry, int dropped) {
    }
}
