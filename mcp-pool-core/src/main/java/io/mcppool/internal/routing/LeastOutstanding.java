package io.mcppool.internal.routing;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** The available endpoint with the fewest requests in flight; ties go round in turn, so idle endpoints share. */
final class LeastOutstanding implements Balancer {
    private final AtomicLong counter = new AtomicLong();

    @Override
    public int choose(List<? extends Balanced> endpoints, long available, int count, String affinityKey) {
        int least = Integer.MAX_VALUE;
        int ties = 0;
        for (long m = available; m != 0; m &= m - 1) {
            int load = endpoints.get(Long.numberOfTrailingZeros(m)).outstanding();
            if (load < least) {
                least = load;
                ties = 1;
            } else if (load == least) {
                ties++;
            }
        }
        // Ties go round in turn among the tied endpoints themselves, so idle endpoints share evenly.
        int turn = (int) Long.remainderUnsigned(counter.getAndIncrement(), ties);
        int first = -1;
        for (long m = available; m != 0; m &= m - 1) {
            int i = Long.numberOfTrailingZeros(m);
            if (endpoints.get(i).outstanding() == least) {
                if (first < 0) {
                    first = i;
                }
                if (turn-- == 0) {
                    return i;
                }
            }
        }
        // Loads moved between the two passes: any endpoint that was least loaded will do.
        return first >= 0 ? first : Long.numberOfTrailingZeros(available);
    }
}
