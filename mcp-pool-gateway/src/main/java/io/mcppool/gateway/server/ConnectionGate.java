package io.mcppool.gateway.server;

import java.nio.channels.SelectableChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.IdleTimeout;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.util.IO;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which connections the gateway accepts: at most {@code gateway.maxConnections} open at once, and at most
 * {@code gateway.acceptRate} new ones per second. One gate decides both, so that neither reopens what the other
 * closed (Jetty's {@code NetworkConnectionLimit} and {@code AcceptRateLimit} each turn accepting back on when their
 * own condition clears).
 *
 * <p>When either is reached, the connector stops accepting: new connections wait in the kernel's accept queue (50),
 * further ones are refused by the kernel and retried by the client's TCP stack; open connections are not affected.
 * Accepting resumes when a connection closes, or when the last period's accepts fall under the rate.
 *
 * <p>At the connection limit, a sweep every second closes connections that have been idle for
 * {@code gateway.idleTimeoutAtConnectionLimit} while waiting for a request (never opened one, or between two): a client
 * holding idle connections cannot keep the others out for longer than that. A connection with a request in progress
 * (a long tool call, an SSE stream between its events) is not waiting for one and is never closed by the sweep.
 * Reaching either limit is logged at WARN at most once a minute.
 *
 * <p>Jetty calls the accept events on its selector and acceptor threads: they only count and flip a flag under a
 * lock. The sweep runs on the connector's scheduler and closes sockets, which does not block.
 */
final class ConnectionGate extends AbstractLifeCycle implements SelectorManager.AcceptListener {
    private static final Logger log = LoggerFactory.getLogger(ConnectionGate.class);
    private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final long SWEEP_EVERY_MILLIS = 1_000;
    /** The most accept times the rate remembers: a rate above this per second is counted over a shorter period. */
    private static final int MAX_RATE_WINDOW = 1_000;

    private final AbstractConnector connector;
    private final int maxConnections;
    private final long idleAtLimitMillis;
    /** Accepts allowed per {@link #periodNanos}; 0 when the rate is not limited. */
    private final int ratePerPeriod;
    private final long periodNanos;
    private final String rateText;

    private final ReentrantLock lock = new ReentrantLock();
    private int pending;
    private int connections;
    /** The times of the last {@link #ratePerPeriod} accepts, a ring; {@link #next} is the oldest. */
    private final long[] accepts;
    private int recorded;
    private int next;
    private boolean accepting = true;
    private boolean full;
    private Scheduler.Task sweep;
    private Scheduler.Task rateCheck;
    private long fullWarnedNanos = System.nanoTime() - WARN_EVERY_NANOS;
    private long rateWarnedNanos = System.nanoTime() - WARN_EVERY_NANOS;
    private long timesFull;
    private long closedIdle;

    /**
     * @param acceptRate new connections per second at most; 0 for no limit. At least one a second is counted over a
     *                   second, less over a minute (10/m is 10 a minute, not 0 a second), more than
     *                   {@value #MAX_RATE_WINDOW} a second over the fraction of a second that holds that many
     */
    ConnectionGate(AbstractConnector connector, int maxConnections, Duration idleAtLimit, double acceptRate) {
        this.connector = connector;
        this.maxConnections = maxConnections;
        this.idleAtLimitMillis = idleAtLimit.toMillis();
        if (acceptRate <= 0) {
            ratePerPeriod = 0;
            periodNanos = 0;
            rateText = "no limit";
        } else if (acceptRate < 1) {
            ratePerPeriod = (int) Math.max(1, Math.round(acceptRate * 60));
            periodNanos = TimeUnit.MINUTES.toNanos(1);
            rateText = ratePerPeriod + "/m";
        } else if (acceptRate <= MAX_RATE_WINDOW) {
            ratePerPeriod = (int) Math.round(acceptRate);
            periodNanos = TimeUnit.SECONDS.toNanos(1);
            rateText = ratePerPeriod + "/s";
        } else {
            ratePerPeriod = MAX_RATE_WINDOW;
            periodNanos = Math.max(1, Math.round(MAX_RATE_WINDOW * 1e9 / acceptRate));
            rateText = Math.round(acceptRate) + "/s";
        }
        this.accepts = new long[ratePerPeriod];
    }

    @Override
    protected void doStop() {
        lock.lock();
        try {
            cancel(sweep);
            cancel(rateCheck);
            sweep = null;
            rateCheck = null;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onAccepting(SelectableChannel channel) {
        boolean over;
        lock.lock();
        try {
            pending++;
            over = pending + connections > maxConnections; // accepted before accepting was turned off
            if (ratePerPeriod > 0) {
                accepts[next] = System.nanoTime();
                next = (next + 1) % ratePerPeriod;
                recorded = Math.min(recorded + 1, ratePerPeriod);
            }
            update();
        } finally {
            lock.unlock();
        }
        if (over) {
            IO.close(channel);
        }
    }

    @Override
    public void onAcceptFailed(SelectableChannel channel, Throwable cause) {
        lock.lock();
        try {
            pending--;
            update();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onAccepted(SelectableChannel channel) {
        lock.lock();
        try {
            pending--;
            connections++;
            update();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onClosed(SelectableChannel channel) {
        lock.lock();
        try {
            connections--;
            update();
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: whether to accept now, and the sweep and rate check that follow from it. */
    private void update() {
        long now = System.nanoTime();
        boolean wasFull = full;
        full = pending + connections >= maxConnections;
        long rateWaitNanos = 0;
        if (ratePerPeriod > 0 && recorded == ratePerPeriod) {
            rateWaitNanos = accepts[next] + periodNanos - now; // when the oldest of the last rate's accepts ages out
        }
        boolean tooFast = rateWaitNanos > 0;
        boolean accept = !full && !tooFast;
        if (accept != accepting) {
            accepting = accept;
            connector.setAccepting(accept);
        }
        if (full && !wasFull) {
            timesFull++;
            if (now - fullWarnedNanos >= WARN_EVERY_NANOS) {
                fullWarnedNanos = now;
                log.warn("{} connections open, the limit (gateway.maxConnections): no new connection is accepted until"
                        + " one closes; connections idle for {} ms are closed meanwhile"
                        + " (gateway.idleTimeoutAtConnectionLimit); reached {} time(s), {} idle connection(s) closed"
                        + " since start", maxConnections, idleAtLimitMillis, timesFull, closedIdle);
            }
        }
        if (full && sweep == null && isRunning()) {
            sweep = connector.getScheduler().schedule(this::sweep, SWEEP_EVERY_MILLIS, TimeUnit.MILLISECONDS);
        }
        if (tooFast && rateCheck == null && isRunning()) {
            if (now - rateWarnedNanos >= WARN_EVERY_NANOS) {
                rateWarnedNanos = now;
                log.warn("new connections come faster than {} (gateway.acceptRate): the next wait to be accepted",
                        rateText);
            }
            rateCheck = connector.getScheduler().schedule(this::rateCheck,
                    Math.max(1, TimeUnit.NANOSECONDS.toMillis(rateWaitNanos)), TimeUnit.MILLISECONDS);
        }
    }

    private void rateCheck() {
        lock.lock();
        try {
            rateCheck = null;
            update();
        } finally {
            lock.unlock();
        }
    }

    /** At the limit: closes the connections idle for long enough while waiting for a request. */
    private void sweep() {
        lock.lock();
        try {
            sweep = null;
            if (!full || !isRunning()) {
                return;
            }
        } finally {
            lock.unlock();
        }
        List<EndPoint> idle = new ArrayList<>();
        for (EndPoint endPoint : connector.getConnectedEndPoints()) {
            // Waiting for (the rest of) a request, and idle: no request in progress is cut.
            if (endPoint.isFillInterested() && endPoint instanceof IdleTimeout timeout
                    && timeout.getIdleFor() >= idleAtLimitMillis) {
                idle.add(endPoint);
            }
        }
        idle.forEach(EndPoint::close);
        lock.lock();
        try {
            closedIdle += idle.size();
            if (full && sweep == null && isRunning()) {
                sweep = connector.getScheduler().schedule(this::sweep, SWEEP_EVERY_MILLIS, TimeUnit.MILLISECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    private static void cancel(Scheduler.Task task) {
        if (task != null) {
            task.cancel();
        }
    }

    /** Connections open now (for tests and logs). */
    int connections() {
        lock.lock();
        try {
            return connections;
        } finally {
            lock.unlock();
        }
    }
}
