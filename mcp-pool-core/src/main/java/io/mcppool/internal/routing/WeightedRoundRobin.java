package io.mcppool.internal.routing;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * In turn by weight: over any run of {@code W} picks (the available endpoints' total weight) each
 * endpoint gets exactly its weight. The ticket {@code counter mod W} is mapped onto the endpoints'
 * cumulative weights, so a pick is a walk over at most 64 endpoints and no lock.
 */
final class WeightedRoundRobin implements Balancer {
    private final AtomicLong counter = new AtomicLong();

    @Override
    public int choose(List<? extends Balanced> endpoints, long available, int count, String affinityKey) {
        return pick(endpoints, available, counter.getAndIncrement());
    }

    static int pick(List<? extends Balanced> endpoints, long available, long ticket) {
        if (available == 0) {
            return -1;
        }
        long total = 0;
        for (long m = available; m != 0; m &= m - 1) {
            total += endpoints.get(Long.numberOfTrailingZeros(m)).weight();
        }
        long t = Long.remainderUnsigned(ticket, total);
        for (long m = available; m != 0; m &= m - 1) {
            int i = Long.numberOfTrailingZeros(m);
            t -= endpoints.get(i).weight();
            if (t < 0) {
                return i;
            }
        }
        return Long.numberOfTrailingZeros(available); // unreachable: the weights sum to total
    }
}
