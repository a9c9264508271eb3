package io.mcppool.alerts;

import io.mcppool.stats.EndpointMetrics;
import io.mcppool.status.HealthStatus;
import io.mcppool.stats.PoolMetrics;
import io.mcppool.stats.PoolStats;
import io.mcppool.stats.ServerMetrics;
import io.mcppool.stats.WindowStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alert rules over a {@link PoolStats}, each with a listener that is told once when its condition starts to
 * hold ({@link AlertListener#onFire}) and once when it stops ({@link AlertListener#onClear}), per server or
 * endpoint; evaluating again while nothing crossed tells nobody anything.
 *
 * <pre>{@code
 * PoolStats stats = PoolStats.attach(pool);
 * Alerts alerts = Alerts.on(stats)
 *         .add(AlertRule.utilizationAbove(0.80), pager)
 *         .add(AlertRule.errorRateAbove(0.20), pager)
 *         .add(AlertRule.breakerOpen(), pager)
 *         .add(AlertRule.endpointUnhealthy(), pager)
 *         .add(AlertRule.crashLoop(3, Duration.ofMinutes(1)), pager)
 *         .scheduleOn(executor, Duration.ofSeconds(5));
 * }</pre>
 *
 * <p><b>When rules are evaluated.</b> On {@link #evaluate()}, which the owner calls or
 * {@linkplain #scheduleOn schedules}; and after each event that may change a state (breaker, health, failed
 * session open, broken session, unexpected process exit; see {@link PoolStats#addStateListener}), so those
 * alerts fire without waiting for the next tick. Utilization and error rate change with every call and are
 * evaluated only by {@code evaluate()}; crash loops and error rates also clear by time passing, so
 * something must call {@code evaluate()} periodically.
 *
 * <p><b>Threads.</b> Evaluations run one at a time, and listeners are called one at a time, in order, on
 * the evaluating thread: the caller of {@code evaluate()}, the scheduler's thread, or, for event-triggered
 * evaluations, the scheduler's thread once {@code scheduleOn} was called and the event's own thread before.
 * An event never waits for a running evaluation: it asks that one to run again instead.
 *
 * <p>Time comes from the stats' {@link io.mcppool.stats.StatsClock}: with a
 * manual clock (the tests' {@code ManualClock}), a test moves the window and the crash-loop period by hand.
 */
public final class Alerts implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Alerts.class);

    private record Target(String server, String endpoint) {
    }

    private record Observation(double value, boolean fire, boolean clear, String message) {
    }

    private static final class Registration {
        final AlertRule rule;
        final AlertListener listener;
        /** Touched only under {@link #lock}. */
        final Map<Target, Alert> firing = new LinkedHashMap<>();

        Registration(AlertRule rule, AlertListener listener) {
            this.rule = rule;
            this.listener = listener;
        }
    }

    private final PoolStats stats;
    private final ReentrantLock lock = new ReentrantLock();
    private final CopyOnWriteArrayList<Registration> registrations = new CopyOnWriteArrayList<>();
    private final AtomicBoolean rerun = new AtomicBoolean();
    private final AtomicBoolean queued = new AtomicBoolean();
    private final Runnable stateListener = this::stateChanged;
    private volatile Executor eventExecutor;
    private volatile ScheduledFuture<?> schedule;

    private Alerts(PoolStats stats) {
        this.stats = stats;
    }

    /** Alerts over {@code stats}, evaluated on its state-changing events from now on. */
    public static Alerts on(PoolStats stats) {
        Alerts alerts = new Alerts(Objects.requireNonNull(stats));
        stats.addStateListener(alerts.stateListener);
        return alerts;
    }

    /** Watches {@code rule}, telling {@code listener}. The same rule may be added with several listeners. */
    public Alerts add(AlertRule rule, AlertListener listener) {
        registrations.add(new Registration(Objects.requireNonNull(rule), Objects.requireNonNull(listener)));
        return this;
    }

    /** Stops telling {@code listener} anything; its firing alerts are dropped without {@code onClear}. */
    public boolean remove(AlertListener listener) {
        lock.lock();
        try {
            return registrations.removeIf(r -> r.listener == listener);
        } finally {
            lock.unlock();
        }
    }

    /** The alerts firing now, rule by rule in the order they were added. */
    public List<Alert> active() {
        lock.lock();
        try {
            List<Alert> all = new ArrayList<>();
            for (Registration r : registrations) {
                all.addAll(r.firing.values());
            }
            return List.copyOf(all);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Evaluates every rule now (the stats' clock): fires what newly holds, clears what no longer does, and
     * returns when the listeners have been told.
     */
    public void evaluate() {
        lock.lock();
        try {
            rerun.set(false);
            evaluateLocked();
            while (rerun.getAndSet(false)) {
                evaluateLocked();
            }
        } finally {
            lock.unlock();
        }
        if (rerun.get()) {
            evaluateWithoutWaiting();
        }
    }

    /**
     * Evaluates every {@code every} on {@code executor} from now on, and makes event-triggered evaluations
     * run there too (so listeners never run on the pool's threads). {@link #close()} stops it.
     */
    public Alerts scheduleOn(ScheduledExecutorService executor, Duration every) {
        Objects.requireNonNull(executor);
        if (every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException("the evaluation interval must be positive; got " + every);
        }
        ScheduledFuture<?> previous = schedule;
        if (previous != null) {
            previous.cancel(false);
        }
        eventExecutor = executor;
        long nanos = every.toNanos();
        schedule = executor.scheduleWithFixedDelay(this::evaluateQuietly, nanos, nanos, TimeUnit.NANOSECONDS);
        return this;
    }

    /** Stops the schedule and the event-triggered evaluations. Firing alerts stay as they are. */
    @Override
    public void close() {
        stats.removeStateListener(stateListener);
        ScheduledFuture<?> s = schedule;
        schedule = null;
        if (s != null) {
            s.cancel(false);
        }
    }

    // ------------------------------------------------------------------ evaluation

    private void stateChanged() {
        Executor executor = eventExecutor;
        if (executor == null) {
            evaluateWithoutWaiting();
            return;
        }
        if (queued.compareAndSet(false, true)) {
            try {
                executor.execute(() -> {
                    queued.set(false);
                    evaluateQuietly();
                });
            } catch (RejectedExecutionException e) {
                queued.set(false); // the executor is shutting down; the next evaluate() catches up
            }
        }
    }

    /** Evaluates now unless another thread is evaluating; then that thread evaluates once more. */
    private void evaluateWithoutWaiting() {
        while (true) {
            rerun.set(true);
            if (!lock.tryLock()) {
                return; // the holder sees rerun before it lets go, or runs us again after
            }
            try {
                while (rerun.getAndSet(false)) {
                    evaluateLocked();
                }
            } catch (RuntimeException e) {
                log.warn("evaluating alerts failed", e);
            } finally {
                lock.unlock();
            }
            if (!rerun.get()) {
                return;
            }
        }
    }

    private void evaluateQuietly() {
        try {
            evaluate();
        } catch (RuntimeException e) {
            log.warn("evaluating alerts failed", e);
        }
    }

    private void evaluateLocked() {
        if (registrations.isEmpty()) {
            return;
        }
        PoolMetrics metrics = stats.allMetrics();
        Instant at = metrics.takenAt();
        for (Registration r : registrations) {
            evaluate(r, metrics, at);
        }
    }

    private void evaluate(Registration reg, PoolMetrics metrics, Instant at) {
        AlertRule rule = reg.rule;
        Map<Target, Observation> seen = new LinkedHashMap<>();
        for (ServerMetrics s : metrics.servers()) {
            if (!rule.appliesTo(s.name())) {
                continue;
            }
            if (rule.kind() == AlertKind.ERROR_RATE) {
                seen.put(new Target(s.name(), null), errorRate(rule, s, metrics.windowSeconds()));
                continue;
            }
            for (EndpointMetrics e : s.endpoints()) {
                Observation o = switch (rule.kind()) {
                    case UTILIZATION -> utilization(rule, s.name(), e);
                    case BREAKER_OPEN -> breaker(s.name(), e);
                    case ENDPOINT_UNHEALTHY -> unhealthy(s.name(), e);
                    case CRASH_LOOP -> crashLoop(rule, s.name(), e);
                    case ERROR_RATE -> throw new AssertionError();
                };
                if (o != null) {
                    seen.put(new Target(s.name(), e.endpoint()), o);
                }
            }
        }
        for (Map.Entry<Target, Observation> entry : seen.entrySet()) {
            Target t = entry.getKey();
            Observation o = entry.getValue();
            Alert firing = reg.firing.get(t);
            if (firing == null && o.fire()) {
                Alert alert = new Alert(rule.name(), rule.kind(), t.server(), t.endpoint(), o.value(), rule.threshold(),
                        at, null, o.message());
                reg.firing.put(t, alert);
                tell(reg, alert, true);
            } else if (firing != null && o.clear()) {
                reg.firing.remove(t);
                tell(reg, firing.cleared(o.value(), at, o.message()), false);
            }
        }
        Set<Target> gone = new HashSet<>(reg.firing.keySet());
        gone.removeAll(seen.keySet());
        for (Target t : gone) {
            Alert firing = reg.firing.remove(t);
            tell(reg, firing.cleared(0, at, where(t.server(), t.endpoint()) + ": no longer watched (removed from the "
                    + "pool or from the rule)"), false);
        }
    }

    private static void tell(Registration reg, Alert alert, boolean fire) {
        try {
            if (fire) {
                reg.listener.onFire(alert);
            } else {
                reg.listener.onClear(alert);
            }
        } catch (RuntimeException e) {
            log.warn("alert listener {} threw in {} for {}", reg.listener, fire ? "onFire" : "onClear", alert, e);
        }
    }

    private static Observation utilization(AlertRule rule, String server, EndpointMetrics e) {
        EndpointMetrics.Pool pool = e.pool();
        if (pool == null) {
            return null;
        }
        double v = pool.saturation();
        int slots = pool.maxCapacity() > 0 ? pool.maxCapacity() : pool.capacity();
        boolean above = v > rule.threshold();
        String msg = where(server, e.endpoint()) + ": saturation " + percent(v)
                + (above ? " > " + percent(rule.threshold()) : " (clears at " + percent(rule.clearAt()) + " or below)")
                + " (" + pool.inFlight() + " of " + slots + " slots in flight)";
        return new Observation(v, above, v <= rule.clearAt(), msg);
    }

    private static Observation errorRate(AlertRule rule, ServerMetrics s, long windowSeconds) {
        WindowStats w = s.window();
        double v = w.errorRate();
        boolean fire = w.calls() >= rule.minCalls() && v > rule.threshold();
        String msg = "server '" + s.name() + "': error rate " + percent(v)
                + (fire ? " > " + percent(rule.threshold()) : "") + " over the last " + windowSeconds + " s ("
                + w.errors() + " of " + w.calls() + " calls)";
        return new Observation(v, fire, v <= rule.clearAt(), msg);
    }

    private static Observation breaker(String server, EndpointMetrics e) {
        String state = e.breaker().state();
        boolean open = "open".equals(state) || "forced_open".equals(state);
        boolean clear = !open && !"half_open".equals(state);
        return new Observation(open ? 1 : 0, open, clear, where(server, e.endpoint()) + ": circuit breaker " + state);
    }

    private static Observation unhealthy(String server, EndpointMetrics e) {
        boolean bad = e.status() == HealthStatus.UNHEALTHY;
        String msg = where(server, e.endpoint()) + " is " + e.status().tagValue()
                + (e.reasons().isEmpty() ? "" : ": " + String.join("; ", e.reasons()));
        return new Observation(bad ? 1 : 0, bad, !bad, msg);
    }

    private Observation crashLoop(AlertRule rule, String server, EndpointMetrics e) {
        int n = stats.unexpectedExitsWithin(server, e.endpoint(), rule.period());
        String msg = where(server, e.endpoint()) + ": " + n + " unexpected process exit" + (n == 1 ? "" : "s")
                + " within " + seconds(rule.period());
        return new Observation(n, n >= rule.threshold(), n < rule.threshold(), msg);
    }

    private static String where(String server, String endpoint) {
        return "server '" + server + "'" + (endpoint == null ? "" : " endpoint '" + endpoint + "'");
    }

    private static String percent(double fraction) {
        double p = Math.round(fraction * 1000) / 10.0; // one decimal at most: 10.7%, 90%
        return (p == Math.rint(p) ? String.format(Locale.ROOT, "%.0f", p) : String.format(Locale.ROOT, "%.1f", p)) + "%";
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }
}
