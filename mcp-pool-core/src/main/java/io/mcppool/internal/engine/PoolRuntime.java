package io.mcppool.internal.engine;

import io.mcppool.internal.transport.LiveProcesses;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What a pool runs on: one timer thread (deadlines, backoff, health checks, housekeeping), virtual threads for
 * background work and for delivering results off the transports' readers, the HTTP client shared by every HTTP
 * endpoint (made on first use), and the stdio processes still alive. {@link #shutdown} ends them in order.
 */
public final class PoolRuntime {
    private static final AtomicInteger POOL_IDS = new AtomicInteger();
    /** What the last steps of a close may take past the grace period (threads ending). */
    static final Duration CLOSE_MARGIN = Duration.ofMillis(200);

    private final ScheduledThreadPoolExecutor timer;
    private final ExecutorService background;
    private final ReentrantLock httpClientLock = new ReentrantLock();
    private volatile HttpClient httpClient;
    /** Every stdio process the pool started and has not seen end: what the close leaves running, it kills. */
    private final LiveProcesses processes = new LiveProcesses();
    private ScheduledFuture<?> housekeeping;
    private long housekeepingEveryNanos;
    /** Touched only by the timer thread. */
    private long lastHousekeepingNanos = System.nanoTime();

    PoolRuntime() {
        int id = POOL_IDS.incrementAndGet();
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "mcp-pool-" + id + "-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        this.background = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("mcp-pool-" + id + "-bg-", 0).factory());
    }

    ScheduledThreadPoolExecutor timer() {
        return timer;
    }

    ExecutorService background() {
        return background;
    }

    LiveProcesses processes() {
        return processes;
    }

    /**
     * Runs {@code task} on the timer every {@code every}. The timer ticks at least once a second even when the task
     * is rarer: with a task always due within a second at the head of its queue, scheduling a call's deadline
     * (usually seconds away) does not wake the timer thread, which otherwise costs a context switch per call.
     */
    void housekeeping(Duration every, Runnable task) {
        long everyMillis = Math.max(10, every.toMillis());
        long tick = Math.min(everyMillis, 1000);
        housekeepingEveryNanos = TimeUnit.MILLISECONDS.toNanos(everyMillis);
        housekeeping = timer.scheduleWithFixedDelay(() -> {
            long now = System.nanoTime();
            if (now - lastHousekeepingNanos >= housekeepingEveryNanos) {
                lastHousekeepingNanos = now;
                task.run();
            }
        }, tick, tick, TimeUnit.MILLISECONDS);
    }

    void stopHousekeeping() {
        ScheduledFuture<?> h = housekeeping;
        if (h != null) {
            h.cancel(false);
        }
    }

    HttpClient httpClient() {
        HttpClient c = httpClient;
        if (c != null) {
            return c;
        }
        httpClientLock.lock();
        try {
            if (httpClient == null) {
                httpClient = HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(10))
                        .followRedirects(HttpClient.Redirect.NORMAL)
                        .executor(background)
                        .build();
            }
            return httpClient;
        } finally {
            httpClientLock.unlock();
        }
    }

    /**
     * Ends the threads, the HTTP client and what is left of the processes, after the servers have closed: background
     * work still running (a session being retired, a handshake) may finish until {@code deadline} (a
     * {@link System#nanoTime()} instant) and is interrupted after it; an interrupted stdio close still follows the
     * spec's steps, within its budget.
     *
     * @return how many stdio processes were still being stopped and got SIGKILL
     */
    int shutdown(long deadline) {
        timer.shutdownNow();
        background.shutdown();
        try {
            if (!background.awaitTermination(left(deadline), TimeUnit.NANOSECONDS)) {
                background.shutdownNow();
                background.awaitTermination(CLOSE_MARGIN.toNanos(), TimeUnit.NANOSECONDS);
            }
            timer.awaitTermination(CLOSE_MARGIN.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        HttpClient c = httpClient;
        if (c != null) {
            c.shutdownNow();
        }
        // A session that ended on its own ends its process on a thread of its own; one still at it now (or interrupted
        // above) must not leave its server running, least of all one that does not read stdin and would never notice.
        return processes.killAll(CLOSE_MARGIN);
    }

    /** Nanoseconds to {@code deadline}, at least the close margin. */
    static long left(long deadline) {
        return Math.max(deadline - System.nanoTime(), CLOSE_MARGIN.toNanos());
    }
}
