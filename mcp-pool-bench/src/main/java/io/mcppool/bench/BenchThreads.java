package io.mcppool.bench;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** The load loops' thread handling, shared by the scenarios: pacing to a slice boundary, and a bounded join. */
public final class BenchThreads {
    private BenchThreads() {
    }

    /** Sleeps until {@code System.nanoTime()} reaches {@code nanoTime}. */
    public static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    /**
     * Joins the load threads, all within {@code drain}; one still in a call after that is reported through
     * {@code progress} and interrupted, so a hung call cannot hold the run.
     */
    public static void join(List<Thread> threads, Duration drain, Consumer<String> progress)
            throws InterruptedException {
        long deadline = System.nanoTime() + drain.toNanos();
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                t.join(Duration.ofNanos(left));
            }
            if (t.isAlive()) {
                progress.accept("WARNING: " + t.getName() + " still in a call " + drain + " after the end; interrupting");
                t.interrupt();
            }
        }
    }
}
