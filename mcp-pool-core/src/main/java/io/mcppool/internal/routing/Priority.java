package io.mcppool.internal.routing;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The lowest tier with an available endpoint, weighted round robin within it. Higher tiers get calls
 * only while every endpoint of the lower ones is unavailable (unhealthy, breaker open, or tried).
 */
final class Priority implements Balancer {
    private final AtomicLong counter = new AtomicLong();

    @Override
    public int choose(List<? extends Balanced> endpoints, long available, int count, String affinityKey) {
        return WeightedRoundRobin.pick(endpoints, Balancer.lowestTier(endpoints, available), counter.getAndIncrement());
    }
}
