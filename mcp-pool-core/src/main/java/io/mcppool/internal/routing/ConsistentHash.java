package io.mcppool.internal.routing;

import java.util.Arrays;
import java.util.List;

/**
 * A hash ring with virtual nodes (more for heavier endpoints). A key goes to the first available
 * endpoint clockwise from its hash, so one key keeps one endpoint while that endpoint is available,
 * and when an endpoint leaves only its own keys move (to their next endpoint on the ring). A call
 * without an affinity key goes round robin.
 */
final class ConsistentHash implements Balancer {
    /** Virtual nodes per unit of weight: enough that shares stay within a few percent of fair. */
    static final int VNODES_PER_WEIGHT = 160;

    private final long[] points;
    private final int[] owners;
    private final RoundRobin keyless = new RoundRobin();

    ConsistentHash(List<? extends Balanced> endpoints) {
        int total = 0;
        for (Balanced e : endpoints) {
            total += e.weight() * VNODES_PER_WEIGHT;
        }
        long[] hashes = new long[total];
        int[] owner = new int[total];
        int k = 0;
        for (int i = 0; i < endpoints.size(); i++) {
            int vnodes = endpoints.get(i).weight() * VNODES_PER_WEIGHT;
            for (int v = 0; v < vnodes; v++) {
                hashes[k] = hash("endpoint-" + i + "#" + v);
                owner[k] = i;
                k++;
            }
        }
        // Sort the points, carrying each point's owner along.
        Integer[] order = new Integer[total];
        for (int i = 0; i < total; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(hashes[a], hashes[b]));
        points = new long[total];
        owners = new int[total];
        for (int i = 0; i < total; i++) {
            points[i] = hashes[order[i]];
            owners[i] = owner[order[i]];
        }
    }

    @Override
    public int choose(List<? extends Balanced> endpoints, long available, int count, String affinityKey) {
        if (affinityKey == null) {
            return keyless.choose(endpoints, available, count, null);
        }
        long h = hash(affinityKey);
        int at = Arrays.binarySearch(points, h);
        if (at < 0) {
            at = -at - 1;
        }
        for (int step = 0; step < points.length; step++) {
            int owner = owners[(at + step) % points.length];
            if ((available & (1L << owner)) != 0) {
                return owner;
            }
        }
        return -1; // unreachable: every endpoint has points on the ring
    }

    /** 64-bit FNV-1a over the key's UTF-16 chars, then a finalizer so near keys land far apart. */
    static long hash(CharSequence key) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            h = (h ^ (c & 0xff)) * 0x100000001b3L;
            h = (h ^ (c >>> 8)) * 0x100000001b3L;
        }
        return mix(h);
    }

    /** MurmurHash3's fmix64. */
    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb93fe3b9a875L;
        h ^= h >>> 33;
        return h;
    }
}
