package io.mcppool.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.mcppool.config.RateLimit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final RateLimiter limiter = new RateLimiter(nanos::get);

    private static ClientIdentity client(String name, RateLimit limit) {
        return new ClientIdentity(name, AccessPolicy.ALL, limit, false);
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void aBatchTakesAllItsTokensOrNone() {
        ClientIdentity bot = client("ci-bot", new RateLimit(10, 5));
        assertThat(limiter.tryAcquire(bot, 3)).isZero();
        assertThat(limiter.tryAcquire(bot, 3)).as("2 left, 3 asked: 100 ms until the third").isEqualTo(100);
        assertThat(limiter.tryAcquire(bot, 2)).as("nothing was taken by the refusal").isZero();
        assertThat(limiter.tryAcquire(bot)).isEqualTo(100);
        advance(Duration.ofMillis(300));
        assertThat(limiter.waitMillis("ci-bot", bot.rateLimit())).isZero();
        assertThat(limiter.tryAcquire(bot, 3)).isZero();
        assertThat(limiter.waitMillis("ci-bot", bot.rateLimit())).as("peeking takes nothing").isEqualTo(100);
        assertThat(limiter.waitMillis("ci-bot", bot.rateLimit())).isEqualTo(100);
    }

    @Test
    void keysPastTheBoundAreNotTrackedUntilASweepFreesRoom() {
        RateLimiter bounded = new RateLimiter(nanos::get, 3);
        RateLimit once = new RateLimit(1.0 / 60, 1);
        for (String key : List.of("a", "b", "c")) {
            assertThat(bounded.tryAcquire(key, once, 1)).isZero();
            assertThat(bounded.tryAcquire(key, once, 1)).as(key).isPositive();
        }
        assertThat(bounded.tryAcquire("d", once, 1)).isZero();
        assertThat(bounded.tryAcquire("d", once, 1)).as("not tracked: the table is full").isZero();
        assertThat(bounded.bucketCount()).isEqualTo(3);
        advance(Duration.ofMinutes(2)); // a, b, c are full again: the next new key's sweep drops them
        assertThat(bounded.tryAcquire("e", once, 1)).isZero();
        assertThat(bounded.tryAcquire("e", once, 1)).as("tracked again").isPositive();
    }

    @Test
    void theBurstPassesThenTheNextRequestWaitsForOneToken() {
        ClientIdentity bot = client("ci-bot", new RateLimit(10, 5));

        for (int i = 0; i < 5; i++) {
            assertThat(limiter.tryAcquire(bot)).as("request %d of the burst", i + 1).isZero();
        }
        long wait = limiter.tryAcquire(bot);

        assertThat(wait).isEqualTo(100);   // one token every 100 ms
        assertThat(RateLimiter.retryAfterSeconds(wait)).isEqualTo(1);
    }

    @Test
    void tokensFlowBackAtTheRateAndNeverAboveTheBurst() {
        ClientIdentity bot = client("ci-bot", new RateLimit(10, 5));
        for (int i = 0; i < 5; i++) {
            limiter.tryAcquire(bot);
        }

        advance(Duration.ofMillis(40));
        assertThat(limiter.tryAcquire(bot)).isEqualTo(60);
        advance(Duration.ofMillis(60));
        assertThat(limiter.tryAcquire(bot)).isZero();
        assertThat(limiter.tryAcquire(bot)).isEqualTo(100);

        advance(Duration.ofMillis(250));   // 2.5 tokens back
        assertThat(limiter.tryAcquire(bot)).isZero();
        assertThat(limiter.tryAcquire(bot)).isZero();
        assertThat(limiter.tryAcquire(bot)).isEqualTo(50);

        advance(Duration.ofHours(1));       // full again, but no fuller than the burst
        int passed = 0;
        while (limiter.tryAcquire(bot) == 0) {
            passed++;
        }
        assertThat(passed).isEqualTo(5);
    }

    @Test
    void slowRatesGiveRetryAfterInWholeSecondsRoundedUp() {
        ClientIdentity slow = client("slow", new RateLimit(0.4, 1));   // one every 2.5 s
        assertThat(limiter.tryAcquire(slow)).isZero();

        long wait = limiter.tryAcquire(slow);

        assertThat(wait).isEqualTo(2500);
        assertThat(RateLimiter.retryAfterSeconds(wait)).isEqualTo(3);
        assertThat(RateLimiter.retryAfterSeconds(1)).isEqualTo(1);
        assertThat(RateLimiter.retryAfterSeconds(1000)).isEqualTo(1);
        assertThat(RateLimiter.retryAfterSeconds(1001)).isEqualTo(2);
    }

    @Test
    void eachClientHasItsOwnBucket() {
        RateLimit limit = new RateLimit(1, 1);
        assertThat(limiter.tryAcquire(client("a", limit))).isZero();
        assertThat(limiter.tryAcquire(client("a", limit))).isPositive();
        assertThat(limiter.tryAcquire(client("b", limit))).isZero();
    }

    @Test
    void unlimitedClientsCostNothing() {
        ClientIdentity free = client("free", RateLimit.NONE);
        for (int i = 0; i < 10_000; i++) {
            assertThat(limiter.tryAcquire(free)).isZero();
        }
        assertThat(limiter.bucketCount()).isZero();
    }

    @Test
    void aChangedLimitForTheSameClientTakesEffect() {
        assertThat(limiter.tryAcquire(client("bot", new RateLimit(1, 1)))).isZero();
        assertThat(limiter.tryAcquire(client("bot", new RateLimit(1, 1)))).isPositive();

        // a config reload gave the client a larger burst
        assertThat(limiter.tryAcquire(client("bot", new RateLimit(1, 3)))).isZero();
    }

    @Test
    void idleBucketsAreDropped() {
        RateLimit limit = new RateLimit(100, 10);
        for (int i = 0; i < 1000; i++) {
            limiter.tryAcquire(client("client-" + i, limit));
        }
        assertThat(limiter.bucketCount()).isEqualTo(1000);

        advance(Duration.ofSeconds(RateLimiter.SWEEP_INTERVAL_SECONDS + 1));
        limiter.tryAcquire(client("fresh", limit));

        assertThat(limiter.bucketCount()).isEqualTo(1);
    }

    @Test
    void bucketsStillRefillingSurviveASweep() {
        ClientIdentity slow = client("slow", new RateLimit(0.01, 2));   // refills in 200 s
        limiter.tryAcquire(slow);
        limiter.tryAcquire(slow);

        advance(Duration.ofSeconds(RateLimiter.SWEEP_INTERVAL_SECONDS + 1));
        limiter.tryAcquire(client("other", new RateLimit(1, 1)));

        assertThat(limiter.bucketCount()).isEqualTo(2);
        assertThat(limiter.tryAcquire(slow)).isPositive();
    }

    @Test
    void manyThreadsTogetherGetExactlyTheBurst() throws Exception {
        int burst = 1000;
        int threads = 16;
        int attemptsPerThread = 500;
        ClientIdentity shared = client("shared", new RateLimit(1, burst));   // frozen clock: no refill
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    int granted = 0;
                    for (int i = 0; i < attemptsPerThread; i++) {
                        if (limiter.tryAcquire(shared) == 0) {
                            granted++;
                        }
                    }
                    return granted;
                }));
            }
            start.countDown();
            int granted = 0;
            for (Future<Integer> result : results) {
                granted += result.get(30, TimeUnit.SECONDS);
            }
            assertThat(granted).isEqualTo(burst);
        }
    }

    @Test
    void manyThreadsWithAMovingClockGetTheBurstPlusTheRefill() throws Exception {
        int threads = 8;
        ClientIdentity shared = client("shared", new RateLimit(1000, 50));   // 1 token per ms
        long startNanos = nanos.get();
        AtomicLong granted = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 2000; i++) {
                        if (id == 0 && i % 10 == 0) {
                            advance(Duration.ofNanos(100_000));   // the clock moves 0.1 ms
                        }
                        if (limiter.tryAcquire(shared) == 0) {
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
        }
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(nanos.get() - startNanos);   // 20 ms
        // never more than the burst plus what flowed in; the other threads' attempts keep the bucket drained
        assertThat(granted.get()).isBetween(50L, 50L + elapsedMillis);
    }
}
