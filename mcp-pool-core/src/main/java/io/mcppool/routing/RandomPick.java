package io.mcppool.routing;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** An available endpoint uniformly at random. */
final class RandomPick implements Balancer {

    @Override
    public int pick(List<? extends Balanced> endpoints, long available, String affinityKey) {
        int n = Long.bitCount(available);
        if (n <= 1) {
            return n == 0 ? -1 : Long.numberOfTrailingZeros(available);
        }
        return Balancer.nthSetBit(available, ThreadLocalRandom.current().nextInt(n));
    }
}
