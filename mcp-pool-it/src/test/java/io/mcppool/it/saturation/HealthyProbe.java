package io.mcppool.it.saturation;

import io.mcppool.call.CallOptions;
import io.mcppool.call.CallTimeoutException;
import io.mcppool.McpPool;
import io.mcppool.protocol.CallToolResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Rounds of calls to a healthy server, made one after the other for as long as a storm wedges another server of
 * the same pool (or gateway), and once more after it: an echo that must answer correctly by its deadline, and a
 * 60 s sleep whose shorter deadline must end it, by that deadline plus the margin. The sleep is what shows a pool
 * whose timer is stuck: an answer needs no timer, a timeout does.
 */
final class HealthyProbe {
    /** The sleep's deadline through the library (a call option). */
    static final Duration SLEEP_DEADLINE = Duration.ofSeconds(2);
    /** What {@link Target#sleep()} completes with when the deadline ended the sleep as it should. */
    static final String TIMED_OUT = "timed out";

    /**
     * What a probe calls: {@code echo} gives the echoed text (or fails), {@code sleep} starts a 60 s sleep that
     * {@code sleepDeadline} must end and gives {@link #TIMED_OUT} when it did, else what happened.
     */
    record Target(String name, Duration echoDeadline, Duration sleepDeadline,
                  Function<String, CompletableFuture<String>> echo, Supplier<CompletableFuture<String>> sleep) {
    }

    /** A server of a pool, called through the library. */
    static Target of(McpPool pool, String server, Duration echoDeadline) {
        return new Target(server, echoDeadline, SLEEP_DEADLINE,
                message -> pool.callToolAsync(server, "echo", Map.of("message", message)).thenApply(CallToolResult::text),
                () -> pool.callToolAsync(server, "sleep", Map.of("ms", 60_000),
                        CallOptions.builder().timeout(SLEEP_DEADLINE).build()).handle((r, e) -> {
                            Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                            return t == null ? "answered " + Saturation.preview(r.text())
                                    : t instanceof CallTimeoutException ? TIMED_OUT : String.valueOf(t);
                        }));
    }

    private final Target target;
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private final AtomicInteger rounds = new AtomicInteger();
    private final Thread thread;
    private volatile boolean stopping;

    private HealthyProbe(Target target) {
        this.target = target;
        this.thread = Thread.ofVirtual().name("saturation-probe").unstarted(this::loop);
    }

    static HealthyProbe start(Target target) {
        HealthyProbe probe = new HealthyProbe(target);
        probe.thread.start();
        return probe;
    }

    private void loop() {
        do {
            round(rounds.incrementAndGet());
        } while (!stopping);
        round(rounds.incrementAndGet()); // one round that starts after the storm ended
    }

    private void round(int n) {
        String message = "probe-" + n;
        long start = System.nanoTime();
        try {
            String echoed = Saturation.offThread(() -> target.echo().apply(message))
                    .get(target.echoDeadline().plus(Saturation.MARGIN).toMillis(), TimeUnit.MILLISECONDS);
            if (!message.equals(echoed)) {
                problems.add("round " + n + ": echo answered " + Saturation.preview(echoed));
            }
        } catch (TimeoutException e) {
            problems.add("round " + n + ": echo not done " + Saturation.millisSince(start) + " ms after it began (deadline "
                    + target.echoDeadline().toMillis() + " ms)");
        } catch (ExecutionException e) {
            problems.add("round " + n + ": echo failed after " + Saturation.millisSince(start) + " ms: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        start = System.nanoTime();
        Duration deadline = target.sleepDeadline();
        long limit = deadline.plus(Saturation.MARGIN).toMillis();
        try {
            String outcome = Saturation.offThread(target.sleep()).get(limit, TimeUnit.MILLISECONDS);
            long ms = Saturation.millisSince(start);
            if (!TIMED_OUT.equals(outcome) || ms > limit) {
                problems.add("round " + n + ": a 60 s sleep with a " + deadline.toMillis() + " ms deadline ended after "
                        + ms + " ms: " + outcome);
            }
        } catch (TimeoutException e) {
            problems.add("round " + n + ": a sleep with a " + deadline.toMillis() + " ms deadline was not done after "
                    + Saturation.millisSince(start) + " ms: deadlines are not firing");
        } catch (ExecutionException e) {
            problems.add("round " + n + ": a sleep with a " + deadline.toMillis() + " ms deadline failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Ends the probing after one more round; what went wrong, each line naming the server. */
    List<String> stop() {
        stopping = true;
        // a round waits for each of its two calls at most its deadline plus the margin
        Duration bound = target.echoDeadline().plus(target.sleepDeadline()).plus(Saturation.MARGIN.multipliedBy(3));
        try {
            if (!thread.join(bound)) {
                problems.add("a probe round was still running " + bound.toSeconds() + " s after the storm ended");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<String> all = new ArrayList<>();
        for (String p : problems) {
            all.add("healthy server '" + target.name() + "': " + p);
        }
        return all;
    }

    int rounds() {
        return rounds.get();
    }
}
