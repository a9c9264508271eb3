package io.mcppool.it.saturation;

import static org.awaitility.Awaitility.await;

import io.mcppool.testkit.TestkitOrphans;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;

/**
 * What this JVM holds that a pool could leak: heap (after a GC), the pool's platform threads (named
 * {@code mcp-pool-...}), open file descriptors, and child processes. Taken before a pool starts; after it is
 * closed, {@link #awaitBack} waits (bounded) for every figure to be back within a small tolerance and says
 * which ones are not. Orphans of {@code --fork-on-start} servers are looked up by label (they are no longer
 * descendants once their server exited).
 */
record Baseline(long heapBytes, Set<Thread> poolThreads, int fds, Set<Long> descendants) {
    static final String POOL_THREAD_PREFIX = "mcp-pool-";
    /** Heap that may stay after a scenario: class metadata aside, nothing of the pool should remain. */
    static final long HEAP_TOLERANCE = 32L * 1024 * 1024;
    /** Descriptors that may stay: a jar or a log file opened for the first time, not a session's pipes. */
    static final int FD_TOLERANCE = 4;

    static Baseline take() {
        return new Baseline(heapAfterGc(), livePoolThreads(), openFds(), descendantPids());
    }

    /**
     * Polls every figure until all are back (heap within {@link #HEAP_TOLERANCE}, no new pool thread alive, fds
     * within {@link #FD_TOLERANCE}, no new child process, no orphan labelled {@code orphanLabel}) or {@code within}
     * has passed; returns what is still not back, empty when all are.
     */
    List<String> awaitBack(Duration within, String orphanLabel) {
        AtomicReference<List<String>> left = new AtomicReference<>(List.of("not checked"));
        try {
            // each round runs a GC too, hence the poll interval
            await().atMost(within).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200)).until(() -> {
                left.set(notBack(orphanLabel));
                return left.get().isEmpty();
            });
        } catch (ConditionTimeoutException e) {
            // reported through what is left
        }
        return left.get();
    }

    private List<String> notBack(String orphanLabel) {
        List<String> left = new ArrayList<>();
        long heap = heapAfterGc();
        if (heap > heapBytes + HEAP_TOLERANCE) {
            left.add("heap after GC " + mb(heap) + " MB, baseline " + mb(heapBytes) + " MB (tolerance "
                    + mb(HEAP_TOLERANCE) + " MB)");
        }
        List<String> threads = livePoolThreads().stream().filter(t -> !poolThreads.contains(t))
                .map(t -> t.getName() + " (" + t.getState() + ")").sorted().toList();
        if (!threads.isEmpty()) {
            left.add(threads.size() + " pool thread(s) still alive: " + threads);
        }
        int now = openFds();
        if (now > fds + FD_TOLERANCE) {
            left.add("open fds " + now + ", baseline " + fds + " (tolerance " + FD_TOLERANCE + "): " + newFds(now));
        }
        List<String> children = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(p -> !descendants.contains(p.pid()))
                .map(p -> p.pid() + ": " + p.info().commandLine().orElse("?")).toList();
        if (!children.isEmpty()) {
            left.add(children.size() + " child process(es) still alive: " + children);
        }
        if (orphanLabel != null) {
            List<String> orphans = TestkitOrphans.find(orphanLabel).stream()
                    .map(p -> p.pid() + ": " + p.info().commandLine().orElse("?")).toList();
            if (!orphans.isEmpty()) {
                left.add(orphans.size() + " orphan(s) of forking servers still alive: " + orphans);
            }
        }
        return left;
    }

    /** What kinds of descriptors are open, for the message: "pipe x12, socket x3, ...". */
    private static String newFds(int count) {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(Baseline::kind).collect(Collectors.groupingBy(k -> k, Collectors.counting())).toString();
        } catch (IOException | UncheckedIOException e) {
            return count + " (unreadable: " + e + ")";
        }
    }

    private static String kind(Path fd) {
        try {
            String target = Files.readSymbolicLink(fd).toString();
            int colon = target.indexOf(':');
            return colon > 0 ? target.substring(0, colon) : target.startsWith("/") ? "file" : target;
        } catch (IOException e) {
            return "gone";
        }
    }

    static Set<Thread> livePoolThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .filter(t -> t.getName().startsWith(POOL_THREAD_PREFIX))
                .collect(Collectors.toSet());
    }

    static int openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Set<Long> descendantPids() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
                .collect(Collectors.toSet());
    }

    /** Used heap right after a full collection (System.gc() is one with the default collector). */
    static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static long mb(long bytes) {
        return bytes / (1024 * 1024);
    }
}
