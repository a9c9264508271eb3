package io.mcppool.internal.routing;

import java.util.ArrayList;
import java.util.List;

/** Fixtures for the balancer tests: immutable endpoints with the figures a balancer reads. */
final class Endpoints {
    private Endpoints() {
    }

    record Ep(int weight, int tier, int outstanding, double latencyNanos) implements Balancer.Balanced {
        static Ep plain() {
            return new Ep(1, 0, 0, 0);
        }

        static Ep weighted(int weight) {
            return new Ep(weight, 0, 0, 0);
        }

        static Ep tiered(int tier, int weight) {
            return new Ep(weight, tier, 0, 0);
        }

        static Ep busy(int outstanding) {
            return new Ep(1, 0, outstanding, 0);
        }

        static Ep latency(double latencyNanos, int outstanding) {
            return new Ep(1, 0, outstanding, latencyNanos);
        }
    }

    static List<Ep> plain(int n) {
        List<Ep> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(Ep.plain());
        }
        return List.copyOf(list);
    }

    static List<Ep> weighted(int... weights) {
        List<Ep> list = new ArrayList<>(weights.length);
        for (int w : weights) {
            list.add(Ep.weighted(w));
        }
        return List.copyOf(list);
    }

    /** Every endpoint of {@code n} available (n up to 64). */
    static long all(int n) {
        return n == 64 ? -1L : (1L << n) - 1;
    }

    static long maskOf(int... indexes) {
        long m = 0;
        for (int i : indexes) {
            m |= 1L << i;
        }
        return m;
    }

    /** How often each endpoint is picked over {@code picks} picks (a pick of -1 fails the caller's later checks). */
    static int[] counts(Balancer balancer, List<? extends Balancer.Balanced> endpoints, long available, int picks) {
        int[] counts = new int[endpoints.size()];
        for (int k = 0; k < picks; k++) {
            int i = balancer.pick(endpoints, available, null);
            if (i < 0 || i >= counts.length) {
                throw new AssertionError("pick " + k + " returned " + i + " for mask " + Long.toBinaryString(available));
            }
            counts[i]++;
        }
        return counts;
    }
}
