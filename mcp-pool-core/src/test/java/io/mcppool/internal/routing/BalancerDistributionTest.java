package io.mcppool.internal.routing;

import static io.mcppool.internal.routing.Endpoints.all;
import static io.mcppool.internal.routing.Endpoints.counts;
import static io.mcppool.internal.routing.Endpoints.maskOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.mcppool.config.BalanceStrategy;
import io.mcppool.internal.routing.Endpoints.Ep;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each balancing strategy's distribution over many picks, against the bounds its javadoc states, and
 * the rules every strategy shares (unavailable endpoints never picked, empty mask gives -1).
 */
class BalancerDistributionTest {
    private static final int PICKS = 10_000;

    @Nested
    class RoundRobinStrategy {
        @Test
        void aFullCycleVisitsEachAvailableEndpointExactlyOnce() {
            List<Ep> eps = Endpoints.plain(5);
            Balancer b = Balancer.create(BalanceStrategy.ROUND_ROBIN, eps);
            for (int cycle = 0; cycle < 100; cycle++) {
                int[] c = counts(b, eps, all(5), 5);
                assertThat(c).as("cycle %d", cycle).containsExactly(1, 1, 1, 1, 1);
            }
        }

        @Test
        void tenThousandPicksAreEvenWithinOne() {
            List<Ep> eps = Endpoints.plain(3);
            int[] c = counts(Balancer.create(BalanceStrategy.ROUND_ROBIN, eps), eps, all(3), PICKS);
            for (int n : c) {
                assertThat(n).isBetween(PICKS / 3 - 1, PICKS / 3 + 1);
            }
            assertThat(Arrays.stream(c).sum()).isEqualTo(PICKS);
        }

        @Test
        void onlyTheAvailableEndpointsTakeTurns() {
            List<Ep> eps = Endpoints.plain(5);
            long mask = maskOf(1, 2, 4);
            int[] c = counts(Balancer.create(BalanceStrategy.ROUND_ROBIN, eps), eps, mask, 3 * 1000);
            assertThat(c).containsExactly(0, 1000, 1000, 0, 1000);
        }
    }

    @Nested
    class WeightedRoundRobinStrategy {
        @Test
        void eachRunOfTotalWeightPicksGivesEachEndpointExactlyItsWeight() {
            List<Ep> eps = Endpoints.weighted(1, 2, 3, 4);
            Balancer b = Balancer.create(BalanceStrategy.WEIGHTED_ROUND_ROBIN, eps);
            int[] picks = new int[200];
            for (int k = 0; k < picks.length; k++) {
                picks[k] = b.pick(eps, all(4), null);
            }
            // Any window of W = 10 consecutive picks, wherever it starts.
            for (int start = 0; start + 10 <= picks.length; start++) {
                int[] c = new int[4];
                for (int k = start; k < start + 10; k++) {
                    c[picks[k]]++;
                }
                assertThat(c).as("picks %d..%d", start, start + 9).containsExactly(1, 2, 3, 4);
            }
        }

        @Test
        void tenThousandPicksFollowTheWeightsWithinOnePercent() {
            int[] weights = {1, 2, 3, 4};
            List<Ep> eps = Endpoints.weighted(weights);
            int[] c = counts(Balancer.create(BalanceStrategy.WEIGHTED_ROUND_ROBIN, eps), eps, all(4), PICKS);
            for (int i = 0; i < 4; i++) {
                double expected = weights[i] / 10.0;
                assertThat(c[i] / (double) PICKS).as("share of endpoint %d", i).isCloseTo(expected, within(0.01));
            }
        }

        @Test
        void unavailableEndpointsLeaveTheTotalWeight() {
            int[] weights = {1, 2, 3, 4};
            List<Ep> eps = Endpoints.weighted(weights);
            // Endpoint 3 (weight 4) out: total 6, shares 1/6, 2/6, 3/6.
            int[] c = counts(Balancer.create(BalanceStrategy.WEIGHTED_ROUND_ROBIN, eps), eps, maskOf(0, 1, 2), 6000);
            assertThat(c).containsExactly(1000, 2000, 3000, 0);
        }
    }

    @Nested
    class RandomStrategy {
        @Test
        void tenThousandPicksAreRoughlyFair() {
            List<Ep> eps = Endpoints.plain(4);
            int[] c = counts(Balancer.create(BalanceStrategy.RANDOM, eps), eps, all(4), PICKS);
            // Fair is 2500 (sd ~43): 2000..3000 is over 11 sd away, so this cannot flake.
            for (int i = 0; i < 4; i++) {
                assertThat(c[i]).as("endpoint %d", i).isBetween(2000, 3000);
            }
        }

        @Test
        void aHundredThousandPicksAreWithinFivePercentOfFair() {
            List<Ep> eps = Endpoints.plain(4);
            int picks = 100_000;
            int[] c = counts(Balancer.create(BalanceStrategy.RANDOM, eps), eps, all(4), picks);
            // Fair is 25000 (sd ~137): +-5% relative is 1250, over 9 sd.
            for (int i = 0; i < 4; i++) {
                assertThat(c[i]).as("endpoint %d", i).isBetween(23_750, 26_250);
            }
        }

        @Test
        void picksOnlyAvailableEndpointsFairly() {
            List<Ep> eps = Endpoints.plain(6);
            int[] c = counts(Balancer.create(BalanceStrategy.RANDOM, eps), eps, maskOf(0, 3, 5), PICKS * 3);
            assertThat(c[1] + c[2] + c[4]).isZero();
            for (int i : new int[] {0, 3, 5}) {
                assertThat(c[i]).as("endpoint %d", i).isBetween(9_000, 11_000);
            }
        }
    }

    @Nested
    class LeastOutstandingStrategy {
        @Test
        void aUniqueMinimumIsAlwaysPicked() {
            List<Ep> eps = List.of(Ep.busy(3), Ep.busy(7), Ep.busy(1), Ep.busy(2));
            int[] c = counts(Balancer.create(BalanceStrategy.LEAST_OUTSTANDING, eps), eps, all(4), PICKS);
            assertThat(c).containsExactly(0, 0, PICKS, 0);
        }

        @Test
        void theMinimumIsTakenAmongAvailableEndpointsOnly() {
            List<Ep> eps = List.of(Ep.busy(3), Ep.busy(7), Ep.busy(1), Ep.busy(2));
            int[] c = counts(Balancer.create(BalanceStrategy.LEAST_OUTSTANDING, eps), eps, maskOf(0, 1, 3), PICKS);
            assertThat(c).containsExactly(0, 0, 0, PICKS);
        }

        @Test
        void idleEndpointsShareEvenly() {
            List<Ep> eps = Endpoints.plain(4);
            int[] c = counts(Balancer.create(BalanceStrategy.LEAST_OUTSTANDING, eps), eps, all(4), PICKS);
            for (int i = 0; i < 4; i++) {
                assertThat(c[i]).as("endpoint %d", i).isBetween(2375, 2625);
            }
        }

        @Test
        void adjacentTiedMinimaShareEvenly() {
            List<Ep> eps = List.of(Ep.busy(3), Ep.busy(1), Ep.busy(5), Ep.busy(1));
            int[] c = counts(Balancer.create(BalanceStrategy.LEAST_OUTSTANDING, eps), eps, all(4), PICKS);
            assertThat(c[0] + c[2]).isZero();
            assertThat(c[1]).isBetween(4750, 5250);
            assertThat(c[3]).isBetween(4750, 5250);
        }

        @Test
        void tiedMinimaSeparatedByBusyEndpointsShareEvenly() {
            // Ties at 0, 2 and 4, busy endpoints between them: each tied endpoint should get about a third.
            List<Ep> eps = List.of(Ep.busy(0), Ep.busy(2), Ep.busy(0), Ep.busy(2), Ep.busy(0));
            int[] c = counts(Balancer.create(BalanceStrategy.LEAST_OUTSTANDING, eps), eps, all(5), PICKS * 3);
            assertThat(c[1] + c[3]).isZero();
            for (int i : new int[] {0, 2, 4}) {
                assertThat(c[i]).as("tied endpoint %d of counts %s", i, Arrays.toString(c)).isBetween(9_000, 11_000);
            }
        }

        @Test
        void twoIdleEndpointsAmongManyBusyOnesShareEvenly() {
            // Endpoints 0 and 7 idle, 1..6 busy: the two idle ones should share the calls about evenly.
            List<Ep> eps = new ArrayList<>();
            eps.add(Ep.busy(0));
            for (int i = 1; i <= 6; i++) {
                eps.add(Ep.busy(5));
            }
            eps.add(Ep.busy(0));
            int[] c = counts(Balancer.create(BalanceStrategy.LEAST_OUTSTANDING, eps), eps, all(8), PICKS);
            assertThat(c[0] + c[7]).isEqualTo(PICKS);
            assertThat(c[0]).as("counts %s", Arrays.toString(c)).isBetween(4000, 6000);
            assertThat(c[7]).as("counts %s", Arrays.toString(c)).isBetween(4000, 6000);
        }
    }

    @Nested
    class LatencyStrategy {
        private static final double MS = 1_000_000;

        @Test
        void theSlowestOfThreeIsNeverPickedAndTheFastestWinsTwoPairsOfThree() {
            // P2C draws two distinct endpoints: the pairs {0,1}, {0,2}, {1,2} are equally likely, and the
            // cheaper of each wins, so 0 gets 2/3, 1 gets 1/3 and the slowest (2) never wins a pair.
            List<Ep> eps = List.of(Ep.latency(1 * MS, 0), Ep.latency(2 * MS, 0), Ep.latency(10 * MS, 0));
            int[] c = counts(Balancer.create(BalanceStrategy.LATENCY, eps), eps, all(3), PICKS);
            assertThat(c[2]).isZero();
            assertThat(c[0]).isBetween(6_000, 7_333); // fair 6667, sd ~47
            assertThat(c[1]).isBetween(2_667, 4_000); // fair 3333
            assertThat(c[0]).isGreaterThan(c[1]);
        }

        @Test
        void anUnmeasuredEndpointIsPreferred() {
            // Latency 0 (never measured) costs nothing: it wins every pair it is drawn in (2 of 3).
            List<Ep> eps = List.of(Ep.latency(5 * MS, 0), Ep.latency(0, 0), Ep.latency(1 * MS, 0));
            int[] c = counts(Balancer.create(BalanceStrategy.LATENCY, eps), eps, all(3), PICKS);
            assertThat(c[0]).isZero();
            assertThat(c[1]).isBetween(6_000, 7_333);
            assertThat(c[2]).isBetween(2_667, 4_000);
        }

        @Test
        void anUnmeasuredEndpointWinsAgainstAnyMeasuredOneEvenWhenBusy() {
            List<Ep> eps = List.of(Ep.latency(1, 0), Ep.latency(0, 50));
            int[] c = counts(Balancer.create(BalanceStrategy.LATENCY, eps), eps, all(2), 1000);
            assertThat(c).containsExactly(0, 1000);
        }

        @Test
        void costIsLatencyTimesOutstandingPlusOne() {
            // With two endpoints both are always drawn, so the cheaper one always wins.
            // 1 ms with 5 in flight costs 6 ms; 4 ms idle costs 4 ms: the slower, idle endpoint wins.
            List<Ep> busyFast = List.of(Ep.latency(1 * MS, 5), Ep.latency(4 * MS, 0));
            assertThat(counts(Balancer.create(BalanceStrategy.LATENCY, busyFast), busyFast, all(2), 1000))
                    .containsExactly(0, 1000);
            // 1 ms with 2 in flight costs 3 ms: now the fast one wins.
            List<Ep> lessBusy = List.of(Ep.latency(1 * MS, 2), Ep.latency(4 * MS, 0));
            assertThat(counts(Balancer.create(BalanceStrategy.LATENCY, lessBusy), lessBusy, all(2), 1000))
                    .containsExactly(1000, 0);
        }

        @Test
        void withBusyEndpointsTheCostOrderDecidesTheShares() {
            // Costs: 1ms x (9+1) = 10 ms, 2ms x 1 = 2 ms, 3ms x (1+1) = 6 ms: order 1 < 2 < 0.
            List<Ep> eps = List.of(Ep.latency(1 * MS, 9), Ep.latency(2 * MS, 0), Ep.latency(3 * MS, 1));
            int[] c = counts(Balancer.create(BalanceStrategy.LATENCY, eps), eps, all(3), PICKS);
            assertThat(c[0]).isZero();
            assertThat(c[1]).isBetween(6_000, 7_333);
            assertThat(c[2]).isBetween(2_667, 4_000);
        }

        @Test
        void theMostExpensiveAvailableEndpointIsNeverPicked() {
            // Whatever the pair, the most expensive endpoint loses it.
            List<Ep> eps = List.of(Ep.latency(1 * MS, 0), Ep.latency(2 * MS, 0), Ep.latency(3 * MS, 0),
                    Ep.latency(4 * MS, 0), Ep.latency(9 * MS, 0));
            int[] c = counts(Balancer.create(BalanceStrategy.LATENCY, eps), eps, all(5), PICKS);
            assertThat(c[4]).isZero();
            // The cheapest wins each of its 4 pairs of the 10: 40%.
            assertThat(c[0]).isBetween(3_500, 4_500);
            // With the cheapest masked out, endpoint 3 becomes the most expensive available one.
            int[] masked = counts(Balancer.create(BalanceStrategy.LATENCY, eps), eps, maskOf(1, 2, 3), PICKS);
            assertThat(masked[0]).isZero();
            assertThat(masked[3]).isZero();
            assertThat(masked[4]).isZero();
        }
    }

    @Nested
    class PriorityStrategy {
        @Test
        void onlyTheLowestTierGetsPicksWeightedWithinIt() {
            List<Ep> eps = List.of(Ep.tiered(0, 1), Ep.tiered(0, 3), Ep.tiered(1, 1), Ep.tiered(1, 1));
            int[] c = counts(Balancer.create(BalanceStrategy.PRIORITY, eps), eps, all(4), 4 * 2500);
            assertThat(c).containsExactly(2500, 7500, 0, 0);
        }

        @Test
        void whenEveryLowTierEndpointIsUnavailableTheNextTierTakesOver() {
            List<Ep> eps = List.of(Ep.tiered(0, 1), Ep.tiered(0, 3), Ep.tiered(1, 1), Ep.tiered(1, 2));
            int[] c = counts(Balancer.create(BalanceStrategy.PRIORITY, eps), eps, maskOf(2, 3), 3 * 1000);
            assertThat(c).containsExactly(0, 0, 1000, 2000);
        }

        @Test
        void oneAvailableLowTierEndpointTakesEverything() {
            List<Ep> eps = List.of(Ep.tiered(0, 1), Ep.tiered(0, 3), Ep.tiered(1, 1), Ep.tiered(1, 1));
            int[] c = counts(Balancer.create(BalanceStrategy.PRIORITY, eps), eps, maskOf(0, 2, 3), PICKS);
            assertThat(c).containsExactly(PICKS, 0, 0, 0);
        }

        @Test
        void tiersNeedNotBeInConfigOrderOrContiguous() {
            List<Ep> eps = List.of(Ep.tiered(5, 1), Ep.tiered(2, 1), Ep.tiered(9, 1), Ep.tiered(2, 1));
            Balancer b = Balancer.create(BalanceStrategy.PRIORITY, eps);
            assertThat(counts(b, eps, all(4), 2000)).containsExactly(0, 1000, 0, 1000);
            assertThat(counts(b, eps, maskOf(0, 2), 1000)).containsExactly(1000, 0, 0, 0);
            assertThat(counts(b, eps, maskOf(2), 1000)).containsExactly(0, 0, 1000, 0);
        }
    }

    // ---------------------------------------------------------------- rules every strategy follows

    private static List<Ep> mixed(int n) {
        List<Ep> eps = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            eps.add(new Ep(1 + i % 3, i % 2, i % 4, (i % 5) * 1_000_000.0));
        }
        return List.copyOf(eps);
    }

    @ParameterizedTest
    @EnumSource(BalanceStrategy.class)
    void anEmptyMaskGivesMinusOne(BalanceStrategy strategy) {
        List<Ep> eps = mixed(8);
        Balancer b = Balancer.create(strategy, eps);
        assertThat(b.pick(eps, 0L, null)).isEqualTo(-1);
        assertThat(b.pick(eps, 0L, "some-key")).isEqualTo(-1);
        assertThat(b.pick(List.of(), 0L, null)).isEqualTo(-1);
    }

    @ParameterizedTest
    @EnumSource(BalanceStrategy.class)
    void aSingleAvailableEndpointIsAlwaysPicked(BalanceStrategy strategy) {
        List<Ep> eps = mixed(8);
        Balancer b = Balancer.create(strategy, eps);
        for (int i = 0; i < 8; i++) {
            for (int k = 0; k < 100; k++) {
                assertThat(b.pick(eps, 1L << i, null)).as("keyless, only %d available", i).isEqualTo(i);
                assertThat(b.pick(eps, 1L << i, "key-" + k)).as("key-%d, only %d available", k, i).isEqualTo(i);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(BalanceStrategy.class)
    void unavailableEndpointsAreNeverPicked(BalanceStrategy strategy) {
        List<Ep> eps = mixed(12);
        Balancer b = Balancer.create(strategy, eps);
        SplittableRandom random = new SplittableRandom(42);
        for (int k = 0; k < PICKS; k++) {
            long mask = random.nextLong(1, 1L << 12);
            String key = k % 2 == 0 ? null : "key-" + random.nextInt(1000);
            int pick = b.pick(eps, mask, key);
            assertThat(pick).as("mask %s key %s", Long.toBinaryString(mask), key).isBetween(0, 11);
            assertThat(mask & (1L << pick)).as("mask %s key %s picked %d", Long.toBinaryString(mask), key, pick)
                    .isNotZero();
        }
    }

    @ParameterizedTest
    @EnumSource(BalanceStrategy.class)
    void sixtyFourEndpointsAllReachable(BalanceStrategy strategy) {
        // The mask is a long: endpoint 63 is the sign bit.
        List<Ep> eps = Endpoints.plain(64);
        Balancer b = Balancer.create(strategy, eps);
        assertThat(b.pick(eps, 1L << 63, null)).isEqualTo(63);
        assertThat(b.pick(eps, 1L << 63, "k")).isEqualTo(63);
        assertThat(b.pick(eps, (1L << 63) | 1L, "k")).isIn(0, 63);
        for (int k = 0; k < 1000; k++) {
            assertThat(b.pick(eps, -1L, k % 2 == 0 ? null : "key-" + k)).isBetween(0, 63);
        }
    }

    @Test
    void roundRobinOverAllSixtyFourEndpointsReachesTheLast() {
        List<Ep> eps = Endpoints.plain(64);
        int[] c = counts(Balancer.create(BalanceStrategy.ROUND_ROBIN, eps), eps, -1L, 64 * 10);
        for (int i = 0; i < 64; i++) {
            assertThat(c[i]).as("endpoint %d", i).isEqualTo(10);
        }
    }
}
