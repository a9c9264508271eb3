package io.mcppool.internal.routing;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Each available endpoint in turn. */
final class RoundRobin implements Balancer {
    private final AtomicLong counter = new AtomicLong();

    @Override
    public int choose(List<? extends Balanced> endpoints, long available, int count, String affinityKey) {
        return Balancer.nthSetBit(available, (int) Long.remainderUnsigned(counter.getAndIncrement(), count));
    }
}
