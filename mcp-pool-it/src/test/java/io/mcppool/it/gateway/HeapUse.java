package io.mcppool.it.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The heap this JVM keeps live, for tests that run the gateway in-process and show what a misbehaving client costs
 * it. One reading forces a full collection first, so garbage never counts; a wait polls (collecting each time)
 * until the heap is back under a bound, because a collection may run while something is still being released.
 */
final class HeapUse {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
    static final long MIB = 1024 * 1024;

    private HeapUse() {
    }

    /** Live heap after a full collection, in bytes. */
    static long live() {
        MEMORY.gc();
        return MEMORY.getHeapMemoryUsage().getUsed();
    }

    /** The smallest of a few readings: a baseline that a collection racing with a background task does not inflate. */
    static long baseline() {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            least = Math.min(least, live());
        }
        return least;
    }

    /**
     * Waits (bounded by {@code within}) until the live heap is at most {@code baseline + allowance}; fails with the
     * last reading otherwise. Returns the growth over the baseline at the last reading.
     */
    static long awaitGrowthAtMost(long baseline, long allowance, Duration within, String what) {
        AtomicLong growth = new AtomicLong();
        await(what).atMost(within).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            growth.set(live() - baseline);
            assertThat(growth.get()).as("%s: live heap grew by %s over the baseline (allowed %s)", what,
                    mib(growth.get()), mib(allowance)).isLessThanOrEqualTo(allowance);
        });
        return growth.get();
    }

    /** The live heap's growth over {@code baseline}, in MiB (for messages). */
    static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (double) MIB);
    }
}
