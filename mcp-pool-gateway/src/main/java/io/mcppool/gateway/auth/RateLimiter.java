package io.mcppool.gateway.auth;

import io.mcppool.config.RateLimit;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A token bucket per client name, with the client's own {@link RateLimit} ({@code perSecond} tokens flow in,
 * at most {@code burst} wait). Clients with {@link RateLimit#NONE} cost nothing.
 *
 * <p>Each bucket is one {@link AtomicLong}: the time at which it will be full again (the generic cell rate
 * algorithm). Taking a token moves that time one interval later; a bucket that is full needs no state at all,
 * so idle buckets are dropped by a sweep every {@value #SWEEP_INTERVAL_SECONDS} s and memory stays bounded by
 * the clients seen recently. No locks: a request does one read and one compare-and-set.
 *
 * <p>Anonymous requests (auth off) are one client, {@code anonymous}, and share one bucket.
 */
public final class RateLimiter {
    static final long SWEEP_INTERVAL_SECONDS = 10;
    private static final long SWEEP_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(SWEEP_INTERVAL_SECONDS);
    /** A debt larger than this is never reached in practice; capping it keeps the sums below free of overflow. */
    private static final long MAX_SPAN_NANOS = TimeUnit.DAYS.toNanos(365L * 100);

    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;
    private final AtomicLong nextSweep;

    public RateLimiter() {
        this(System::nanoTime);
    }

    /** @param nanoClock a monotonic clock in nanoseconds, like {@link System#nanoTime()} */
    RateLimiter(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.nextSweep = new AtomicLong(nanoClock.getAsLong() + SWEEP_INTERVAL_NANOS);
    }

    /**
     * Takes one token from the client's bucket.
     *
     * @return 0 when the request may go on, else how many milliseconds (at least 1) until the bucket has a
     *         token again: answer 429 with {@code Retry-After: }{@link #retryAfterSeconds(long)}
     */
    public long tryAcquire(ClientIdentity client) {
        RateLimit limit = client.rateLimit();
        if (!limit.limited()) {
            return 0;
        }
        long now = nanoClock.getAsLong();
        sweepIfDue(now);
        Bucket bucket = buckets.get(client.name());
        if (bucket == null || !bucket.limit.equals(limit)) {
            // first request, or the config was reloaded with another limit for this client
            bucket = buckets.compute(client.name(),
                    (name, old) -> old != null && old.limit.equals(limit) ? old : new Bucket(limit, now));
        }
        return bucket.tryAcquire(now);
    }

    /** The {@code Retry-After} value for a wait: whole seconds, rounded up, at least 1. */
    public static long retryAfterSeconds(long waitMillis) {
        return Math.max(1, (waitMillis + 999) / 1000);
    }

    /** Buckets held now (for tests and the status page). */
    int bucketCount() {
        return buckets.size();
    }

    private void sweepIfDue(long now) {
        long due = nextSweep.get();
        // one thread wins the sweep; the others go on at once
        if (now - due >= 0 && nextSweep.compareAndSet(due, now + SWEEP_INTERVAL_NANOS)) {
            buckets.values().removeIf(bucket -> bucket.isFull(now));
        }
    }

    private static final class Bucket {
        final RateLimit limit;
        /** Nanoseconds per token. */
        private final long interval;
        /** How far ahead of now the full time may be while a token is left: {@code (burst - 1) * interval}. */
        private final long tolerance;
        /** When the bucket will hold {@code burst} tokens again; at or before now, it is full. */
        private final AtomicLong fullAt;

        Bucket(RateLimit limit, long now) {
            this.limit = limit;
            this.interval = Math.max(1, Math.min(MAX_SPAN_NANOS, Math.round(1e9 / limit.perSecond())));
            long span;
            try {
                span = Math.multiplyExact(limit.burst() - 1L, interval);
            } catch (ArithmeticException e) {
                span = MAX_SPAN_NANOS;
            }
            this.tolerance = Math.min(span, MAX_SPAN_NANOS);
            this.fullAt = new AtomicLong(now);
        }

        long tryAcquire(long now) {
            while (true) {
                long full = fullAt.get();
                long start = full - now > 0 ? full : now;
                long debt = start - now;
                if (debt > tolerance) {
                    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(debt - tolerance + 999_999));
                }
                if (fullAt.compareAndSet(full, start + interval)) {
                    return 0;
                }
            }
        }

        boolean isFull(long now) {
            return fullAt.get() - now <= 0;
        }
    }
}
