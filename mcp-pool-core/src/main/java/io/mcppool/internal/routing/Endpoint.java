package io.mcppool.internal.routing;

import io.mcppool.status.EndpointStatus;
import io.mcppool.status.BreakerState;
import io.mcppool.config.HealthSettings;
import io.mcppool.config.Replica;
import io.mcppool.events.PoolEvents;
import io.mcppool.internal.pool.EndpointPool;
import io.mcppool.internal.pool.ProcessSupervisor;
import io.mcppool.internal.resilience.CircuitBreaker;
import io.mcppool.status.HealthStatus;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One endpoint (replica) of a server at run time: its session pool, circuit breaker, process
 * supervision and health, and the figures balancers read (requests in flight, latency).
 *
 * <p>Health has three inputs: active checks (pings at an interval), supervision (a crash loop), and the
 * breaker, which is passive detection from call outcomes. Failing checks or a crash loop make the
 * endpoint {@linkplain #down() down}: it gets no calls while another endpoint can take them. An open
 * breaker shows as unhealthy too, but refuses calls by itself.
 */
public final class Endpoint implements Balancer.Balanced {
    /** Latency samples older than this weigh 1/e of a fresh one. */
    private static final double LATENCY_DECAY_NANOS = 5e9;

    private final String server;
    private final int index;
    private final String name;
    private final Replica replica;
    private final EndpointPool pool;
    private final CircuitBreaker breaker;
    private final ProcessSupervisor supervisor;
    private final HealthSettings healthSettings;
    private final PoolEvents events;
    private final AtomicInteger outstanding = new AtomicInteger();
    private volatile double latencyNanos;
    private volatile long lastSampleNanos;
    /** The dead session last counted against the breaker. */
    private volatile Object lastDeadSession;

    private final ReentrantLock healthLock = new ReentrantLock();
    private volatile HealthStatus health = HealthStatus.HEALTHY;
    private volatile String healthReason = "not checked yet";
    private volatile Instant healthSince = Instant.now();
    /** Unhealthy by active checks or a crash loop: no calls while another endpoint can take them. */
    private volatile boolean down;
    // Guarded by healthLock.
    private int checkFailures;
    private int checkSuccesses;
    private boolean checksFailing;
    private String lastCheckError = "";
    private boolean crashLoop;
    private String crashLoopReason = "";
    private BreakerState breakerState = BreakerState.CLOSED;
    private String breakerReason = "";

    public Endpoint(String server, int index, String name, Replica replica, EndpointPool pool, CircuitBreaker breaker,
                    ProcessSupervisor supervisor, HealthSettings healthSettings, PoolEvents events) {
        this.server = server;
        this.index = index;
        this.name = name;
        this.replica = replica;
        this.pool = pool;
        this.breaker = breaker;
        this.supervisor = supervisor;
        this.healthSettings = healthSettings;
        this.events = events;
        supervisor.listener(this::crashLoopChanged);
    }

    public int index() {
        return index;
    }

    /** The endpoint's name in metrics, logs and errors; unique within its server. */
    public String name() {
        return name;
    }

    public Replica replica() {
        return replica;
    }

    public EndpointPool pool() {
        return pool;
    }

    public CircuitBreaker breaker() {
        return breaker;
    }

    public ProcessSupervisor supervisor() {
        return supervisor;
    }

    @Override
    public int weight() {
        return replica.weight();
    }

    @Override
    public int tier() {
        return replica.tier();
    }

    @Override
    public int outstanding() {
        return outstanding.get();
    }

    @Override
    public double latencyNanos() {
        return latencyNanos;
    }

    // ---------------------------------------------------------------- the call path

    /** Whether the endpoint may take a call now: not down, and its breaker would give a permit. */
    public boolean available() {
        return !down && breaker.permitsCalls();
    }

    /** Unhealthy by active checks or a crash loop: it gets calls only while no healthy endpoint can take them. */
    public boolean down() {
        return down;
    }

    public void callStarted() {
        outstanding.incrementAndGet();
    }

    public void callEnded() {
        outstanding.decrementAndGet();
    }

    /** A call succeeded after {@code nanos}, ending at {@code now} ({@link System#nanoTime()}). */
    public void succeeded(long permit, long nanos, long now) {
        succeeded(permit, nanos, now, null);
    }

    /** As above, for {@code caller} (whose slow calls alone do not open the breaker; null: nobody in particular). */
    public void succeeded(long permit, long nanos, long now, Object caller) {
        breaker.onSuccess(permit, nanos, caller);
        long last = lastSampleNanos;
        double old = latencyNanos;
        // A time-decaying average: a sample weighs more the longer it has been since the last one.
        double w = old == 0 ? 0 : Math.exp(-(now - last) / LATENCY_DECAY_NANOS);
        latencyNanos = old * w + nanos * (1 - w);
        lastSampleNanos = now;
    }

    /**
     * A call failed in a way that counts against the endpoint. When its session died, every call in flight
     * on it fails (each with an exception of its own: the exit, a broken pipe, a send that came too late):
     * that is one failure of the endpoint, not one per call.
     *
     * @param deadSession the session the call was on if that session is now closed, else null
     */
    public void failed(long permit, long nanos, Object deadSession) {
        failed(permit, nanos, deadSession, null);
    }

    /** As above, for {@code caller} (its slowness is the caller's; the failure counts whoever met it). */
    public void failed(long permit, long nanos, Object deadSession, Object caller) {
        if (deadSession != null) {
            if (deadSession == lastDeadSession) {
                breaker.onIgnored(permit);
                return;
            }
            lastDeadSession = deadSession;
        }
        breaker.onFailure(permit, nanos, caller);
    }

    /**
     * A call made for {@code caller} ran into the server's own {@code callTimeout}: one caller's timeouts alone do not
     * open the breaker (see {@link CircuitBreaker}).
     */
    public void timedOut(long permit, long nanos, Object caller) {
        breaker.onTimeout(permit, nanos, caller);
    }

    /** The pool could not open a session: the endpoint is unreachable, whether or not a call was waiting. */
    public void openFailed() {
        breaker.recordFailure();
    }

    // ---------------------------------------------------------------- health

    public HealthStatus health() {
        return health;
    }

    public String healthReason() {
        return healthReason;
    }

    public Instant healthSince() {
        return healthSince;
    }

    /** The result of one active check: {@code error} null for a success. */
    public void checked(Throwable error) {
        healthLock.lock();
        try {
            if (error == null) {
                checkFailures = 0;
                checkSuccesses++;
                if (checksFailing && checkSuccesses >= healthSettings.healthyAfter()) {
                    checksFailing = false;
                }
                lastCheckError = "";
            } else {
                checkSuccesses = 0;
                checkFailures++;
                lastCheckError = String.valueOf(error.getMessage());
                if (checkFailures >= healthSettings.unhealthyAfter()) {
                    checksFailing = true;
                }
            }
            recompute();
        } finally {
            healthLock.unlock();
        }
    }

    private void crashLoopChanged(boolean loop, String reason) {
        healthLock.lock();
        try {
            crashLoop = loop;
            crashLoopReason = reason;
            recompute();
        } finally {
            healthLock.unlock();
        }
    }

    /** The breaker changed state: passive detection, from call outcomes, shows in the health too. */
    public void breakerChanged(BreakerState to, String reason) {
        healthLock.lock();
        try {
            breakerState = to;
            breakerReason = reason;
            recompute();
        } finally {
            healthLock.unlock();
        }
    }

    /**
     * Under healthLock. Fires the change event while holding it, so listeners see changes in order. Only
     * checks and crash loops make the endpoint {@link #down()}; an open breaker refuses calls by itself.
     */
    private void recompute() {
        HealthStatus status;
        String reason;
        boolean isDown = false;
        if (crashLoop) {
            status = HealthStatus.UNHEALTHY;
            reason = crashLoopReason;
            isDown = true;
        } else if (checksFailing) {
            status = HealthStatus.UNHEALTHY;
            reason = checkFailures > 0
                    ? checkFailures + " health check(s) in a row failed: " + lastCheckError
                    : "recovering: " + checkSuccesses + " of " + healthSettings.healthyAfter() + " checks passed";
            isDown = true;
        } else if (breakerState.refuses()) {
            status = HealthStatus.UNHEALTHY;
            reason = "circuit breaker " + breakerState.tagValue() + (breakerReason.isEmpty() ? "" : ": " + breakerReason);
        } else if (breakerState == BreakerState.HALF_OPEN) {
            status = HealthStatus.DEGRADED;
            reason = "circuit breaker half-open: trial calls decide";
        } else if (checkFailures > 0) {
            status = HealthStatus.DEGRADED;
            reason = checkFailures + " of " + healthSettings.unhealthyAfter() + " health checks failed: " + lastCheckError;
        } else {
            status = HealthStatus.HEALTHY;
            reason = "ok";
        }
        down = isDown;
        HealthStatus from = health;
        if (from != status) {
            health = status;
            healthReason = reason;
            healthSince = Instant.now();
            events.healthChanged(server, name, from, status, reason);
        } else {
            healthReason = reason;
        }
    }

    /** Reports the starting status, so listeners know every endpoint from the start. */
    public void announce() {
        events.healthChanged(server, name, HealthStatus.UNKNOWN, health, healthReason);
    }

    /** Why the endpoint cannot take a call now, for error messages; "available" when it can. */
    public String describeState() {
        StringBuilder sb = new StringBuilder();
        if (down) {
            sb.append(health.tagValue()).append(" (").append(healthReason).append(')');
        }
        if (!breaker.permitsCalls()) {
            if (!sb.isEmpty()) {
                sb.append(", ");
            }
            sb.append(breaker.describe());
        }
        if (sb.isEmpty()) {
            sb.append("available, ").append(breaker.describe());
            String failure = pool.snapshot().lastOpenFailure();
            if (failure != null) {
                sb.append(", last attempt to open a session failed: ").append(failure);
            }
        }
        return sb.toString();
    }

    /** The endpoint as operators see it. */
    public EndpointStatus status() {
        return new EndpointStatus(name, replica.endpoint() instanceof io.mcppool.config.EndpointConfig.Stdio ? "stdio"
                : replica.endpoint() instanceof io.mcppool.config.EndpointConfig.Http ? "http" : "custom",
                replica.weight(), replica.tier(), health, healthReason, healthSince, available(), pool.ready(),
                breaker.snapshot(), outstanding.get(), latencyNanos / 1e6, supervisor.snapshot(), pool.snapshot());
    }
}
