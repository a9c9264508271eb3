package io.mcppool.internal.routing;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Power of two choices: two available endpoints at random, and the one with the lower expected cost
 * wins. The cost is the decaying latency average times (requests in flight + 1), so a fast endpoint
 * that is already busy does not take every call; one never measured costs nothing and is tried.
 */
final class PowerOfTwoLatency implements Balancer {

    @Override
    public int choose(List<? extends Balanced> endpoints, long available, int n, String affinityKey) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int a = random.nextInt(n);
        int b = random.nextInt(n - 1);
        if (b >= a) {
            b++;
        }
        int i = Balancer.nthSetBit(available, a);
        int j = Balancer.nthSetBit(available, b);
        return cost(endpoints.get(i)) <= cost(endpoints.get(j)) ? i : j;
    }

    private static double cost(Balanced e) {
        return e.latencyNanos() * (e.outstanding() + 1);
    }
}
