package io.mcppool.it.saturation;

import io.mcppool.McpPool;
import io.mcppool.call.McpPoolException;
import io.mcppool.protocol.CallToolResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Many callers at once, one virtual thread and one call each, every outcome judged against the call's own
 * deadline: a correct answer, or a typed failure, within the deadline plus {@link Saturation#MARGIN}. Through the
 * library ({@link #run(McpPool, String, Duration, List)}) a typed failure is a {@link McpPoolException}; even
 * callers use the blocking {@code callTool}, odd ones {@code callToolAsync}, so both ways of waiting are held to the
 * deadline. The storm waits for them at most the deadline plus the margin (plus a little for starting the
 * threads): a caller still waiting then is {@link Kind#NOT_DONE}, and the storm returns all the same.
 */
final class Storm {
    /** One caller's call: the tool, its arguments and the text a correct answer has. */
    record Ask(String tool, Map<String, ?> arguments, String expected) {
    }

    enum Kind {
        /** The expected text, within the deadline plus the margin. */
        OK,
        /** An answer, but not the expected one (or an isError result). */
        WRONG,
        /** A typed {@link McpPoolException} within the deadline plus the margin: what a wedged server may cause. */
        FAILED_ON_TIME,
        /** An answer or a typed failure, but after the deadline plus the margin. */
        LATE,
        /** A failure that is not a {@link McpPoolException}. */
        UNTYPED,
        /** Still waiting when the storm stopped waiting. */
        NOT_DONE
    }

    record Outcome(Kind kind, long millis, String detail) {
    }

    /** Makes caller {@code index}'s call and judges it; must itself give up at the deadline plus the margin. */
    interface Caller {
        Outcome call(int index, Ask ask, Duration deadline);
    }

    /** What the storm saw, in the callers' order. */
    record Report(List<Outcome> outcomes, long wallMillis, Duration deadline) {
        long count(Kind kind) {
            return outcomes.stream().filter(o -> o.kind() == kind).count();
        }

        /** The outcomes that break the rule, counted by kind, with a few examples each. */
        List<String> problems() {
            List<String> problems = new ArrayList<>();
            for (Kind kind : List.of(Kind.WRONG, Kind.LATE, Kind.UNTYPED, Kind.NOT_DONE)) {
                List<Outcome> bad = outcomes.stream().filter(o -> o.kind() == kind).toList();
                if (!bad.isEmpty()) {
                    problems.add(bad.size() + " of " + outcomes.size() + " calls " + kind + " (deadline " + deadline.toMillis()
                            + " ms + margin " + Saturation.MARGIN.toMillis() + " ms), e.g. "
                            + bad.stream().limit(3).map(o -> o.millis() + " ms: " + o.detail()).toList());
                }
            }
            return problems;
        }

        /** "256 calls in 4123 ms: 250 OK, 6 FAILED_ON_TIME {CallTimeoutException=6}, slowest 3000 ms". */
        String summary() {
            Map<Kind, Long> byKind = outcomes.stream().collect(Collectors.groupingBy(Outcome::kind, TreeMap::new,
                    Collectors.counting()));
            Map<String, Long> failures = outcomes.stream().filter(o -> o.kind() == Kind.FAILED_ON_TIME)
                    .collect(Collectors.groupingBy(Outcome::detail, TreeMap::new, Collectors.counting()));
            long slowest = outcomes.stream().filter(o -> o.kind() != Kind.NOT_DONE).mapToLong(Outcome::millis).max()
                    .orElse(-1);
            return outcomes.size() + " calls in " + wallMillis + " ms: " + byKind
                    + (failures.isEmpty() ? "" : ", failed on time " + failures) + ", slowest ended after " + slowest + " ms";
        }
    }

    private Storm() {
    }

    /** {@code callers} asks made by {@code ask} (given the caller's index). */
    static List<Ask> asks(int callers, Function<Integer, Ask> ask) {
        List<Ask> list = new ArrayList<>(callers);
        for (int i = 0; i < callers; i++) {
            list.add(ask.apply(i));
        }
        return list;
    }

    static Report run(McpPool pool, String server, Duration deadline, List<Ask> asks) {
        return run(deadline, asks, (index, ask, d) -> call(pool, server, ask, d, index % 2 == 1));
    }

    static Report run(Duration deadline, List<Ask> asks, Caller caller) {
        int n = asks.size();
        AtomicReferenceArray<Outcome> outcomes = new AtomicReferenceArray<>(n);
        CountDownLatch done = new CountDownLatch(n);
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            int index = i;
            Thread.ofVirtual().name("saturation-caller-" + i).start(() -> {
                outcomes.set(index, caller.call(index, asks.get(index), deadline));
                done.countDown();
            });
        }
        Duration wait = deadline.plus(Saturation.MARGIN).plusSeconds(2); // the 2 s: starting the callers
        try {
            done.await(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long wall = Saturation.millisSince(start);
        List<Outcome> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Outcome o = outcomes.get(i);
            list.add(o != null ? o : new Outcome(Kind.NOT_DONE, wall, "no outcome " + wall + " ms after the storm began"));
        }
        return new Report(List.copyOf(list), wall, deadline);
    }

    /** An answer's verdict: the expected text by the deadline plus the margin, or what is wrong with it. */
    static Outcome answered(String text, boolean isError, Ask ask, long ms, Duration deadline) {
        if (isError) {
            return new Outcome(Kind.WRONG, ms, "isError: " + Saturation.preview(text));
        }
        if (!ask.expected().equals(text)) {
            return new Outcome(Kind.WRONG, ms, "text of " + (text == null ? -1 : text.length()) + " chars, expected "
                    + ask.expected().length() + ": " + Saturation.preview(text));
        }
        return ms <= deadline.plus(Saturation.MARGIN).toMillis() ? new Outcome(Kind.OK, ms, "")
                : new Outcome(Kind.LATE, ms, "answered");
    }

    /** A typed failure's verdict: on time or late. */
    static Outcome failedTyped(String type, String message, long ms, Duration deadline) {
        return ms <= deadline.plus(Saturation.MARGIN).toMillis() ? new Outcome(Kind.FAILED_ON_TIME, ms, type)
                : new Outcome(Kind.LATE, ms, type + ": " + Saturation.preview(message));
    }

    private static Outcome call(McpPool pool, String server, Ask ask, Duration deadline, boolean async) {
        long start = System.nanoTime();
        try {
            CallToolResult result = async
                    ? pool.callToolAsync(server, ask.tool(), ask.arguments())
                            .get(deadline.plus(Saturation.MARGIN).toMillis(), TimeUnit.MILLISECONDS)
                    : pool.callTool(server, ask.tool(), ask.arguments());
            return answered(result.text(), result.failed(), ask, Saturation.millisSince(start), deadline);
        } catch (TimeoutException e) {
            return new Outcome(Kind.NOT_DONE, Saturation.millisSince(start), "callToolAsync's future not done");
        } catch (ExecutionException e) {
            return failure(e.getCause(), Saturation.millisSince(start), deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(Kind.NOT_DONE, Saturation.millisSince(start), "interrupted");
        } catch (RuntimeException e) {
            return failure(e, Saturation.millisSince(start), deadline);
        }
    }

    private static Outcome failure(Throwable t, long ms, Duration deadline) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (!(t instanceof McpPoolException)) {
            return new Outcome(Kind.UNTYPED, ms, String.valueOf(t));
        }
        return failedTyped(t.getClass().getSimpleName(), t.getMessage(), ms, deadline);
    }
}
