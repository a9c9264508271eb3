package io.mcppool.internal.routing;

import io.mcppool.config.BalanceStrategy;
import java.util.List;

/**
 * Picks one endpoint of a server for a call. Endpoints that may take the call are given as a bit mask
 * over the server's endpoint list (bit {@code i} set: endpoint {@code i} is available), so a pick
 * allocates nothing. Implementations are thread-safe and lock-free.
 */
public interface Balancer {

    /**
     * The index of the chosen endpoint, or -1 when {@code available} is empty.
     *
     * @param endpoints   all of the server's endpoints, in config order (never changes for a balancer)
     * @param available   which of them may take the call
     * @param affinityKey the call's affinity key, or null
     */
    default int pick(List<? extends Balanced> endpoints, long available, String affinityKey) {
        int count = Long.bitCount(available);
        if (count <= 1) {
            return count == 0 ? -1 : Long.numberOfTrailingZeros(available); // no choice to make
        }
        return choose(endpoints, available, count, affinityKey);
    }

    /** The strategy itself, for two or more available endpoints ({@code count} of them). */
    int choose(List<? extends Balanced> endpoints, long available, int count, String affinityKey);

    /** What a balancer reads about an endpoint. */
    interface Balanced {
        int weight();

        int tier();

        /** Requests in flight on the endpoint now. */
        int outstanding();

        /** A decaying average of the endpoint's latency in nanoseconds; 0 before the first sample. */
        double latencyNanos();
    }

    /** A balancer for {@code strategy} over {@code endpoints} (which it may precompute from, e.g. a hash ring). */
    static Balancer create(BalanceStrategy strategy, List<? extends Balanced> endpoints) {
        return switch (strategy) {
            case ROUND_ROBIN -> new RoundRobin();
            case WEIGHTED_ROUND_ROBIN -> new WeightedRoundRobin();
            case LEAST_OUTSTANDING -> new LeastOutstanding();
            case LATENCY -> new PowerOfTwoLatency();
            case RANDOM -> new RandomPick();
            case PRIORITY -> new Priority();
            case CONSISTENT_HASH -> new ConsistentHash(endpoints);
        };
    }

    /** Those of {@code available} in the lowest tier among them. */
    static long lowestTier(List<? extends Balanced> endpoints, long available) {
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
        return tier;
    }

    /** The index of the {@code k}-th (0-based) set bit of {@code mask}. */
    static int nthSetBit(long mask, int k) {
        long m = mask;
        for (int i = 0; i < k; i++) {
            m &= m - 1; // clear the lowest set bit
        }
        return Long.numberOfTrailingZeros(m);
    }
}
