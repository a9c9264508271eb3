package io.mcppool.internal.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.mcppool.config.RetrySettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The retry budget: a fraction of the calls over a sliding window, at least minRetries, on a fake clock. */
class RetryBudgetTest {
    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong now = new AtomicLong(-123_456_789_000L); // nanoTime may be negative

    private RetryBudget budget(double ratio, int minRetries, Duration window) {
        RetrySettings s = RetrySettings.builder().budget(ratio).minRetries(minRetries).budgetWindow(window).build();
        return new RetryBudget(s, now::get);
    }

    private RetryBudget standard() {
        return budget(0.2, 3, Duration.ofSeconds(10));
    }

    private static void calls(RetryBudget b, int n) {
        for (int i = 0; i < n; i++) {
            b.recordCall();
        }
    }

    /** Takes retries until refused (at most {@code limit}), returning how many were granted. */
    private static int drain(RetryBudget b, int limit) {
        int granted = 0;
        while (granted < limit && b.tryAcquireRetry()) {
            granted++;
        }
        return granted;
    }

    @Test
    void aHundredCallsAllowTwentyRetries() {
        RetryBudget b = standard();
        calls(b, 100);
        assertThat(b.remaining()).isEqualTo(20);
        for (int i = 0; i < 20; i++) {
            assertThat(b.tryAcquireRetry()).as("retry %d", i + 1).isTrue();
            assertThat(b.remaining()).isEqualTo(20 - i - 1);
        }
        assertThat(b.tryAcquireRetry()).isFalse();
        assertThat(b.tryAcquireRetry()).isFalse();
        assertThat(b.remaining()).isZero();
        // More calls buy more retries: 5 calls are one more retry at 20%.
        calls(b, 5);
        assertThat(b.remaining()).isEqualTo(1);
        assertThat(b.tryAcquireRetry()).isTrue();
        assertThat(b.tryAcquireRetry()).isFalse();
    }

    @Test
    void withoutCallsMinRetriesAreAllowed() {
        RetryBudget b = standard();
        assertThat(b.remaining()).isEqualTo(3);
        assertThat(drain(b, 100)).isEqualTo(3);
        assertThat(b.remaining()).isZero();
    }

    @Test
    void minRetriesIsAFloorNotAnAddition() {
        RetryBudget b = standard();
        calls(b, 10); // 20% of 10 is 2, below the floor of 3
        assertThat(drain(b, 100)).isEqualTo(3);
        RetryBudget c = standard();
        calls(c, 50); // 10 > 3
        assertThat(drain(c, 100)).isEqualTo(10);
    }

    @Test
    void zeroBudgetAndZeroMinRetriesAllowNothing() {
        RetryBudget b = budget(0.0, 0, Duration.ofSeconds(10));
        calls(b, 1000);
        assertThat(b.remaining()).isZero();
        assertThat(b.tryAcquireRetry()).isFalse();
    }

    @ParameterizedTest(name = "budget {0} of {1} calls allows {2} retries")
    @CsvSource({
        "0.2, 100, 20",
        "0.1, 30, 3",
        "0.5, 7, 3",
        "1.0, 40, 40",
        "0.29, 100, 29",
        "0.57, 100, 57",
        "0.07, 1000, 70",
    })
    void theBudgetIsTheFloorOfRatioTimesCalls(double ratio, int calls, int expected) {
        // "retries may be at most this fraction of the calls": 29 of 100 is exactly 0.29, so it is allowed
        // (in doubles 0.29 x 100 is 28.999999999999996, which must not cost a retry).
        RetryBudget b = budget(ratio, 0, Duration.ofSeconds(10));
        calls(b, calls);
        assertThat(b.remaining()).isEqualTo(expected);
        assertThat(drain(b, 10_000)).isEqualTo(expected);
    }

    @Test
    void theWindowSlides() {
        RetryBudget b = standard();
        calls(b, 100);
        assertThat(drain(b, 100)).isEqualTo(20);
        now.addAndGet(9 * SECOND);
        assertThat(b.tryAcquireRetry()).as("9 s later the calls and retries still count").isFalse();
        now.addAndGet(SECOND - 1);
        assertThat(b.remaining()).as("just under 10 s").isZero();
        now.addAndGet(1);
        assertThat(b.remaining()).as("10 s later the old calls and retries are out").isEqualTo(3);
        assertThat(drain(b, 100)).isEqualTo(3);
    }

    @Test
    void callsAndRetriesLeaveTheWindowSecondBySecond() {
        RetryBudget b = standard();
        calls(b, 50); // t = 0
        now.addAndGet(5 * SECOND);
        calls(b, 50); // t = 5 s
        assertThat(drain(b, 100)).isEqualTo(20); // t = 5 s
        now.addAndGet(5 * SECOND); // t = 10 s: the first 50 calls are out, the retries are not
        assertThat(b.remaining()).isZero(); // 20% of 50 = 10, 20 already taken
        calls(b, 50); // t = 10 s: 100 calls in the window again, 20 retries: still none left
        assertThat(b.tryAcquireRetry()).isFalse();
        now.addAndGet(5 * SECOND); // t = 15 s: only the latest 50 calls, no retries
        assertThat(b.remaining()).isEqualTo(10);
        now.addAndGet(10 * SECOND); // t = 25 s: nothing
        assertThat(b.remaining()).isEqualTo(3);
    }

    @Test
    void aLongIdleGapForgetsEverything() {
        RetryBudget b = standard();
        calls(b, 1000);
        assertThat(drain(b, 1000)).isEqualTo(200);
        // Same bucket index a whole number of windows later: must not see the old counts.
        now.addAndGet(100 * SECOND);
        assertThat(b.remaining()).isEqualTo(3);
        calls(b, 10);
        assertThat(drain(b, 100)).isEqualTo(3);
        now.addAndGet(3600 * SECOND + 7 * SECOND);
        assertThat(drain(b, 100)).isEqualTo(3);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentRetriesNeverExceedTheBudget() throws Exception {
        for (int round = 0; round < 50; round++) {
            RetryBudget b = standard();
            calls(b, 1000); // 200 retries
            int threads = 8;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                CountDownLatch start = new CountDownLatch(1);
                AtomicInteger granted = new AtomicInteger();
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    done.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < 1000; i++) {
                            if (b.tryAcquireRetry()) {
                                granted.incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : done) {
                    f.get(30, TimeUnit.SECONDS);
                }
                assertThat(granted.get()).as("round %d", round).isEqualTo(200);
                assertThat(b.remaining()).isZero();
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
