package io.mcppool.internal.transport;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The stdio server processes a pool has started and not yet seen end, each with everything it started. The
 * pool's last step at close kills what is still here: a session that closed on its own ends its process on
 * a thread of its own, and one still doing so when the pool (or the JVM) is done must not leave a server
 * behind that never reads its stdin and so never notices it is alone.
 */
public final class LiveProcesses {
    private final Set<ProcessTree> live = ConcurrentHashMap.newKeySet();

    void started(ProcessTree tree) {
        live.add(tree);
    }

    void ended(ProcessTree tree) {
        live.remove(tree);
    }

    /** How many are still here. */
    public int size() {
        return live.size();
    }

    /**
     * SIGKILL to every process still here and everything each started; waits for them at most {@code wait}.
     * Returns how many trees were still here.
     */
    public int killAll(Duration wait) {
        List<ProcessTree> left = List.copyOf(live);
        for (ProcessTree t : left) {
            t.kill();
        }
        long deadline = System.nanoTime() + wait.toNanos();
        for (ProcessTree t : left) {
            t.awaitLeader(Math.max(0, deadline - System.nanoTime()));
            live.remove(t);
        }
        return left.size();
    }
}
