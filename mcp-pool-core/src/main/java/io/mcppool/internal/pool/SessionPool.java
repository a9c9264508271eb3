package io.mcppool.internal.pool;

import io.mcppool.status.EndpointSnapshot;
import io.mcppool.config.PoolSettings;
import io.mcppool.events.PoolEvents;
import io.mcppool.events.SessionCloseReason;
import io.mcppool.protocol.McpMethods;
import io.mcppool.internal.session.McpSession;
import io.mcppool.internal.session.SessionListener;
import io.mcppool.internal.transport.StdioTransport;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sessions of one endpoint, handed out as in-flight slots: each session carries up to
 * {@code slotsPerSession} requests at once, and another session is opened (in the background) only
 * when every open one is full.
 *
 * <p>The fast path takes a slot with one CAS on the least loaded session, without a lock. A caller
 * that finds none waits in a queue for at most its acquire timeout; a released slot goes straight
 * to the oldest waiter. Opening, validating, pinging, retiring and replacing sessions all happen
 * off the caller's thread: callers only ever wait on the pool itself.
 */
public final class SessionPool implements EndpointPool {
    private static final Logger log = LoggerFactory.getLogger(SessionPool.class);
    private static final PooledSession[] NONE = new PooledSession[0];
    private static final long FIRST_OPEN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MAX_OPEN_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** The least time sessions get to end when the grace period is spent by calls in flight. */
    private static final Duration MIN_CLOSE_BUDGET = Duration.ofMillis(500);

    private final String server;
    private final String endpoint;
    private final PoolSettings settings;
    private final int slots;
    private final SessionFactory factory;
    private final ScheduledExecutorService timer;
    private final ExecutorService background;
    private final Duration connectTimeout;
    private final SessionNotices notices;
    private final PoolEvents events;
    private final SessionListener sessionListener = new Listener();
    private final ProcessSupervisor supervisor;

    private final ReentrantLock membership = new ReentrantLock();
    private volatile PooledSession[] sessions = NONE;
    private final AtomicInteger opening = new AtomicInteger();
    private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waiterCount = new AtomicInteger();
    /** Slots held by the pool's own work (see {@link Lease#background()}), which close() does not wait for. */
    private final AtomicInteger backgroundLeases = new AtomicInteger();

    private volatile boolean closed;
    private volatile SessionCloseReason shutdownReason = SessionCloseReason.POOL_CLOSED;
    private volatile Throwable lastOpenFailure;
    private volatile long nextOpenAllowedNanos;
    private final AtomicInteger consecutiveOpenFailures = new AtomicInteger();
    private volatile ScheduledFuture<?> scheduledOpen;

    private final LongAdder sessionsOpened = new LongAdder();
    private final LongAdder sessionsClosed = new LongAdder();
    private final LongAdder acquireTimeouts = new LongAdder();

    public SessionPool(PoolContext context, PoolSettings settings) {
        this.server = context.server();
        this.endpoint = context.endpoint();
        this.settings = settings;
        this.slots = settings.slotsPerSession();
        this.connectTimeout = context.connectTimeout();
        this.factory = context.factory();
        this.timer = context.timer();
        this.background = context.background();
        this.notices = context.notices();
        this.events = context.events();
        this.supervisor = context.supervisor();
    }

    @Override
    public void start() {
        maybeOpen(); // opens up to minSessions in the background
    }

    // ---------------------------------------------------------------- acquire and release

    @Override
    public CompletableFuture<Lease> acquire(String affinityKey, long timeoutNanos) {
        if (closed) {
            return CompletableFuture.failedFuture(new PoolClosingException("pool of '" + server + "' is closed"));
        }
        PooledSession ps = takeSlot();
        if (ps != null) {
            if (needsValidation(ps)) {
                return validateThenLease(ps, timeoutNanos);
            }
            return CompletableFuture.completedFuture(new Lease(ps));
        }
        if (timeoutNanos <= 0) {
            acquireTimeouts.increment();
            return CompletableFuture.failedFuture(exhausted(0));
        }
        Waiter w = new Waiter(timeoutNanos);
        w.expiry = timer.schedule(w, timeoutNanos, TimeUnit.NANOSECONDS);
        waiterCount.incrementAndGet();
        waiters.add(w);
        if (closed) {
            // close() may have drained the queue between the check above and the add: it would never see this
            // waiter, and no session would ever come for it (a sticky key's pool expiring as its first call comes in).
            failClosing(w);
            return w;
        }
        maybeOpen();
        dispatch();
        return w;
    }

    /** The least loaded usable session with a free slot, with that slot taken; null if none. */
    private PooledSession takeSlot() {
        PooledSession[] all = sessions;
        while (true) {
            PooledSession best = null;
            int bestLoad = Integer.MAX_VALUE;
            for (PooledSession ps : all) {
                int load = ps.leased.get();
                if (load >= 0 && load < slots && load < bestLoad && !ps.retiring && ps.session.isOpen()) {
                    best = ps;
                    bestLoad = load;
                    if (load == 0) {
                        break;
                    }
                }
            }
            if (best == null) {
                return null;
            }
            if (best.tryTake(slots)) {
                return best;
            }
            all = sessions; // lost a race for that slot: look again
        }
    }

    private boolean needsValidation(PooledSession ps) {
        long window = settings.validateAfterIdle().toNanos();
        return window > 0 && ps.leased.get() == 1 && System.nanoTime() - ps.lastUsedNanos > window;
    }

    /** A session idle for long may have died quietly (a proxy dropped it): ping it before handing it out. */
    private CompletableFuture<Lease> validateThenLease(PooledSession ps, long timeoutNanos) {
        long started = System.nanoTime();
        long pingTimeout = Math.min(timeoutNanos, connectTimeout.toNanos());
        return ps.session.ping(pingTimeout).handle((ok, error) -> {
            if (error == null) {
                ps.lastUsedNanos = System.nanoTime();
                return CompletableFuture.completedFuture(new Lease(ps));
            }
            log.info("server '{}' ({}): idle session failed validation ({}); replacing it", server, endpoint,
                    error.getMessage());
            ps.leased.decrementAndGet();
            retire(ps, SessionCloseReason.VALIDATION_FAILED, "failed validation");
            return acquire(null, timeoutNanos - (System.nanoTime() - started));
        }).thenCompose(f -> f);
    }

    void backgroundLeased(int delta) {
        backgroundLeases.addAndGet(delta);
    }

    void release(PooledSession ps) {
        ps.lastUsedNanos = System.nanoTime();
        if (!ps.retiring && waiterCount.get() > 0 && handOff(ps)) {
            return;
        }
        int left = ps.leased.decrementAndGet();
        if (left == 0 && ps.retiring) {
            closeIfIdle(ps);
        }
        if (waiterCount.get() > 0) {
            dispatch();
        }
    }

    /** Gives the caller's slot on {@code ps} directly to the oldest live waiter. */
    private boolean handOff(PooledSession ps) {
        Waiter w;
        while ((w = pollWaiter()) != null) {
            if (w.complete(new Lease(ps))) {
                w.cancelExpiry();
                return true;
            }
        }
        return false;
    }

    /** Matches free slots with waiters until one of them runs out. Safe to call from anywhere. */
    private void dispatch() {
        while (waiterCount.get() > 0) {
            PooledSession ps = takeSlot();
            if (ps == null) {
                return;
            }
            Waiter w = pollWaiter();
            if (w == null) {
                undoTake(ps);
                return;
            }
            if (w.complete(new Lease(ps))) {
                w.cancelExpiry();
            } else {
                undoTake(ps);
            }
        }
    }

    private void undoTake(PooledSession ps) {
        if (ps.leased.decrementAndGet() == 0 && ps.retiring) {
            closeIfIdle(ps);
        }
    }

    private Waiter pollWaiter() {
        Waiter w;
        while ((w = waiters.poll()) != null) {
            waiterCount.decrementAndGet();
            if (!w.isDone()) {
                return w;
            }
        }
        return null;
    }

    private AcquireTimeoutException exhausted(long waitedNanos) {
        Throwable cause = lastOpenFailure;
        PooledSession[] all = sessions;
        int inFlight = 0;
        for (PooledSession ps : all) {
            inFlight += ps.inFlight();
        }
        String state = all.length + " of " + settings.maxSessions() + " sessions open, " + inFlight + " of "
                + all.length * slots + " slots in use, " + opening.get() + " opening";
        String why = cause == null ? "" : "; last attempt to open a session failed: " + cause.getMessage();
        return new AcquireTimeoutException("no session slot free within " + TimeUnit.NANOSECONDS.toMillis(waitedNanos)
                + " ms (" + state + why + ")", cause, cause != null && all.length == 0);
    }

    // ---------------------------------------------------------------- opening sessions

    /** Opens a session in the background when waiters need more slots than are coming. */
    private void maybeOpen() {
        if (closed) {
            return;
        }
        while (true) {
            int coming = opening.get();
            int total = sessions.length + coming;
            if (total >= settings.maxSessions()) {
                return;
            }
            boolean belowMin = total < settings.minSessions();
            if (!belowMin && waiterCount.get() <= (long) coming * slots) {
                return;
            }
            long wait = nextOpenAllowedNanos - System.nanoTime();
            if (wait > 0) {
                scheduleOpen(wait);
                return;
            }
            if (opening.compareAndSet(coming, coming + 1)) {
                background.execute(this::openOne);
                if (!belowMin) {
                    return;
                }
            }
        }
    }

    private void scheduleOpen(long delayNanos) {
        ScheduledFuture<?> f = scheduledOpen;
        if (f == null || f.isDone()) {
            scheduledOpen = timer.schedule(this::maybeOpen, delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void openOne() {
        McpSession session = null;
        boolean startReported = false;
        try {
            session = factory.create(sessionListener);
            // The handshake has its own connectTimeout deadline; this wait is only a backstop behind it.
            session.open().get(connectTimeout.toNanos() + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
            long now = System.nanoTime();
            PooledSession ps = new PooledSession(this, session, now, retireAt(now));
            boolean added = false;
            membership.lock();
            try {
                if (!closed) {
                    PooledSession[] next = Arrays.copyOf(sessions, sessions.length + 1);
                    next[next.length - 1] = ps;
                    sessions = next;
                    added = true;
                }
            } finally {
                membership.unlock();
            }
            opening.decrementAndGet();
            // Reported whether or not it joins the pool: its exit is reported either way, and a listener matches
            // exits to starts.
            startReported = true;
            reportStarted(session);
            if (!added) {
                closeInBackground(session, null);
                return;
            }
            consecutiveOpenFailures.set(0);
            lastOpenFailure = null;
            nextOpenAllowedNanos = 0;
            sessionsOpened.increment();
            String version = session.initializeResult().protocolVersion();
            log.info("server '{}' ({}): session opened ({} of max {}), protocol {}", server, endpoint, sessions.length,
                    settings.maxSessions(), version);
            if (session.transport() instanceof StdioTransport stdio && supervisor.started()) {
                events.processRestarted(server, endpoint, stdio.pid(), (int) supervisor.restarts());
            }
            events.sessionOpened(server, endpoint, version);
            if (!session.isOpen()) {
                onSessionClosed(session); // it died between the handshake and joining the pool
            } else {
                notices.joined(session);
            }
            dispatch();
            maybeOpen();
        } catch (Throwable e) {
            Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
            if (e instanceof java.util.concurrent.TimeoutException) {
                cause = new java.util.concurrent.TimeoutException("the handshake did not finish within "
                        + connectTimeout.toMillis() + " ms (connectTimeout) and its own deadline did not fire");
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            if (session != null) {
                if (!startReported) { // the process may have started before the handshake failed
                    reportStarted(session);
                }
                closeInBackground(session, null);
            }
            opening.decrementAndGet();
            onOpenFailed(cause);
        }
    }

    private void onOpenFailed(Throwable cause) {
        lastOpenFailure = cause;
        notices.openFailed(cause);
        events.sessionOpenFailed(server, endpoint, cause);
        int failures = consecutiveOpenFailures.incrementAndGet();
        // Doubling from 100 ms, within the operator's supervision.maxBackoff when that is shorter: a process killed
        // while it starts is retried as soon as a crashed one would be, not after a longer wait of the pool's own.
        // Never under 100 ms, though: a maxBackoff of 0 must not turn a server that cannot start into a fork loop.
        long cap = Math.max(FIRST_OPEN_BACKOFF_NANOS, Math.min(MAX_OPEN_BACKOFF_NANOS, supervisor.maxBackoffNanos()));
        long backoff = Math.min(cap, FIRST_OPEN_BACKOFF_NANOS << Math.min(failures - 1, 10));
        nextOpenAllowedNanos = System.nanoTime() + backoff;
        log.warn("server '{}' ({}): opening a session failed (attempt {}): {}", server, endpoint, failures,
                cause.getMessage());
        if (closed) {
            return;
        }
        // Nothing is open or coming: the waiters would only wait out their timeouts. Tell them now.
        if (sessions.length == 0 && opening.get() == 0) {
            Waiter w;
            while ((w = pollWaiter()) != null) {
                acquireTimeouts.increment(); // counted before the caller can see it
                if (w.completeExceptionally(new AcquireTimeoutException(
                        "could not open a session: " + cause.getMessage(), cause, true))) {
                    w.cancelExpiry();
                } else {
                    acquireTimeouts.decrement();
                }
            }
        }
        if (sessions.length + opening.get() < settings.minSessions()) {
            scheduleOpen(backoff);
        }
    }

    private long retireAt(long now) {
        long lifetime = settings.maxLifetime().toNanos();
        if (lifetime <= 0) {
            return Long.MAX_VALUE;
        }
        // Up to 10% jitter, so sessions opened together do not all retire together.
        long jitter = (long) (lifetime * 0.1 * ThreadLocalRandom.current().nextDouble());
        return now + lifetime - jitter;
    }

    // ---------------------------------------------------------------- closing sessions

    /** The session ended on its own (or under the pool's close); sessions the pool retired are reported by closeIfIdle. */
    private void onSessionClosed(McpSession session) {
        PooledSession gone = remove(session);
        if (gone == null) {
            return;
        }
        gone.leased.set(PooledSession.CLOSED);
        sessionsClosed.increment();
        SessionCloseReason reason = closed ? shutdownReason : SessionCloseReason.BROKEN;
        events.sessionClosed(server, endpoint, reason);
        if (reason == SessionCloseReason.BROKEN && session.transport() instanceof StdioTransport stdio
                && gone.exitReported.compareAndSet(false, true)) {
            events.processExited(server, endpoint, stdio.pid(), stdio.exitCode(), false);
            // Supervision paces the replacement: a crash loop must not become a fork loop.
            long delay = supervisor.crashed(stdio.exitCode(), System.nanoTime() - gone.openedAtNanos);
            long allowed = System.nanoTime() + delay;
            if (allowed - nextOpenAllowedNanos > 0) {
                nextOpenAllowedNanos = allowed;
            }
        }
        if (!closed) {
            log.info("server '{}' ({}): session lost; {} left, replacing in the background as needed", server, endpoint,
                    sessions.length);
            maybeOpen();
        }
    }

    private PooledSession remove(McpSession session) {
        membership.lock();
        try {
            PooledSession[] all = sessions;
            for (int i = 0; i < all.length; i++) {
                if (all[i].session == session) {
                    PooledSession[] next = new PooledSession[all.length - 1];
                    System.arraycopy(all, 0, next, 0, i);
                    System.arraycopy(all, i + 1, next, i, all.length - i - 1);
                    sessions = next;
                    return all[i];
                }
            }
            return null;
        } finally {
            membership.unlock();
        }
    }

    /** Takes the session out of rotation; closes it now if idle, else when its last slot is released. */
    private void retire(PooledSession ps, SessionCloseReason reason, String detail) {
        ps.closeReason = reason;
        ps.retiring = true;
        log.info("server '{}' ({}): retiring a session ({})", server, endpoint, detail);
        closeIfIdle(ps);
    }

    private void closeIfIdle(PooledSession ps) {
        if (ps.tryCloseIfIdle()) {
            if (remove(ps.session) != null) {
                sessionsClosed.increment();
                events.sessionClosed(server, endpoint, ps.closeReason);
            }
            closeInBackground(ps.session, ps);
            maybeOpen();
        }
    }

    /** Closes a session off the caller's thread; {@code pooled} is its place in the pool, null if it never joined. */
    private void closeInBackground(McpSession session, PooledSession pooled) {
        Runnable close = () -> {
            session.close();
            reportExpectedExit(session, pooled);
        };
        try {
            background.execute(close);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            close.run();
        }
    }

    private void reportStarted(McpSession session) {
        if (session.transport() instanceof StdioTransport stdio && stdio.pid() > 0) {
            events.processStarted(server, endpoint, stdio.pid());
        }
    }

    /** Reports a process's exit once: a session the pool retires while it closes is closed by both. */
    private void reportExpectedExit(McpSession session, PooledSession pooled) {
        if (session.transport() instanceof StdioTransport stdio && stdio.pid() > 0
                && (pooled == null || pooled.exitReported.compareAndSet(false, true))) {
            events.processExited(server, endpoint, stdio.pid(), stdio.exitCode(), true);
        }
    }

    /**
     * Whether a call routed here now would find a session without waiting for one to start: a session
     * is open, or none is needed yet (nothing failed, nothing is starting, no restart is pending). A
     * server with other endpoints sends its calls to those while this one is not ready.
     */
    @Override
    public boolean ready() {
        for (PooledSession ps : sessions) {
            if (!ps.retiring && ps.session.isOpen()) {
                return true;
            }
        }
        return !closed && opening.get() == 0 && lastOpenFailure == null && nextOpenAllowedNanos - System.nanoTime() <= 0;
    }

    // ---------------------------------------------------------------- housekeeping

    @Override
    public void housekeep() {
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        long idleLimit = settings.idleTimeout().toNanos();
        long keepalive = settings.keepaliveInterval().toNanos();
        PooledSession[] all = sessions;
        int remaining = all.length;
        for (PooledSession ps : all) {
            if (!ps.session.isOpen()) {
                onSessionClosed(ps.session);
                remaining--;
                continue;
            }
            boolean idle = ps.leased.get() == 0;
            if (now - ps.retireAtNanos >= 0) {
                retire(ps, SessionCloseReason.MAX_LIFETIME, "maxLifetime reached");
                remaining--;
            } else if (idle && idleLimit > 0 && remaining > settings.minSessions() && now - ps.lastUsedNanos > idleLimit) {
                retire(ps, SessionCloseReason.IDLE, "idle for " + settings.idleTimeout());
                remaining--;
            } else if (idle && keepalive > 0 && now - ps.lastUsedNanos > keepalive) {
                keepalive(ps);
            }
        }
        supervisor.tick(remaining > 0);
        maybeOpen();
    }

    private void keepalive(PooledSession ps) {
        if (!ps.pinging.compareAndSet(false, true)) {
            return;
        }
        ps.session.ping(connectTimeout.toNanos()).whenComplete((ok, error) -> {
            ps.pinging.set(false);
            if (error != null) {
                log.info("server '{}' ({}): keepalive ping failed ({}); replacing the session", server, endpoint,
                        error.getMessage());
                retire(ps, SessionCloseReason.KEEPALIVE_FAILED, "keepalive failed");
            }
        });
    }

    // ---------------------------------------------------------------- close and state

    @Override
    public void close(Duration grace) {
        close(grace, SessionCloseReason.POOL_CLOSED);
    }

    /** Closes the pool, reporting its sessions as closed for {@code reason}. */
    void close(Duration grace, SessionCloseReason reason) {
        shutdownReason = reason;
        closed = true;
        ScheduledFuture<?> f = scheduledOpen;
        if (f != null) {
            f.cancel(false);
        }
        Waiter w;
        while ((w = pollWaiter()) != null) {
            failClosing(w);
        }
        long deadline = System.nanoTime() + grace.toNanos();
        for (PooledSession ps : sessions) {
            ps.closeReason = reason; // a session whose last call ends now is closed for this reason, not as idle
            ps.retiring = true;
        }
        // Let in-flight calls finish within the grace period, no longer than they need (a health check or a listing
        // stuck on a server that stopped answering is not a call); polling is fine on this one-off path.
        while (inFlight() - backgroundLeases.get() > 0 && deadline - System.nanoTime() > 0) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        // The sessions end within what is left of the grace, but a process gets at least a moment to go quietly.
        Duration left = Duration.ofNanos(Math.max(deadline - System.nanoTime(), MIN_CLOSE_BUDGET.toNanos()));
        Concurrently.forEach("mcp-pool-close-" + server, List.of(sessions), ps -> {
            ps.session.close(left);
            reportExpectedExit(ps.session, ps);
        });
        sessions = NONE;
    }

    private void failClosing(Waiter w) {
        if (waiters.remove(w)) {
            waiterCount.decrementAndGet();
        }
        if (w.completeExceptionally(new PoolClosingException("pool of '" + server + "' is closing"))) {
            w.cancelExpiry();
        }
    }

    private int inFlight() {
        int n = 0;
        for (PooledSession ps : sessions) {
            n += ps.inFlight();
        }
        return n;
    }

    @Override
    public EndpointSnapshot snapshot() {
        PooledSession[] all = sessions;
        int inFlight = 0;
        int idle = 0;
        for (PooledSession ps : all) {
            int n = ps.inFlight();
            inFlight += n;
            if (n == 0) {
                idle++;
            }
        }
        Throwable failure = lastOpenFailure;
        return new EndpointSnapshot(endpoint, settings.mode().configName(), all.length, idle, opening.get(), inFlight,
                all.length * slots, Math.max(0, waiterCount.get()), sessionsOpened.sum(), sessionsClosed.sum(),
                acquireTimeouts.sum(), failure == null ? null : failure.getMessage());
    }

    /** The sessions currently in the pool (for tests and supervision). */
    public List<McpSession> sessions() {
        return Arrays.stream(sessions).map(ps -> ps.session).toList();
    }

    boolean isEmpty() {
        return sessions.length == 0 && opening.get() == 0 && waiterCount.get() == 0;
    }

    /** A caller waiting for a slot: completed by a release, a new session, or its own expiry. */
    private final class Waiter extends CompletableFuture<Lease> implements Runnable {
        private final long timeoutNanos;
        volatile ScheduledFuture<?> expiry;

        Waiter(long timeoutNanos) {
            this.timeoutNanos = timeoutNanos;
        }

        /** Expiry. The pool's state (queue, counts) is updated before the caller can see the failure. */
        @Override
        public void run() {
            if (isDone()) {
                return;
            }
            if (waiters.remove(this)) {
                waiterCount.decrementAndGet();
            }
            AcquireTimeoutException exhausted = exhausted(timeoutNanos);
            acquireTimeouts.increment();
            if (!completeExceptionally(exhausted)) {
                acquireTimeouts.decrement(); // a slot reached it first
            }
        }

        void cancelExpiry() {
            ScheduledFuture<?> f = expiry;
            if (f != null) {
                f.cancel(false);
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                cancelExpiry();
                if (waiters.remove(this)) {
                    waiterCount.decrementAndGet();
                }
            }
            return cancelled;
        }
    }

    private final class Listener implements SessionListener {
        @Override
        public void onToolsListChanged(McpSession session) {
            notices.listChanged(session, McpMethods.TOOLS_LIST_CHANGED);
        }

        @Override
        public void onResourcesListChanged(McpSession session) {
            notices.listChanged(session, McpMethods.RESOURCES_LIST_CHANGED);
        }

        @Override
        public void onPromptsListChanged(McpSession session) {
            notices.listChanged(session, McpMethods.PROMPTS_LIST_CHANGED);
        }

        @Override
        public void onClosed(McpSession session, Throwable cause) {
            onSessionClosed(session);
        }
    }
}
