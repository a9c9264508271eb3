package io.mcppool.testing;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The engine's background executor for deterministic tests: tasks wait in a queue until the test runs them
 * on its own thread ({@link #runAll}, {@link #runNext}), so a test decides when a session opens or closes
 * relative to everything else. A {@linkplain #direct() direct} one runs each task at once, on the thread
 * that hands it over. A task that throws is recorded ({@link #failures()}) and does not stop the others.
 */
public final class ManualExecutor extends AbstractExecutorService {
    private final boolean direct;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private final List<Throwable> failures = new ArrayList<>();
    private volatile boolean shutdown;

    public ManualExecutor() {
        this(false);
    }

    private ManualExecutor(boolean direct) {
        this.direct = direct;
    }

    /** Runs every task at once, on the caller's thread. */
    public static ManualExecutor direct() {
        return new ManualExecutor(true);
    }

    @Override
    public void execute(Runnable task) {
        if (shutdown) {
            throw new RejectedExecutionException("the executor is shut down");
        }
        if (direct) {
            runSafely(task);
            return;
        }
        lock.lock();
        try {
            queue.add(task);
        } finally {
            lock.unlock();
        }
    }

    /** Runs the oldest queued task; false when none was queued. */
    public boolean runNext() {
        Runnable task;
        lock.lock();
        try {
            task = queue.poll();
        } finally {
            lock.unlock();
        }
        if (task == null) {
            return false;
        }
        runSafely(task);
        return true;
    }

    /** Runs queued tasks, and those they queue, until none is left; returns how many ran. */
    public int runAll() {
        int n = 0;
        while (runNext()) {
            n++;
        }
        return n;
    }

    /** Tasks waiting to run. */
    public int queued() {
        lock.lock();
        try {
            return queue.size();
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

    private void runSafely(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            lock.lock();
            try {
                failures.add(e);
            } finally {
                lock.unlock();
            }
        }
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
        return shutdown && queued() == 0;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return isTerminated();
    }
}
