package io.mcppool.events;

import io.mcppool.catalog.ToolCatalog;
import io.mcppool.status.HealthStatus;
import io.mcppool.status.BreakerState;
import io.mcppool.call.ErrorType;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a listener's hooks on a daemon thread of its own, behind a bounded queue, so a listener that
 * blocks (writes to a slow sink, calls out over the network) cannot stall calls. When the queue is
 * full, events are dropped and counted rather than block the caller. {@link #close()} delivers what
 * is queued (for a bounded time) and ends the thread.
 */
public final class AsyncPoolEvents implements PoolEvents, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AsyncPoolEvents.class);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final Runnable STOP = () -> { };

    private final PoolEvents delegate;
    private final BlockingQueue<Runnable> queue;
    private final Thread worker;
    private final LongAdder dropped = new LongAdder();
    private volatile boolean closed;

    public AsyncPoolEvents(PoolEvents delegate, int capacity) {
        this.delegate = delegate;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.worker = new Thread(this::drain, "mcp-pool-events-" + SEQUENCE.incrementAndGet());
        worker.setDaemon(true);
        worker.start();
    }

    public AsyncPoolEvents(PoolEvents delegate) {
        this(delegate, 65_536);
    }

    /** Events dropped because the queue was full. */
    public long dropped() {
        return dropped.sum();
    }

    /** Events waiting to be delivered. */
    public int pending() {
        return queue.size();
    }

    private void submit(Runnable event) {
        if (closed || !queue.offer(event)) {
            dropped.increment();
        }
    }

    private void drain() {
        while (true) {
            Runnable event;
            try {
                event = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (event == STOP) {
                return;
            }
            try {
                event.run();
            } catch (Throwable e) {
                if (e instanceof VirtualMachineError fatal) {
                    throw fatal;
                }
                log.warn("event listener {} threw; the call is not affected", delegate, e);
            }
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    /** As {@link #close()}, waiting at most {@code timeout} for the queued events to be delivered. */
    public void close(Duration timeout) {
        if (closed) {
            return;
        }
        closed = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            // A full queue behind a stuck listener must not hold the close beyond its timeout.
            if (queue.offer(STOP, timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                worker.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        worker.interrupt();
    }

    @Override
    public String toString() {
        return "async(" + delegate + ")";
    }

    @Override
    public void callStarted(CallContext call) {
        submit(() -> delegate.callStarted(call));
    }

    @Override
    public void acquireStarted(CallContext call) {
        submit(() -> delegate.acquireStarted(call));
    }

    @Override
    public void acquireEnded(CallContext call, long waitedNanos, boolean acquired) {
        submit(() -> delegate.acquireEnded(call, waitedNanos, acquired));
    }

    @Override
    public void endpointPicked(CallContext call, String endpoint) {
        submit(() -> delegate.endpointPicked(call, endpoint));
    }

    @Override
    public void retryScheduled(CallContext call, int nextAttempt, Duration backoff, ErrorType cause) {
        submit(() -> delegate.retryScheduled(call, nextAttempt, backoff, cause));
    }

    @Override
    public void callEnded(CallContext call, CallOutcome outcome, ErrorType errorType, long durationNanos) {
        submit(() -> delegate.callEnded(call, outcome, errorType, durationNanos));
    }

    @Override
    public void sessionOpened(String server, String endpoint, String protocolVersion) {
        submit(() -> delegate.sessionOpened(server, endpoint, protocolVersion));
    }

    @Override
    public void sessionClosed(String server, String endpoint, SessionCloseReason reason) {
        submit(() -> delegate.sessionClosed(server, endpoint, reason));
    }

    @Override
    public void sessionOpenFailed(String server, String endpoint, Throwable cause) {
        submit(() -> delegate.sessionOpenFailed(server, endpoint, cause));
    }

    @Override
    public void processStarted(String server, String endpoint, long pid) {
        submit(() -> delegate.processStarted(server, endpoint, pid));
    }

    @Override
    public void processExited(String server, String endpoint, long pid, int exitCode, boolean expected) {
        submit(() -> delegate.processExited(server, endpoint, pid, exitCode, expected));
    }

    @Override
    public void processRestarted(String server, String endpoint, long pid, int restarts) {
        submit(() -> delegate.processRestarted(server, endpoint, pid, restarts));
    }

    @Override
    public void upstreamLinesSkipped(String server, String endpoint, String stream, long lines) {
        submit(() -> delegate.upstreamLinesSkipped(server, endpoint, stream, lines));
    }

    @Override
    public void breakerStateChanged(String server, String endpoint, BreakerState from, BreakerState to) {
        submit(() -> delegate.breakerStateChanged(server, endpoint, from, to));
    }

    @Override
    public void healthChanged(String server, String endpoint, HealthStatus from, HealthStatus to, String reason) {
        submit(() -> delegate.healthChanged(server, endpoint, from, to, reason));
    }

    @Override
    public void cacheHit(String server, String tool) {
        submit(() -> delegate.cacheHit(server, tool));
    }

    @Override
    public void cacheMiss(String server, String tool) {
        submit(() -> delegate.cacheMiss(server, tool));
    }

    @Override
    public void cacheEvicted(String server, String tool, CacheEvictionCause cause) {
        submit(() -> delegate.cacheEvicted(server, tool, cause));
    }

    @Override
    public void callCoalesced(String server, String tool) {
        submit(() -> delegate.callCoalesced(server, tool));
    }

    @Override
    public void sharedCacheStateChanged(boolean degraded, String reason) {
        submit(() -> delegate.sharedCacheStateChanged(degraded, reason));
    }

    @Override
    public void catalogChanged(String server, ToolCatalog.Kind kind) {
        submit(() -> delegate.catalogChanged(server, kind));
    }

    @Override
    public void configReloaded(List<String> added, List<String> removed, List<String> changed) {
        submit(() -> delegate.configReloaded(added, removed, changed));
    }
}
