package io.mcppool.internal.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mcppool.config.BackoffPolicy;
import io.mcppool.config.RetrySettings;
import java.math.BigInteger;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Backoff values per policy, the cap, full jitter's bounds, and overflow safety. */
class BackoffTest {
    private static final long MS = 1_000_000L;
    private static final DoubleSupplier NEVER = () -> {
        throw new AssertionError("jitter off must not draw a random number");
    };

    private static RetrySettings settings(BackoffPolicy policy, Duration initial, Duration max, boolean jitter) {
        return RetrySettings.builder().policy(policy).initialBackoff(initial).maxBackoff(max).jitter(jitter).build();
    }

    private static RetrySettings noJitter(BackoffPolicy policy) {
        return settings(policy, Duration.ofMillis(100), Duration.ofSeconds(5), false);
    }

    @Test
    void exponentialDoublesFromInitialUpToTheCap() {
        RetrySettings s = noJitter(BackoffPolicy.EXPONENTIAL);
        long[] expectedMs = {100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000};
        for (int retry = 1; retry <= expectedMs.length; retry++) {
            assertThat(Backoff.delayNanos(s, retry, NEVER)).as("retry %d", retry).isEqualTo(expectedMs[retry - 1] * MS);
        }
        for (int retry = 10; retry <= 200; retry++) {
            assertThat(Backoff.delayNanos(s, retry, NEVER)).as("retry %d", retry).isEqualTo(5000 * MS);
        }
    }

    @Test
    void exponentialMatchesTheFormulaBelowTheCap() {
        RetrySettings s = settings(BackoffPolicy.EXPONENTIAL, Duration.ofNanos(3), Duration.ofNanos(Long.MAX_VALUE), false);
        for (int retry = 1; retry <= 61; retry++) {
            assertThat(Backoff.delayNanos(s, retry, NEVER)).as("retry %d", retry).isEqualTo(3L << (retry - 1));
        }
    }

    @Test
    void linearGrowsByInitialUpToTheCap() {
        RetrySettings s = noJitter(BackoffPolicy.LINEAR);
        for (int retry = 1; retry <= 50; retry++) {
            assertThat(Backoff.delayNanos(s, retry, NEVER)).as("retry %d", retry)
                    .isEqualTo(Math.min(100L * retry, 5000L) * MS);
        }
        assertThat(Backoff.delayNanos(s, 100, NEVER)).isEqualTo(5000 * MS);
    }

    @Test
    void fixedIsAlwaysInitial() {
        RetrySettings s = noJitter(BackoffPolicy.FIXED);
        for (int retry : new int[] {1, 2, 3, 10, 62, 63, 64, 100, Integer.MAX_VALUE}) {
            assertThat(Backoff.delayNanos(s, retry, NEVER)).as("retry %d", retry).isEqualTo(100 * MS);
        }
    }

    @Test
    void aCapEqualToInitialKeepsEveryPolicyFlat() {
        for (BackoffPolicy policy : BackoffPolicy.values()) {
            RetrySettings s = settings(policy, Duration.ofMillis(250), Duration.ofMillis(250), false);
            for (int retry = 1; retry <= 100; retry++) {
                assertThat(Backoff.delayNanos(s, retry, NEVER)).as("%s retry %d", policy, retry).isEqualTo(250 * MS);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(BackoffPolicy.class)
    void zeroInitialBackoffMeansNoWait(BackoffPolicy policy) {
        // initialBackoff 0 is valid config ("0"); retries run up to maxAttempts - 1 = 99, so retry numbers
        // past 62 are reachable, and 0 x 2^(n-1) is still 0 there.
        RetrySettings s = settings(policy, Duration.ZERO, Duration.ofSeconds(5), false);
        for (int retry = 1; retry <= 100; retry++) {
            assertThat(Backoff.delayNanos(s, retry, NEVER)).as("%s retry %d", policy, retry).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(BackoffPolicy.class)
    void jitterStaysBetweenZeroAndTheValue(BackoffPolicy policy) {
        RetrySettings plain = settings(policy, Duration.ofMillis(100), Duration.ofSeconds(5), false);
        RetrySettings jittered = plain.toBuilder().jitter(true).build();
        for (int retry = 1; retry <= 80; retry++) {
            long value = Backoff.delayNanos(plain, retry, NEVER);
            for (double r : new double[] {0.0, 1e-9, 0.25, 0.5, 0.75, 0.999_999, Math.nextDown(1.0)}) {
                long d = Backoff.delayNanos(jittered, retry, () -> r);
                assertThat(d).as("%s retry %d random %s", policy, retry, r).isBetween(0L, value);
            }
            assertThat(Backoff.delayNanos(jittered, retry, () -> 0.0)).isZero();
            assertThat(Backoff.delayNanos(jittered, retry, () -> 0.5)).isEqualTo(value / 2);
            assertThat((double) Backoff.delayNanos(jittered, retry, () -> 0.999_999))
                    .as("a draw near 1 approaches the value").isGreaterThanOrEqualTo(value * 0.999_99);
        }
    }

    @Test
    void jitteredDelaysAverageHalfTheCap() {
        RetrySettings s = settings(BackoffPolicy.EXPONENTIAL, Duration.ofMillis(100), Duration.ofSeconds(5), true);
        int draws = 10_000;
        double sum = 0;
        long max = 5000 * MS;
        for (int i = 0; i < draws; i++) {
            long d = Backoff.delayNanos(s, 20, () -> ThreadLocalRandom.current().nextDouble());
            assertThat(d).isBetween(0L, max);
            sum += d;
        }
        double mean = sum / draws;
        // Uniform on [0, cap]: mean cap/2, standard error cap/sqrt(12 x 10000) ~ 0.3% of cap; +-5% is far outside.
        assertThat(mean).isBetween(max / 2.0 * 0.95, max / 2.0 * 1.05);
    }

    @ParameterizedTest
    @ValueSource(ints = {62, 63, 64, 65, 100, 1000, Integer.MAX_VALUE})
    void largeRetryNumbersDoNotOverflow(int retry) {
        for (BackoffPolicy policy : BackoffPolicy.values()) {
            for (Duration max : new Duration[] {Duration.ofDays(365), Duration.ofNanos(Long.MAX_VALUE)}) {
                RetrySettings s = settings(policy, Duration.ofSeconds(1), max, false);
                long d = Backoff.delayNanos(s, retry, NEVER);
                long expected = expected(policy, Duration.ofSeconds(1).toNanos(), retry, max.toNanos());
                assertThat(d).as("%s retry %d max %s", policy, retry, max).isEqualTo(expected);
                long jittered = Backoff.delayNanos(s.toBuilder().jitter(true).build(), retry, () -> 0.999_999);
                assertThat(jittered).as("%s retry %d max %s jittered", policy, retry, max).isBetween(0L, expected);
            }
        }
    }

    /** The policy's formula in exact arithmetic, capped: what the delay must be without jitter. */
    private static long expected(BackoffPolicy policy, long initialNanos, int retry, long maxNanos) {
        BigInteger initial = BigInteger.valueOf(initialNanos);
        BigInteger value = switch (policy) {
            case FIXED -> initial;
            case LINEAR -> initial.multiply(BigInteger.valueOf(retry));
            case EXPONENTIAL -> retry > 200 ? BigInteger.valueOf(maxNanos).add(BigInteger.ONE)
                    : initial.shiftLeft(retry - 1);
        };
        return value.min(BigInteger.valueOf(maxNanos)).longValueExact();
    }

    @Test
    void theBackoffNeverShrinksAsRetriesGrow() {
        for (BackoffPolicy policy : BackoffPolicy.values()) {
            RetrySettings s = settings(policy, Duration.ofMillis(7), Duration.ofNanos(Long.MAX_VALUE), false);
            long previous = 0;
            for (int retry = 1; retry <= 200; retry++) {
                long d = Backoff.delayNanos(s, retry, NEVER);
                assertThat(d).as("%s retry %d", policy, retry).isGreaterThanOrEqualTo(previous).isPositive();
                previous = d;
            }
        }
    }

    @Test
    void hugeInitialBackoffSaturatesInsteadOfWrapping() {
        RetrySettings s = settings(BackoffPolicy.LINEAR, Duration.ofNanos(Long.MAX_VALUE / 2 + 1),
                Duration.ofNanos(Long.MAX_VALUE), false);
        assertThat(Backoff.delayNanos(s, 2, NEVER)).isEqualTo(Long.MAX_VALUE);
        assertThat(Backoff.delayNanos(s, 3, NEVER)).isEqualTo(Long.MAX_VALUE);
        RetrySettings e = s.toBuilder().policy(BackoffPolicy.EXPONENTIAL).build();
        assertThat(Backoff.delayNanos(e, 2, NEVER)).isEqualTo(Long.MAX_VALUE);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void retryNumbersStartAtOne(int retry) {
        for (BackoffPolicy policy : BackoffPolicy.values()) {
            assertThatThrownBy(() -> Backoff.delayNanos(noJitter(policy), retry, NEVER))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("start at 1");
        }
    }
}
