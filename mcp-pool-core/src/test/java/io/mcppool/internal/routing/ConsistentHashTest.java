package io.mcppool.internal.routing;

import static io.mcppool.internal.routing.Endpoints.all;
import static io.mcppool.internal.routing.Endpoints.counts;
import static org.assertj.core.api.Assertions.assertThat;

import io.mcppool.config.BalanceStrategy;
import io.mcppool.internal.routing.Endpoints.Ep;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The consistent-hash balancer: stable keys, fair shares, and minimal movement when endpoints leave and return. */
class ConsistentHashTest {
    private static final int KEYS = 10_000;

    /** 10,000 distinct keys, the same in every run (a seeded source, so the test is deterministic). */
    private static List<String> keys() {
        SplittableRandom random = new SplittableRandom(20240601L);
        List<String> keys = new ArrayList<>(KEYS);
        for (int i = 0; i < KEYS; i++) {
            keys.add(new UUID(random.nextLong(), random.nextLong()).toString());
        }
        return keys;
    }

    private static int[] assign(Balancer b, List<Ep> eps, long mask, List<String> keys) {
        int[] owner = new int[keys.size()];
        for (int k = 0; k < keys.size(); k++) {
            owner[k] = b.pick(eps, mask, keys.get(k));
        }
        return owner;
    }

    @Test
    void theSameKeyAlwaysGetsTheSameEndpoint() {
        List<Ep> eps = Endpoints.plain(5);
        Balancer b = Balancer.create(BalanceStrategy.CONSISTENT_HASH, eps);
        Balancer other = Balancer.create(BalanceStrategy.CONSISTENT_HASH, eps);
        List<String> keys = keys();
        int[] first = assign(b, eps, all(5), keys);
        for (int round = 0; round < 3; round++) {
            assertThat(assign(b, eps, all(5), keys)).as("round %d", round).isEqualTo(first);
        }
        // Interleaved keyless calls (round robin) do not disturb keyed ones, and a balancer built
        // from the same endpoints (e.g. after a config reload) maps keys the same way.
        for (int k = 0; k < 100; k++) {
            b.pick(eps, all(5), null);
        }
        assertThat(assign(b, eps, all(5), keys)).isEqualTo(first);
        assertThat(assign(other, eps, all(5), keys)).isEqualTo(first);
        for (int owner : first) {
            assertThat(owner).isBetween(0, 4);
        }
    }

    @ParameterizedTest(name = "{0} endpoints")
    @ValueSource(ints = {2, 3, 4, 5, 8, 16})
    void keysSpreadRoughlyFairly(int n) {
        List<Ep> eps = Endpoints.plain(n);
        Balancer b = Balancer.create(BalanceStrategy.CONSISTENT_HASH, eps);
        int[] c = new int[n];
        for (int owner : assign(b, eps, all(n), keys())) {
            c[owner]++;
        }
        double fair = KEYS / (double) n;
        for (int i = 0; i < n; i++) {
            assertThat((double) c[i]).as("endpoint %d of %d, counts %s", i, n, Arrays.toString(c))
                    .isBetween(fair * 0.7, fair * 1.3);
        }
    }

    @Test
    void heavierEndpointsGetMoreKeys() {
        List<Ep> eps = Endpoints.weighted(1, 3);
        Balancer b = Balancer.create(BalanceStrategy.CONSISTENT_HASH, eps);
        int[] c = new int[2];
        for (int owner : assign(b, eps, all(2), keys())) {
            c[owner]++;
        }
        assertThat((double) c[0]).as("counts %s", Arrays.toString(c)).isBetween(KEYS * 0.25 * 0.7, KEYS * 0.25 * 1.3);
        assertThat((double) c[1]).as("counts %s", Arrays.toString(c)).isBetween(KEYS * 0.75 * 0.9, KEYS * 0.75 * 1.1);
    }

    @ParameterizedTest(name = "{0} endpoints")
    @ValueSource(ints = {4, 5, 8})
    void whenAnEndpointLeavesOnlyItsKeysMoveAndTheyComeBackWhenItReturns(int n) {
        List<Ep> eps = Endpoints.plain(n);
        Balancer b = Balancer.create(BalanceStrategy.CONSISTENT_HASH, eps);
        List<String> keys = keys();
        int[] before = assign(b, eps, all(n), keys);
        for (int leaving = 0; leaving < n; leaving++) {
            long without = all(n) & ~(1L << leaving);
            int[] during = assign(b, eps, without, keys);
            int moved = 0;
            for (int k = 0; k < KEYS; k++) {
                assertThat(during[k]).as("key %s while %d is away", keys.get(k), leaving).isNotEqualTo(leaving);
                if (during[k] != before[k]) {
                    moved++;
                    assertThat(before[k]).as("key %s moved from %d to %d while %d left", keys.get(k), before[k],
                            during[k], leaving).isEqualTo(leaving);
                }
            }
            assertThat(moved / (double) KEYS).as("fraction moved when %d of %d left", leaving, n)
                    .isLessThanOrEqualTo(1.0 / n + 0.05);
            // Back again: every key returns to where it was.
            assertThat(assign(b, eps, all(n), keys)).as("after %d returned", leaving).isEqualTo(before);
        }
    }

    @Test
    void aKeyKeepsItsEndpointUnderAnyMaskThatIncludesIt() {
        int n = 8;
        List<Ep> eps = Endpoints.plain(n);
        Balancer b = Balancer.create(BalanceStrategy.CONSISTENT_HASH, eps);
        List<String> keys = keys();
        int[] home = assign(b, eps, all(n), keys);
        SplittableRandom random = new SplittableRandom(7);
        for (int k = 0; k < KEYS; k++) {
            long mask = random.nextLong(1, 1L << n);
            int pick = b.pick(eps, mask, keys.get(k));
            assertThat(mask & (1L << pick)).isNotZero();
            if ((mask & (1L << home[k])) != 0) {
                assertThat(pick).as("key %s with mask %s", keys.get(k), Long.toBinaryString(mask)).isEqualTo(home[k]);
            }
        }
    }

    @Test
    void withTwoEndpointsAwayEachDisplacedKeyStillGoesToOneEndpoint() {
        // Removing endpoints one after another: a key only moves when its current endpoint leaves.
        int n = 5;
        List<Ep> eps = Endpoints.plain(n);
        Balancer b = Balancer.create(BalanceStrategy.CONSISTENT_HASH, eps);
        List<String> keys = keys();
        int[] full = assign(b, eps, all(n), keys);
        int[] minus1 = assign(b, eps, all(n) & ~(1L << 1), keys);
        int[] minus13 = assign(b, eps, all(n) & ~(1L << 1) & ~(1L << 3), keys);
        for (int k = 0; k < KEYS; k++) {
            if (minus13[k] != minus1[k]) {
                assertThat(minus1[k]).as("key %s", keys.get(k)).isEqualTo(3);
            }
            if (full[k] != 1 && full[k] != 3) {
                assertThat(minus13[k]).as("key %s", keys.get(k)).isEqualTo(full[k]);
            }
        }
    }

    @Test
    void withoutAKeyCallsGoRoundRobin() {
        List<Ep> eps = Endpoints.plain(4);
        Balancer b = Balancer.create(BalanceStrategy.CONSISTENT_HASH, eps);
        for (int cycle = 0; cycle < 10; cycle++) {
            assertThat(counts(b, eps, all(4), 4)).containsExactly(1, 1, 1, 1);
        }
        assertThat(counts(b, eps, all(4), KEYS)).containsExactly(2500, 2500, 2500, 2500);
        assertThat(counts(b, eps, Endpoints.maskOf(0, 2), 1000)).containsExactly(500, 0, 500, 0);
    }

    @Test
    void similarKeysLandOnDifferentEndpoints() {
        // "user-1", "user-2", ...: the hash's finalizer spreads near keys, so sequential ids are fair too.
        int n = 4;
        List<Ep> eps = Endpoints.plain(n);
        Balancer b = Balancer.create(BalanceStrategy.CONSISTENT_HASH, eps);
        int[] c = new int[n];
        for (int k = 0; k < KEYS; k++) {
            c[b.pick(eps, all(n), "user-" + k)]++;
        }
        for (int i = 0; i < n; i++) {
            assertThat((double) c[i]).as("counts %s", Arrays.toString(c)).isBetween(KEYS / 4.0 * 0.7, KEYS / 4.0 * 1.3);
        }
    }

    @Test
    void emptyAndUnicodeKeysAreKeysToo() {
        List<Ep> eps = Endpoints.plain(4);
        Balancer b = Balancer.create(BalanceStrategy.CONSISTENT_HASH, eps);
        for (String key : List.of("", "ключ", "\uD83D\uDE00", "a\u0000b")) {
            int first = b.pick(eps, all(4), key);
            assertThat(first).isBetween(0, 3);
            for (int k = 0; k < 10; k++) {
                assertThat(b.pick(eps, all(4), key)).as("key '%s'", key).isEqualTo(first);
            }
        }
    }
}
