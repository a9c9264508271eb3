package io.mcppool.it.saturation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.mcppool.call.CallOptions;
import io.mcppool.call.CallTimeoutException;
import io.mcppool.McpPool;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.PoolSettings;
import io.mcppool.config.ServerConfig;
import io.mcppool.testkit.TestkitCommand;
import io.mcppool.testkit.TestkitOrphans;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One saturation scenario through the library: a pool of two stdio testkit servers, {@value #HOSTILE} (started
 * with a fixture's flags) and {@value #HEALTHY}; a storm of callers on the first while a {@link HealthyProbe}
 * calls the second; then {@code close()}; then every resource back to its {@link Baseline}. {@link #run} collects
 * every rule broken instead of stopping at the first, so one run of a red engine shows all that is wrong with it:
 *
 * <ul>
 *   <li>every call of the storm answers correctly, or fails with a typed {@code McpPoolException}, by its deadline
 *       plus {@link #MARGIN} ({@link Storm});
 *   <li>the healthy server's calls answer, and its deadlines fire, meanwhile ({@link HealthyProbe});
 *   <li>with {@link #mustStillServe()}: some call of the storm answered, and a fresh call after it does;
 *   <li>{@code close()} returns within {@link #CLOSE_BOUND};
 *   <li>with {@link #boundedLog()}: what the JVM logged stays within {@link #MAX_LOG_EVENTS} and {@link #MAX_LOG_CHARS};
 *   <li>heap, pool threads, fds, child processes and labelled orphans come back ({@link Baseline}).
 * </ul>
 */
final class Saturation {
    /** What a loaded 2-core machine may add to a deadline before a late outcome counts as a hang. */
    static final Duration MARGIN = Duration.ofSeconds(5);
    /** The pool's {@code shutdownGrace}: how long close() lets calls in flight finish. */
    static final Duration POOL_GRACE = Duration.ofSeconds(3);
    /** Each stdio server's {@code shutdownGrace}: each step of stopping it (stdin closed, then SIGTERM). */
    static final Duration STDIO_GRACE = Duration.ofMillis(250);
    /** close() lets calls finish for the grace, then stops each process in at most two steps; plus one second. */
    static final Duration CLOSE_BOUND = POOL_GRACE.plus(STDIO_GRACE.multipliedBy(2)).plusSeconds(1);
    /** How long heap, threads, fds and processes get to come back after close(). */
    static final Duration LEAK_WAIT = Duration.ofSeconds(15);
    /** Log bound for the flood scenarios: from the pool's start to its close, whatever the server wrote. */
    static final long MAX_LOG_EVENTS = 1000;
    static final long MAX_LOG_CHARS = 512 * 1024;
    /** {@code --stop-reading-after}: the handshake, the catalog's listing and a few calls, then nothing is read. */
    static final int STOP_READING_AFTER = 12;
    static final String HOSTILE = "hostile";
    static final String HEALTHY = "healthy";
    static final Duration HEALTHY_DEADLINE = Duration.ofSeconds(10);
    /** Starting a server JVM and the first call, on a machine that is busy with other JVMs. */
    private static final Duration WARM_UP = Duration.ofSeconds(60);

    private final String name;
    private List<String> fixture = List.of();
    private int maxSessions = 1;
    private Duration deadline = Duration.ofSeconds(15);
    private Function<McpPool, List<Storm.Ask>> storm;
    private boolean mustStillServe;
    private boolean boundedLog;
    private String orphanLabel;

    private Saturation(String name) {
        this.name = name;
    }

    static Saturation scenario(String name) {
        return new Saturation(name);
    }

    /** The hostile server's testkit flags. */
    Saturation fixture(String... testkitArgs) {
        fixture = List.of(testkitArgs);
        return this;
    }

    Saturation maxSessions(int value) {
        maxSessions = value;
        return this;
    }

    /** The hostile server's {@code callTimeout} (and acquire timeout): each storm call's deadline. */
    Saturation deadline(Duration value) {
        deadline = value;
        return this;
    }

    /** The storm's calls, made once the pool has started (so they may use it first, for a reference answer). */
    Saturation storm(Function<McpPool, List<Storm.Ask>> asks) {
        storm = asks;
        return this;
    }

    Saturation storm(List<Storm.Ask> asks) {
        return storm(pool -> asks);
    }

    /** The hostile server is not meant to be broken: some call of the storm must answer, and a fresh one after it. */
    Saturation mustStillServe() {
        mustStillServe = true;
        return this;
    }

    Saturation boundedLog() {
        boundedLog = true;
        return this;
    }

    /** The {@code --label} of a {@code --fork-on-start} server, whose orphans must be gone in the end. */
    Saturation orphans(String label) {
        orphanLabel = label;
        return this;
    }

    /** What one run saw: the rules it broke and the figures it measured. */
    record Result(String name, List<String> problems, List<String> figures) {
        /** Prints the figures (they end up in the test's output file) and fails with every problem. */
        void assertClean() {
            String report = name + "\n  " + String.join("\n  ", figures);
            System.out.println("saturation: " + report);
            if (!problems.isEmpty()) {
                fail(report + "\nproblems:\n  " + String.join("\n  ", problems));
            }
        }
    }

    Result run() {
        List<String> problems = new ArrayList<>();
        List<String> figures = new ArrayList<>();
        Timeline timeline = new Timeline(name);
        Baseline base = Baseline.take();
        figures.add("baseline: heap " + Baseline.mb(base.heapBytes()) + " MB, " + base.poolThreads().size()
                + " pool threads, " + base.fds() + " fds, " + base.descendants().size() + " child processes");
        McpPool pool = null;
        boolean closed = false;
        // open to the end: threads of a pool that hangs may go on logging after close() gave up on it
        LogVolume logs = LogVolume.open();
        try {
            pool = McpPool.builder()
                    .server(server(HOSTILE, maxSessions, deadline, fixture.toArray(new String[0])))
                    .server(server(HEALTHY, 1, HEALTHY_DEADLINE))
                    .shutdownGrace(POOL_GRACE)
                    .build();
            // The healthy server is up before the storm: its probe measures the pool, not a JVM starting.
            assertThat(pool.callTool(HEALTHY, "echo", Map.of("message", "up"), CallOptions.builder().timeout(WARM_UP)
                    .build()).text()).isEqualTo("up");
            List<Storm.Ask> asks = storm.apply(pool);
            timeline.mark("storm");
            HealthyProbe probe = HealthyProbe.start(HealthyProbe.of(pool, HEALTHY, HEALTHY_DEADLINE));
            Storm.Report report = Storm.run(pool, HOSTILE, deadline, asks);
            asks = null; // the payloads (64 x 2 MB, say) must not count as what the pool kept
            problems.addAll(report.problems());
            timeline.mark("probe's last round");
            problems.addAll(probe.stop());
            figures.add("storm: " + report.summary());
            figures.add("healthy probe: " + probe.rounds() + " rounds");
            if (mustStillServe) {
                if (report.count(Storm.Kind.OK) == 0) {
                    problems.add("no call of the storm answered: " + report.summary());
                }
                timeline.mark("a call after the storm");
                freshCall(pool, problems);
            }
            timeline.mark("close()");
            long closeMillis = closeWithin(pool, CLOSE_BOUND, problems);
            closed = true;
            figures.add("close(): " + closeMillis + " ms (bound " + CLOSE_BOUND.toMillis() + " ms)");
            figures.add("logged: " + logs.summary());
            if (boundedLog && (logs.events() > MAX_LOG_EVENTS || logs.chars() > MAX_LOG_CHARS)) {
                problems.add("logged " + logs.summary() + " (bound " + MAX_LOG_EVENTS + " events, " + MAX_LOG_CHARS
                        + " chars), the first: " + logs.first());
            }
            timeline.mark("resources back");
            List<String> left = base.awaitBack(LEAK_WAIT, orphanLabel);
            figures.add(left.isEmpty() ? "resources back to the baseline"
                    : "not back after " + LEAK_WAIT.toSeconds() + " s: " + left);
            problems.addAll(left);
        } finally {
            if (pool != null && !closed) {
                closeWithin(pool, CLOSE_BOUND, new ArrayList<>()); // a failed setup: its own failure is the report
            }
            logs.close();
        }
        timeline.mark("done");
        figures.add("timeline: " + timeline);
        return new Result(name, problems, figures);
    }

    /**
     * When each step of a scenario began, printed as it happens (so a scenario cut short by {@code @Timeout} still
     * shows where it was) and kept for the report.
     */
    static final class Timeline {
        private final String name;
        private final long start = System.nanoTime();
        private final List<String> marks = new ArrayList<>();

        Timeline(String name) {
            this.name = name;
        }

        void mark(String step) {
            String mark = String.format(java.util.Locale.ROOT, "+%.1fs %s", (System.nanoTime() - start) / 1e9, step);
            marks.add(mark);
            System.out.println("saturation: " + name + ": " + mark);
        }

        @Override
        public String toString() {
            return String.join(", ", marks);
        }
    }

    /** After the storm, the hostile server answers a plain call again. */
    private void freshCall(McpPool pool, List<String> problems) {
        long start = System.nanoTime();
        try {
            String text = offThread(() -> pool.callToolAsync(HOSTILE, "echo", Map.of("message", "after the storm")))
                    .get(deadline.plus(MARGIN).toMillis(), TimeUnit.MILLISECONDS).text();
            if (!"after the storm".equals(text)) {
                problems.add("a call after the storm answered " + preview(text));
            }
        } catch (Exception e) {
            problems.add("a call after the storm did not answer within " + millisSince(start) + " ms: " + e);
        }
    }

    /**
     * {@code call}'s future, with {@code call} itself made on a virtual thread of its own: an engine whose
     * {@code callToolAsync} blocks its caller (on a full pipe, say) must not block the test's bounded wait.
     */
    static <T> CompletableFuture<T> offThread(Supplier<CompletableFuture<T>> call) {
        CompletableFuture<T> out = new CompletableFuture<>();
        Thread.ofVirtual().name("saturation-call").start(() -> {
            try {
                call.get().whenComplete((v, e) -> {
                    if (e != null) {
                        out.completeExceptionally(e);
                    } else {
                        out.complete(v);
                    }
                });
            } catch (RuntimeException e) {
                out.completeExceptionally(e);
            }
        });
        return out;
    }

    /**
     * Closes the pool on a thread of its own and waits at most {@code bound}. A close() that does not return is a
     * problem; every child process is then killed (which unblocks writes to them), and close() gets 15 s more.
     * Returns how long close() took, or how long it was waited for.
     */
    static long closeWithin(AutoCloseable pool, Duration bound, List<String> problems) {
        long start = System.nanoTime();
        List<Throwable> failure = new ArrayList<>(1);
        Thread closer = Thread.ofPlatform().daemon().name("saturation-close").start(() -> {
            try {
                pool.close();
            } catch (Exception | Error e) {
                failure.add(e);
            }
        });
        try {
            if (!closer.join(bound)) {
                problems.add("close() did not return within " + bound.toMillis() + " ms");
                killChildren();
                if (!closer.join(Duration.ofSeconds(15))) {
                    problems.add("close() had not returned 15 s after every child process was killed: "
                            + List.of(closer.getStackTrace()).subList(0, Math.min(8, closer.getStackTrace().length)));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!closer.isAlive() && !failure.isEmpty()) {
            problems.add("close() threw " + failure.get(0));
        }
        return millisSince(start);
    }

    /** Every process this JVM started, and theirs, killed: for teardown and for a close() that hangs. */
    static void killChildren() {
        List<ProcessHandle> all = ProcessHandle.current().descendants().toList();
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                // still alive after 10 s: the next baseline shows it
            }
        }
    }

    /** Teardown of every saturation test: nothing it started may outlive it, even when it hung. */
    static void killLeftovers(String orphanLabel) {
        killChildren();
        TestkitOrphans.destroy(orphanLabel);
    }

    /**
     * Loads and opens once what every scenario uses (classes, jars, the testkit's class-data archive, a timed-out
     * call), so the first scenario's baseline is not smaller than its end for reasons of its own.
     */
    static void warmUpJvm() {
        try (LogVolume logs = LogVolume.open();
             McpPool pool = McpPool.builder().server(server(HEALTHY, 1, HEALTHY_DEADLINE)).shutdownGrace(POOL_GRACE).build()) {
            pool.callTool(HEALTHY, "echo", Map.of("message", "warm"), CallOptions.builder().timeout(WARM_UP).build());
            try {
                pool.callTool(HEALTHY, "sleep", Map.of("ms", 10_000), CallOptions.builder().timeout(Duration.ofMillis(200))
                        .build());
            } catch (CallTimeoutException expected) {
                // loaded
            }
            Storm.run(pool, HEALTHY, HEALTHY_DEADLINE, Storm.asks(4, i -> echo(i, 16)));
        }
        Baseline.take().awaitBack(Duration.ofSeconds(5), null);
    }

    /** A stdio testkit server with these flags, stopped in {@link #STDIO_GRACE} steps. */
    static ServerConfig server(String name, int maxSessions, Duration callTimeout, String... testkitArgs) {
        List<String> cmd = TestkitCommand.stdio(testkitArgs);
        EndpointConfig.Stdio endpoint = new EndpointConfig.Stdio(cmd.get(0), cmd.subList(1, cmd.size()), Map.of(),
                Optional.empty(), STDIO_GRACE);
        return ServerConfig.builder(name, endpoint)
                .callTimeout(callTimeout)
                .connectTimeout(WARM_UP)
                // a caller waits for a slot as long as for its answer: the deadline is the only clock
                .pool(PoolSettings.builder().minSessions(1).maxSessions(maxSessions).acquireTimeout(callTimeout).build())
                .build();
    }

    /** An echo of {@code bytes} characters, different for each caller. */
    static Storm.Ask echo(int caller, int bytes) {
        String message = payload(caller, bytes);
        return new Storm.Ask("echo", Map.of("message", message), message);
    }

    /** {@code bytes} plain ASCII characters (nothing JSON escapes), starting with the caller's number. */
    static String payload(int caller, int bytes) {
        String head = "caller-" + caller + ":";
        StringBuilder sb = new StringBuilder(Math.max(bytes, head.length())).append(head);
        String filler = "abcdefghijklmnopqrstuvwxyz0123456789";
        while (sb.length() < bytes) {
            sb.append(filler, 0, Math.min(filler.length(), bytes - sb.length()));
        }
        return sb.toString();
    }

    static String preview(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() <= 200 ? s : s.substring(0, 200) + "... (" + s.length() + " chars)";
    }

    static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
