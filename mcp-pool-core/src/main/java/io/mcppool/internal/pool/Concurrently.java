package io.mcppool.internal.pool;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs one step for each item on a virtual thread of its own and waits for all of them. Closing is
 * the use: each close may take seconds (a stdio server's shutdown steps), and side by side they take
 * as long as the slowest rather than the sum. Internal to mcp-pool.
 */
public final class Concurrently {
    private Concurrently() {
    }

    /** Waits for every step; an interrupt is kept on the calling thread and ends the wait. */
    public static <T> void forEach(String threadName, Collection<? extends T> items, Consumer<? super T> step) {
        List<Thread> threads = new ArrayList<>(items.size());
        for (T item : items) {
            threads.add(Thread.ofVirtual().name(threadName).start(() -> step.accept(item)));
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
