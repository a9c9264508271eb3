package io.mcppool.testing;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A timer in virtual time for deterministic tests of the engine: a task runs only when the test moves the
 * clock past its due time ({@link #advance}), on the test's thread, in due-time order (tasks due at the same
 * instant in the order they were scheduled). Nothing runs by itself, so a test decides what happens first.
 *
 * <p>{@link #onNextSchedule} installs a hook that runs inside the next {@code schedule} call, after the task
 * is queued and before {@code schedule} returns: a test can thereby put an action in the middle of an engine
 * method that schedules something (a pool's acquire schedules its waiter's expiry), at a point no other
 * hook reaches.
 *
 * <p>It also serves as the engine's background executor, one instance for that role: {@link #execute} queues a
 * task due now, and {@link #runDue()} runs what was handed over and what those tasks hand over in turn, so the
 * test decides when a session opens or closes relative to everything else.
 *
 * <p>A task that throws is recorded ({@link #failures()}), so a test can tell an engine bug on the timer from
 * silence. Thread-safe: engine code on other threads may schedule and cancel.
 */
public final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {
    private final ManualClock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final PriorityQueue<Task<?>> queue = new PriorityQueue<>(
            Comparator.<Task<?>>comparingLong(t -> t.due).thenComparingLong(t -> t.seq));
    private final ArrayDeque<Runnable> hooks = new ArrayDeque<>();
    private final List<Throwable> failures = new ArrayList<>();
    private long seq;
    private volatile boolean shutdown;

    public ManualScheduler(ManualClock clock) {
        this.clock = clock;
    }

    public ManualScheduler() {
        this(new ManualClock());
    }

    public ManualClock clock() {
        return clock;
    }

    /** Virtual nanoseconds since the start. */
    public long nanoTime() {
        return clock.nanoTime();
    }

    /** Runs {@code hook} inside the next {@code schedule} call (once), after that task is queued. */
    public void onNextSchedule(Runnable hook) {
        lock.lock();
        try {
            hooks.add(hook);
        } finally {
            lock.unlock();
        }
    }

    /** Moves the clock forward by {@code d}, running every task that falls due on the way, in order. */
    public void advance(Duration d) {
        long target = clock.nanoTime() + d.toNanos();
        while (true) {
            Task<?> next;
            lock.lock();
            try {
                next = queue.peek();
                if (next == null || next.due > target) {
                    break;
                }
                queue.poll();
            } finally {
                lock.unlock();
            }
            if (next.isCancelled()) {
                continue;
            }
            long now = clock.nanoTime();
            if (next.due > now) {
                clock.advance(Duration.ofNanos(next.due - now));
            }
            next.fire();
        }
        long now = clock.nanoTime();
        if (target > now) {
            clock.advance(Duration.ofNanos(target - now));
        }
    }

    /** Runs what is due now (tasks scheduled with no delay, those {@link #execute}d, and what they queue so). */
    public void runDue() {
        advance(Duration.ZERO);
    }

    /** Tasks queued and not cancelled. */
    public int pending() {
        lock.lock();
        try {
            return (int) queue.stream().filter(t -> !t.isCancelled()).count();
        } finally {
            lock.unlock();
        }
    }

    /** What tasks threw, in order. */
    public List<Throwable> failures() {
        lock.lock();
        try {
            return List.copyOf(failures);
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ ScheduledExecutorService

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return enqueue(new Task<>(Executors.callable(command), unit.toNanos(delay), 0));
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return enqueue(new Task<>(callable, unit.toNanos(delay), 0));
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return enqueue(new Task<>(Executors.callable(command), unit.toNanos(initialDelay), unit.toNanos(period)));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return enqueue(new Task<>(Executors.callable(command), unit.toNanos(initialDelay), unit.toNanos(delay)));
    }

    @Override
    public void execute(Runnable command) {
        enqueue(new Task<>(Executors.callable(command), 0, 0), false);
    }

    private <V> Task<V> enqueue(Task<V> task) {
        return enqueue(task, true);
    }

    private <V> Task<V> enqueue(Task<V> task, boolean runsHook) {
        if (shutdown) {
            throw new RejectedExecutionException("the scheduler is shut down");
        }
        Runnable hook;
        lock.lock();
        try {
            task.seq = seq++;
            queue.add(task);
            hook = runsHook ? hooks.poll() : null;
        } finally {
            lock.unlock();
        }
        if (hook != null) {
            hook.run();
        }
        return task;
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        lock.lock();
        try {
            List<Runnable> left = new ArrayList<>(queue);
            queue.clear();
            return left;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return shutdown;
    }

    /** One scheduled task: one-shot ({@code period} 0) or periodic. */
    private final class Task<V> extends FutureTask<V> implements ScheduledFuture<V> {
        final long period;
        long due;
        long seq;

        Task(Callable<V> callable, long delayNanos, long period) {
            super(callable);
            this.period = period;
            this.due = clock.nanoTime() + Math.max(0, delayNanos);
        }

        void fire() {
            if (period == 0) {
                run();
                if (!isCancelled()) {
                    try {
                        get();
                    } catch (Exception e) {
                        record(e.getCause() == null ? e : e.getCause());
                    }
                }
                return;
            }
            if (runAndReset()) {
                lock.lock();
                try {
                    due = clock.nanoTime() + period;
                    seq = ManualScheduler.this.seq++;
                    queue.add(this);
                } finally {
                    lock.unlock();
                }
            } else if (!isCancelled()) {
                try {
                    get();
                } catch (Exception e) {
                    record(e.getCause() == null ? e : e.getCause());
                }
            }
        }

        private void record(Throwable t) {
            lock.lock();
            try {
                failures.add(t);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(due - clock.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }
    }
}
