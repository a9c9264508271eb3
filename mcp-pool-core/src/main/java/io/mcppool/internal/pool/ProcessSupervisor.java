package io.mcppool.internal.pool;

import io.mcppool.status.SupervisionSnapshot;
import io.mcppool.config.SupervisionSettings;
import java.util.ArrayDeque;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Supervision of one stdio endpoint's server processes. The pool tells it when a process crashed
 * (ended without being asked to) and when a new one started; it answers how long to wait before the
 * restart, counts restarts, keeps the last exit code, and tells a crash loop (too many crashes in a
 * window) from a one-off crash. A crash loop ends when a restarted process has stayed up for
 * {@code stableAfter}; so does the backoff's growth.
 */
public final class ProcessSupervisor {

    /** Told when the endpoint enters or leaves a crash loop, outside the supervisor's lock. */
    @FunctionalInterface
    public interface Listener {
        void crashLoopChanged(boolean crashLoop, String reason);
    }

    private final SupervisionSettings settings;
    private final LongSupplier nanoClock;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Listener listener = (loop, reason) -> { };

    // Guarded by lock.
    private final ArrayDeque<Long> crashTimes = new ArrayDeque<>();
    private int crashesInARow;
    private long lastStartNanos;
    private boolean restartPending;
    private long restarts;
    private long crashes;
    private int lastExitCode = -1;
    private volatile boolean crashLoop;

    public ProcessSupervisor(SupervisionSettings settings, LongSupplier nanoClock) {
        this.settings = settings;
        this.nanoClock = nanoClock;
    }

    public ProcessSupervisor(SupervisionSettings settings) {
        this(settings, System::nanoTime);
    }

    public void listener(Listener l) {
        listener = l;
    }

    /** The longest wait between restarts the operator allows ({@code supervision.maxBackoff}). */
    public long maxBackoffNanos() {
        return settings.maxBackoff().toNanos();
    }

    /**
     * A process ended that was not asked to. Returns how long to wait before starting its replacement.
     *
     * @param uptimeNanos how long it had run
     */
    public long crashed(int exitCode, long uptimeNanos) {
        long now = nanoClock.getAsLong();
        String entered = null;
        long delay;
        lock.lock();
        try {
            crashes++;
            lastExitCode = exitCode;
            restartPending = true;
            long stable = settings.stableAfter().toNanos();
            // A process that had run for the stability period starts the count afresh.
            crashesInARow = uptimeNanos >= stable && stable > 0 ? 1 : crashesInARow + 1;
            crashTimes.addLast(now);
            trim(now);
            if (!crashLoop && crashTimes.size() >= settings.crashLoopRestarts()) {
                crashLoop = true;
                entered = crashTimes.size() + " crashes within " + settings.crashLoopWindow().toSeconds()
                        + " s, last exit code " + exitCode;
            }
            long initial = settings.initialBackoff().toNanos();
            int shift = Math.min(crashesInARow - 1, 30);
            delay = Math.min(settings.maxBackoff().toNanos(), initial > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE
                    : initial << shift);
        } finally {
            lock.unlock();
        }
        if (entered != null) {
            listener.crashLoopChanged(true, "crash loop: " + entered);
        }
        return delay;
    }

    /** A process started; true when it replaces a crashed one (a restart). */
    public boolean started() {
        lock.lock();
        try {
            lastStartNanos = nanoClock.getAsLong();
            if (restartPending) {
                restartPending = false;
                restarts++;
                return true;
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** The restart count after {@link #started()} returned true. */
    public long restarts() {
        return restarts;
    }

    /**
     * Periodic check: a crash loop ends once a process has stayed up for {@code stableAfter}.
     *
     * @param running whether a process of the endpoint is running now
     */
    public void tick(boolean running) {
        if (!crashLoop && crashesInARow == 0) {
            return;
        }
        long now = nanoClock.getAsLong();
        boolean left = false;
        lock.lock();
        try {
            trim(now);
            if (running && !restartPending && now - lastStartNanos >= settings.stableAfter().toNanos()) {
                crashesInARow = 0;
                if (crashLoop) {
                    crashLoop = false;
                    left = true;
                }
            }
        } finally {
            lock.unlock();
        }
        if (left) {
            listener.crashLoopChanged(false, "a restarted process has stayed up for "
                    + settings.stableAfter().toSeconds() + " s");
        }
    }

    public boolean inCrashLoop() {
        return crashLoop;
    }

    public SupervisionSnapshot snapshot() {
        lock.lock();
        try {
            trim(nanoClock.getAsLong());
            return new SupervisionSnapshot(restarts, crashes, lastExitCode, crashLoop, crashTimes.size());
        } finally {
            lock.unlock();
        }
    }

    private void trim(long now) {
        long window = settings.crashLoopWindow().toNanos();
        while (!crashTimes.isEmpty() && now - crashTimes.peekFirst() > window) {
            crashTimes.removeFirst();
        }
    }
}
