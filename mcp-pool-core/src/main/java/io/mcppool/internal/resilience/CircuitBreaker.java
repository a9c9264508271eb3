package io.mcppool.internal.resilience;

import io.mcppool.config.BreakerSettings;
import io.mcppool.status.BreakerControl;
import io.mcppool.status.BreakerSnapshot;
import io.mcppool.status.BreakerState;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * One endpoint's circuit breaker: closed, open, half-open (plus the operator's forced states).
 *
 * <p>Made for the multiplexed, asynchronous call path: a call takes a permit when it is routed
 * ({@link #tryAcquire()}, one volatile read while closed) and reports the outcome whenever its answer
 * arrives, on whatever thread that is. A permit carries the breaker's epoch, so an outcome that arrives
 * after the state changed (a slow call that started before the breaker opened) does not count towards
 * the new state. Outcomes are recorded under a short lock; nothing ever waits on the breaker.
 *
 * <p>Opens on a failure rate or a slow-call rate over a window of the latest calls (once it holds
 * {@code minCalls}), or on consecutive failures; after {@code openFor} it lets {@code halfOpenCalls}
 * trial calls through: all succeed and it closes, one fails (or is slow) and it opens again. What
 * counts as a failure is the caller's decision ({@link Retries#countsAgainstEndpoint}).
 *
 * <p>Fairness between callers: a timeout or a slow call may be the caller's doing (it asked for a long-running
 * tool) rather than the endpoint's. Such an outcome can be attributed to a caller ({@link #onTimeout},
 * {@link #onSuccess(long, long, Object)}); attributed timeouts and slow calls move the breaker towards open only with
 * evidence from at least two callers: the closed breaker does not open on a rule (consecutive failures, failure
 * rate, slow-call rate) whose failures or slow calls are all one caller's timeouts and slow calls. Other failures
 * (connection, transport, protocol, throttling) and unattributed outcomes count whoever met them. A half-open breaker
 * judges its trial calls as before: one failing or slow trial opens it again.
 */
public final class CircuitBreaker {

    /** Told of every state change, after it happened, outside the breaker's lock. */
    @FunctionalInterface
    public interface Listener {
        void stateChanged(BreakerState from, BreakerState to, String reason);
    }

    /** Returned by {@link #tryAcquire()} when the breaker refuses the call. */
    public static final long REFUSED = -1;
    /**
     * A permit that does not count: for a request that may go where calls may go but whose outcome must not
     * move the breaker (a background listing). Every outcome method ignores it, as it ignores any negative permit.
     */
    public static final long NO_VOTE = -2;

    private static final byte FAILED = 1;
    private static final byte SLOW = 2;
    /** With {@link #FAILED}: the failure was a timeout, which a caller may have caused. */
    private static final byte TIMED_OUT = 4;

    private final BreakerSettings settings;
    private final LongSupplier nanoClock;
    private final Listener listener;
    private final long openForNanos;
    private final long slowNanos;
    private final ReentrantLock lock = new ReentrantLock();
    /**
     * The half-open trial permits left, tagged with the epoch they belong to: {@code epoch << 20 | permits}.
     * One CAS takes a permit of the right state, so a caller that raced a reopen cannot take (and lose)
     * a permit of the next half-open period.
     */
    private final AtomicLong trial = new AtomicLong();
    private static final int PERMIT_BITS = 20;
    private static final long PERMIT_MASK = (1L << PERMIT_BITS) - 1;

    private volatile BreakerState state;
    private volatile long epoch;
    private volatile long openedAtNanos;
    private volatile String lastReason = "";

    // Guarded by lock.
    private final byte[] window;
    /** Who each call of the window was made for ({@link #window}'s twin); null: unattributed. */
    private final Object[] callers;
    /** The first caller of the attributed timeouts in the current run of consecutive failures. */
    private Object runCaller;
    /** The current run of consecutive failures has evidence enough to open: a hard failure, or two callers. */
    private boolean runEvidence;
    private int next;
    private int size;
    private int failures;
    private int slowCalls;
    private int consecutiveFailures;
    private int trialSuccesses;
    private long timesOpened;

    public CircuitBreaker(BreakerSettings settings, LongSupplier nanoClock, Listener listener) {
        this.settings = settings;
        this.nanoClock = nanoClock;
        this.listener = listener;
        this.openForNanos = settings.openFor().toNanos();
        this.slowNanos = settings.slowCall().toNanos();
        this.window = new byte[settings.window()];
        this.callers = new Object[settings.window()];
        this.state = settings.enabled() ? BreakerState.CLOSED : BreakerState.DISABLED;
    }

    public CircuitBreaker(BreakerSettings settings) {
        this(settings, System::nanoTime, (from, to, reason) -> { });
    }

    // ---------------------------------------------------------------- the call path

    /** A permit for one call, or {@link #REFUSED}. Hand the permit back with exactly one of the outcome methods. */
    public long tryAcquire() {
        while (true) {
            BreakerState s = state;
            long e = epoch;
            switch (s) {
                case CLOSED, FORCED_CLOSED, DISABLED:
                    return e;
                case FORCED_OPEN:
                    return REFUSED;
                case OPEN:
                    if (nanoClock.getAsLong() - openedAtNanos < openForNanos) {
                        return REFUSED;
                    }
                    toHalfOpen(e);
                    continue;
                case HALF_OPEN:
                    long t = trial.get();
                    if (t >>> PERMIT_BITS != e) {
                        continue; // the state moved on since it was read
                    }
                    if ((t & PERMIT_MASK) == 0) {
                        return REFUSED;
                    }
                    if (trial.compareAndSet(t, t - 1)) {
                        return e;
                    }
                    continue;
                default:
                    throw new IllegalStateException(s.name());
            }
        }
    }

    /**
     * Whether a call would get a permit now, without taking one: for the balancer, which must not
     * spend a half-open breaker's trial permits on endpoints it then does not pick.
     */
    public boolean permitsCalls() {
        return switch (state) {
            case CLOSED, FORCED_CLOSED, DISABLED -> true;
            case FORCED_OPEN -> false;
            case OPEN -> nanoClock.getAsLong() - openedAtNanos >= openForNanos;
            case HALF_OPEN -> (trial.get() & PERMIT_MASK) > 0;
        };
    }

    public void onSuccess(long permit, long durationNanos) {
        onSuccess(permit, durationNanos, null);
    }

    /** A success; if it was slow, the slowness is {@code caller}'s (null: nobody's in particular). */
    public void onSuccess(long permit, long durationNanos, Object caller) {
        record(permit, durationNanos > slowNanos ? SLOW : 0, caller);
    }

    public void onFailure(long permit, long durationNanos) {
        onFailure(permit, durationNanos, null);
    }

    /** A failure of the endpoint, which counts whoever met it; if it was slow, the slowness is {@code caller}'s. */
    public void onFailure(long permit, long durationNanos, Object caller) {
        record(permit, (byte) (FAILED | (durationNanos > slowNanos ? SLOW : 0)), caller);
    }

    /**
     * A call that timed out at the endpoint's own deadline, made for {@code caller} (null: unattributed, it counts as
     * any failure). One caller's timeouts alone do not open the breaker (see the class comment).
     */
    public void onTimeout(long permit, long durationNanos, Object caller) {
        record(permit, (byte) (FAILED | TIMED_OUT | (durationNanos > slowNanos ? SLOW : 0)), caller);
    }

    /**
     * A failure seen outside any call: the pool could not open a session to the endpoint. Counts like a
     * failed call (and ends a half-open trial), so an endpoint nobody calls still shows it is down.
     */
    public void recordFailure() {
        record(epoch, FAILED, null);
    }

    /** The call ended in a way that says nothing about the endpoint (cancelled, a bad request): the permit is returned. */
    public void onIgnored(long permit) {
        while (permit >= 0 && state == BreakerState.HALF_OPEN) {
            long t = trial.get();
            if (t >>> PERMIT_BITS != permit || trial.compareAndSet(t, t + 1)) {
                return;
            }
        }
    }

    private void record(long permit, byte outcome, Object caller) {
        BreakerState s = state;
        if (permit < 0 || (s != BreakerState.CLOSED && s != BreakerState.HALF_OPEN)) {
            return; // forced, disabled or open: outcomes do not move the breaker
        }
        Transition t = null;
        lock.lock();
        try {
            if (permit != epoch) {
                return;
            }
            if (state == BreakerState.CLOSED) {
                t = recordClosed(outcome, caller);
            } else if (state == BreakerState.HALF_OPEN) {
                t = recordHalfOpen(outcome);
            }
        } finally {
            lock.unlock();
        }
        fire(t);
    }

    private Transition recordClosed(byte outcome, Object caller) {
        if (size == window.length) {
            byte old = window[next];
            failures -= old & FAILED;
            slowCalls -= (old & SLOW) >> 1;
        } else {
            size++;
        }
        window[next] = outcome;
        callers[next] = caller;
        next = (next + 1) % window.length;
        boolean failed = (outcome & FAILED) != 0;
        failures += failed ? 1 : 0;
        slowCalls += (outcome & SLOW) != 0 ? 1 : 0;
        if (failed) {
            if (consecutiveFailures == 0) {
                runCaller = null;
                runEvidence = false;
            }
            consecutiveFailures++;
            if (!runEvidence) {
                if ((outcome & TIMED_OUT) == 0 || caller == null) {
                    runEvidence = true; // a failure of the endpoint's own, or nobody's in particular
                } else if (runCaller == null) {
                    runCaller = caller;
                } else {
                    runEvidence = !runCaller.equals(caller);
                }
            }
        } else {
            consecutiveFailures = 0;
        }

        int limit = settings.consecutiveFailures();
        if (limit > 0 && consecutiveFailures >= limit && runEvidence) {
            return open(BreakerState.CLOSED, consecutiveFailures + " consecutive failures");
        }
        if (size >= settings.minCalls()) {
            if (failures * 100 >= settings.failureRate() * size && evidence(FAILED)) {
                return open(BreakerState.CLOSED, failures + " of the last " + size + " calls failed (threshold "
                        + settings.failureRate() + "%)");
            }
            if (slowCalls * 100 >= settings.slowCallRate() * size && evidence(SLOW)) {
                return open(BreakerState.CLOSED, slowCalls + " of the last " + size + " calls took over "
                        + settings.slowCall().toMillis() + " ms (threshold " + settings.slowCallRate() + "%)");
            }
        }
        return null;
    }

    /**
     * Whether the window's calls with {@code flag} (failed, or slow) may open the breaker: one of them is the
     * endpoint's own doing (a failure other than a timeout) or nobody's in particular, or they are at least two
     * callers'. Under the lock; runs only when a rate is over its threshold.
     */
    private boolean evidence(byte flag) {
        Object first = null;
        for (int i = 0; i < size; i++) {
            byte o = window[i];
            if ((o & flag) == 0) {
                continue;
            }
            Object caller = callers[i];
            boolean attributed = caller != null && (flag == SLOW || (o & TIMED_OUT) != 0);
            if (!attributed) {
                return true;
            }
            if (first == null) {
                first = caller;
            } else if (!first.equals(caller)) {
                return true;
            }
        }
        return false;
    }

    private Transition recordHalfOpen(byte outcome) {
        if (outcome != 0) {
            return open(BreakerState.HALF_OPEN, (outcome & FAILED) != 0 ? "a trial call failed" : "a trial call was slow");
        }
        if (++trialSuccesses >= settings.halfOpenCalls()) {
            clearWindow();
            return enter(BreakerState.HALF_OPEN, BreakerState.CLOSED, trialSuccesses + " trial calls succeeded");
        }
        return null;
    }

    // ---------------------------------------------------------------- transitions

    private record Transition(BreakerState from, BreakerState to, String reason) {
    }

    /** Under the lock. */
    private Transition open(BreakerState from, String reason) {
        openedAtNanos = nanoClock.getAsLong();
        timesOpened++;
        return enter(from, BreakerState.OPEN, reason);
    }

    /** Under the lock. */
    private Transition enter(BreakerState from, BreakerState to, String reason) {
        trialSuccesses = 0;
        lastReason = reason;
        epoch++;
        trial.set(epoch << PERMIT_BITS | (to == BreakerState.HALF_OPEN ? settings.halfOpenCalls() : 0));
        state = to;
        return new Transition(from, to, reason);
    }

    private void toHalfOpen(long seenEpoch) {
        Transition t = null;
        lock.lock();
        try {
            if (epoch == seenEpoch && state == BreakerState.OPEN && nanoClock.getAsLong() - openedAtNanos >= openForNanos) {
                t = enter(BreakerState.OPEN, BreakerState.HALF_OPEN, "open for " + settings.openFor().toMillis() + " ms");
            }
        } finally {
            lock.unlock();
        }
        fire(t);
    }

    /** Moves an open breaker whose time is up to half-open, so its state reads right without traffic. */
    public void refresh() {
        if (state == BreakerState.OPEN && nanoClock.getAsLong() - openedAtNanos >= openForNanos) {
            toHalfOpen(epoch);
        }
    }

    private void fire(Transition t) {
        if (t != null) {
            listener.stateChanged(t.from, t.to, t.reason);
        }
    }

    private void clearWindow() {
        next = 0;
        size = 0;
        java.util.Arrays.fill(callers, null);
        runCaller = null;
        runEvidence = false;
        failures = 0;
        slowCalls = 0;
        consecutiveFailures = 0;
    }

    // ---------------------------------------------------------------- operator controls

    /** The operator's view of this breaker: it reads and forces, and cannot reach the permit methods by a cast. */
    public BreakerControl control() {
        return control;
    }

    private final BreakerControl control = new BreakerControl() {
        @Override
        public BreakerState state() {
            return CircuitBreaker.this.state();
        }

        @Override
        public BreakerSnapshot snapshot() {
            return CircuitBreaker.this.snapshot();
        }

        @Override
        public void forceOpen() {
            CircuitBreaker.this.forceOpen();
        }

        @Override
        public void forceClosed() {
            CircuitBreaker.this.forceClosed();
        }

        @Override
        public void reset() {
            CircuitBreaker.this.reset();
        }

        @Override
        public String toString() {
            return CircuitBreaker.this.describe();
        }
    };

    /** Refuses every call until {@link #reset()} or {@link #forceClosed()}. */
    public void forceOpen() {
        force(BreakerState.FORCED_OPEN, "forced open by an operator");
    }

    /** Lets every call through, whatever happens, until {@link #reset()} or {@link #forceOpen()}. */
    public void forceClosed() {
        force(BreakerState.FORCED_CLOSED, "forced closed by an operator");
    }

    /** Back to closed with an empty window (or to disabled, if the breaker is switched off in config). */
    public void reset() {
        force(settings.enabled() ? BreakerState.CLOSED : BreakerState.DISABLED, "reset by an operator");
    }

    private void force(BreakerState to, String reason) {
        Transition t;
        lock.lock();
        try {
            BreakerState from = state;
            clearWindow();
            if (to == BreakerState.FORCED_OPEN) {
                openedAtNanos = nanoClock.getAsLong();
            }
            t = enter(from, to, reason);
            if (from == to) {
                t = null;
            }
        } finally {
            lock.unlock();
        }
        fire(t);
    }

    // ---------------------------------------------------------------- reading

    public BreakerState state() {
        return state;
    }

    /** Why the breaker is in its state ("5 consecutive failures"); empty when it never changed. */
    public String reason() {
        return lastReason;
    }

    /** How long an open breaker still refuses calls; zero in any other state. */
    public Duration remainingOpen() {
        if (state != BreakerState.OPEN) {
            return Duration.ZERO;
        }
        return Duration.ofNanos(Math.max(0, openForNanos - (nanoClock.getAsLong() - openedAtNanos)));
    }

    /** A snapshot of the breaker's figures. */
    public BreakerSnapshot snapshot() {
        lock.lock();
        try {
            return new BreakerSnapshot(state, lastReason, size, size == 0 ? 0 : failures * 100.0 / size,
                    size == 0 ? 0 : slowCalls * 100.0 / size, consecutiveFailures, timesOpened, remainingOpen().toMillis());
        } finally {
            lock.unlock();
        }
    }

    /** "open for 4.2 s more (5 consecutive failures)", "half_open", "closed": for error messages. */
    public String describe() {
        BreakerState s = state;
        String why = lastReason.isEmpty() ? "" : " (" + lastReason + ")";
        return switch (s) {
            case OPEN -> "breaker open for " + TimeUnit.NANOSECONDS.toMillis(remainingOpen().toNanos()) + " ms more" + why;
            case FORCED_OPEN -> "breaker forced open";
            case HALF_OPEN -> "breaker half-open, " + (trial.get() & PERMIT_MASK) + " trial call(s) left";
            default -> "breaker " + s.tagValue();
        };
    }
}
