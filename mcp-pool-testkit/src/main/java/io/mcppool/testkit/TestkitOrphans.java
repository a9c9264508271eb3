package io.mcppool.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The processes a stdio testkit server started with {@code --fork-on-start} leaves behind when it exits:
 * a shell, {@code sh -c 'sleep 600; exit 0' mcp-pool-testkit-orphan <label>}, and its {@code sleep}. Both
 * hold the server's stdin, stdout and stderr, which is the point: a client sees the server exit but never
 * sees its stdout end. They are no longer descendants of the test JVM once the server is gone (they are
 * re-parented), so a test finds them by the marker and the server's {@code --label} on the shell's command
 * line, and must end them in its teardown. Each ends by itself after {@link #LIFETIME} in any case.
 */
public final class TestkitOrphans {
    /** On the orphan shell's command line (its {@code $0}), followed by the server's label. */
    public static final String MARKER = "mcp-pool-testkit-orphan";
    /** How long an orphan lives if nobody ends it. */
    public static final Duration LIFETIME = Duration.ofMinutes(10);
    /** What stands for the label of a server started without {@code --label}. */
    static final String NO_LABEL = "unlabelled";

    private TestkitOrphans() {
    }

    /** The command a server with this label (or null) runs to leave an orphan behind. */
    static List<String> command(String label) {
        // "; exit 0" keeps the shell alive as the sleep's parent: a shell that exec'd its last command
        // would leave a plain "sleep 600" without the marker on its command line
        return List.of("sh", "-c", "sleep " + LIFETIME.toSeconds() + "; exit 0", MARKER, label == null ? NO_LABEL : label);
    }

    /** The live orphan shells of servers started with {@code --label label}; every orphan shell when label is null. */
    public static List<ProcessHandle> find(String label) {
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().arguments().map(args -> isOrphan(List.of(args), label)).orElse(false))
                .toList();
    }

    private static boolean isOrphan(List<String> args, String label) {
        int marker = args.indexOf(MARKER);
        return marker >= 0 && (label == null || (marker + 1 < args.size() && args.get(marker + 1).equals(label)));
    }

    /**
     * Kills the orphans of {@code label} (every orphan when null) and their children, and waits (at most 10 s)
     * for them to be gone. Returns "pid: command line" of each shell it found, for messages.
     */
    public static List<String> destroy(String label) {
        List<String> found = new ArrayList<>();
        List<ProcessHandle> killed = new ArrayList<>();
        for (ProcessHandle shell : find(label)) {
            found.add(shell.pid() + ": " + shell.info().commandLine().orElse("?"));
            // the children first: once the shell is gone they are no longer its descendants
            List<ProcessHandle> children = shell.descendants().toList();
            children.forEach(ProcessHandle::destroyForcibly);
            shell.destroyForcibly();
            killed.addAll(children);
            killed.add(shell);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (ProcessHandle p : killed) {
            try {
                p.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException e) {
                // still alive at the deadline: the caller sees it in find()
            }
        }
        return found;
    }
}
