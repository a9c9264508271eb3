package io.mcppool.gateway.mcp;

import java.util.concurrent.ConcurrentHashMap;

/**
 * What each client holds now of what its quotas count (calls in flight, places on sticky servers), by client name.
 * An entry exists only while its count is above zero, so the map holds the clients using something now and no more.
 * Each change is one atomic {@link ConcurrentHashMap#compute}: no lock is held across calls.
 */
final class ClientUsage {
    static final String CALLS = "calls";

    private record Key(String client, String what) {
    }

    private final ConcurrentHashMap<Key, Integer> counts = new ConcurrentHashMap<>();

    /** Takes one of {@code client}'s {@code max} places for {@code what}; false when it holds them all. */
    boolean tryTake(String client, String what, int max) {
        boolean[] taken = {false};
        counts.compute(new Key(client, what), (k, n) -> {
            int held = n == null ? 0 : n;
            if (held >= max) {
                return n;
            }
            taken[0] = true;
            return held + 1;
        });
        return taken[0];
    }

    /** Gives one place back. */
    void give(String client, String what) {
        counts.computeIfPresent(new Key(client, what), (k, n) -> n <= 1 ? null : n - 1);
    }

    int held(String client, String what) {
        return counts.getOrDefault(new Key(client, what), 0);
    }

    /** Entries held now (for tests: it must come back to 0). */
    int size() {
        return counts.size();
    }

    static String sticky(String server) {
        return "sticky:" + server;
    }
}
