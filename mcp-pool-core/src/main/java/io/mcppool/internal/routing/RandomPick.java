package io.mcppool.internal.routing;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** An available endpoint uniformly at random. */
final class RandomPick implements Balancer {

    @Override
    public int choose(List<? extends Balanced> endpoints, long available, int count, String affinityKey) {
        return Balancer.nthSetBit(available, ThreadLocalRandom.current().nextInt(count));
    }
}
