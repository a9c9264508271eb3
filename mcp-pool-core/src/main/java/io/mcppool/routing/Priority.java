package io.mcppool.routing;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The lowest tier with an available endpoint, weighted round robin within it. Higher tiers get calls
 * only while every endpoint of the lower ones is unavailable (unhealthy, breaker open, or tried).
 */
final class Priority implements Balancer {
    private final AtomicLong counter = new AtomicLong();

    @Override
    public int pick(List<? extends Balanced> endpoints, long available, String affinityKey) {
        if (available == 0) {
            return -1;
        }
        int lowest = Integer.MAX_VALUE;
        for (long m = available; m != 0; m &= m - 1) {
            lowest = Math.min(lowest, endpoints.get(Long.numberOfTrailingZeros(m)).tier());
        }
        long tier = 0;
        for (long m = available; m != 0; m &= m - 1) {
            int i = Long.numberOfTrailingZeros(m);
            if (endpoints.get(i).tier() == lowest) {
                tier |= 1L << i;
            }
        }
        return WeightedRoundRobin.pick(endpoints, tier, counter.getAndIncrement());
    }
}
