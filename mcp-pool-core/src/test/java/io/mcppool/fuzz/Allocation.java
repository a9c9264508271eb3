package io.mcppool.fuzz;

import java.lang.management.ManagementFactory;
import java.util.function.Supplier;

/**
 * Bytes the calling thread allocates while it runs a piece of code, so a fuzz test can say "this input made the
 * parser allocate far more than its size": a bound that holds per input, where a heap limit only shows once the
 * whole run has gone wrong. Counts the current thread only, which is where the codec and the config loader work.
 */
final class Allocation {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Allocation() {
    }

    /** What {@code work} returned or threw, and the bytes it allocated on this thread. */
    record Measured<T>(T value, RuntimeException failure, long bytes) {
    }

    /**
     * Measures {@code work}, and once more if it went over {@code bound}: the first run of a path loads and
     * initializes classes (Jackson's error messages, say), which is not the input's doing. The second run's
     * count is the one that stands.
     */
    static <T> Measured<T> measureWarm(Supplier<T> work, long bound) {
        Measured<T> first = measure(work);
        return first.bytes() <= bound ? first : measure(work);
    }

    static <T> Measured<T> measure(Supplier<T> work) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        T value = null;
        RuntimeException failure = null;
        try {
            value = work.get();
        } catch (RuntimeException e) {
            failure = e;
        }
        return new Measured<>(value, failure, THREADS.getCurrentThreadAllocatedBytes() - before);
    }
}
