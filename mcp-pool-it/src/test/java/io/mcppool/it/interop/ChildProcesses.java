package io.mcppool.it.interop;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The test JVM's descendant processes whose command line contains given strings: used to check
 * that a closed pool left none of the servers it started behind. Take {@link #matching} before the
 * pool starts and compare with {@link #newSince} after it closed, so a leak elsewhere in the JVM
 * is not blamed on the test at hand.
 */
final class ChildProcesses {
    private ChildProcesses() {
    }

    /** Pids of live descendants whose command line contains every needle. */
    static Set<Long> matching(String... needles) {
        return ProcessHandle.current().descendants()
                .filter(ProcessHandle::isAlive)
                .filter(p -> {
                    String cmd = p.info().commandLine().orElse("");
                    for (String n : needles) {
                        if (!cmd.contains(n)) {
                            return false;
                        }
                    }
                    return true;
                })
                .map(ProcessHandle::pid)
                .collect(Collectors.toSet());
    }

    /**
     * Waits (at most {@code timeout}) until no matching descendant outside {@code before} is alive;
     * returns the ones still alive then (empty when all are gone).
     */
    static List<String> awaitGone(Set<Long> before, java.time.Duration timeout, String... needles) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> left = newSince(before, needles);
            if (left.isEmpty() || System.nanoTime() > deadline) {
                return left;
            }
            try {
                Thread.sleep(20); // polling, bounded by the deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return left;
            }
        }
    }

    /** Live matching descendants that were not in {@code before}, as "pid: command line" for messages. */
    static List<String> newSince(Set<Long> before, String... needles) {
        Set<Long> now = matching(needles);
        now.removeAll(before);
        return now.stream()
                .map(pid -> pid + ": " + ProcessHandle.of(pid).flatMap(h -> h.info().commandLine()).orElse("?"))
                .sorted()
                .toList();
    }
}
