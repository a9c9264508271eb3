package io.mcppool.routing;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Each available endpoint in turn. */
final class RoundRobin implements Balancer {
    private final AtomicLong counter = new AtomicLong();

    @Override
    public int pick(List<? extends Balanced> endpoints, long available, String affinityKey) {
        int n = Long.bitCount(available);
        if (n == 0) {
            return -1;
        }
        if (n == 1) {
            return Long.numberOfTrailingZeros(available);
        }
        return Balancer.nthSetBit(available, (int) Long.remainderUnsigned(counter.getAndIncrement(), n));
    }
}
