package io.mcppool.bench;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The load loops' thread handling, shared by the scenarios: pacing to a slice boundary, a bounded join, and a
 * guard that stops a whole run's processes on Ctrl-C or when it takes too long.
 */
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

    /**
     * While open: {@code cleanup} runs on Ctrl-C (a shutdown hook), and a watchdog exits the JVM with code 4 (so
     * that the hook runs) once the run has taken {@code maxTime}. {@link #close()} stops the watchdog, runs
     * {@code cleanup} and removes the hook.
     */
    public static final class Guard implements AutoCloseable {
        private final Thread hook;
        private final Thread watchdog;
        private final Runnable cleanup;

        private Guard(String scenario, Duration maxTime, Runnable cleanup) {
            this.cleanup = cleanup;
            this.hook = new Thread(cleanup, scenario + "-scenario-cleanup");
            Runtime.getRuntime().addShutdownHook(hook);
            this.watchdog = Thread.ofPlatform().daemon().name(scenario + "-scenario-watchdog").start(() -> {
                try {
                    Thread.sleep(maxTime.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
                System.err.println("[" + scenario + "] the run took longer than --max-time " + BenchText.human(maxTime)
                        + "; stopping every process it started and exiting");
                System.exit(4); // the shutdown hook stops them
            });
        }

        public static Guard start(String scenario, Duration maxTime, Runnable cleanup) {
            return new Guard(scenario, maxTime, cleanup);
        }

        @Override
        public void close() {
            watchdog.interrupt();
            cleanup.run();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down
            }
        }
    }
}
