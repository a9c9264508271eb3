package io.mcppool.gateway.auth;

import io.mcppool.config.RateLimit;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A token bucket per key (a client's name; for the failed-auth throttle, a source address or a token's hash), with
 * its own {@link RateLimit} ({@code perSecond} tokens flow in, at most {@code burst} wait). Keys with
 * {@link RateLimit#NONE} cost nothing.
 *
 * <p>Each bucket is one {@link AtomicLong}: the time at which it will be full again (the generic cell rate
 * algorithm). Taking a token moves that time one interval later; a bucket that is full needs no state at all,
 * so idle buckets are dropped by a sweep every {@value #SWEEP_INTERVAL_SECONDS} s and memory stays bounded by
 * the keys seen recently. No locks: a request does one read and one compare-and-set.
 *
 * <p>The number of buckets is bounded too ({@code maxKeys}): when that many hold tokens owed, a new key is not
 * tracked (it goes on as if its bucket were full) until a sweep frees room. For clients this bound is never reached
 * in practice; for keys an attacker makes up (addresses, tokens) it keeps memory bounded.
 *
 * <p>Anonymous requests (auth off) are one client, {@code anonymous}, and share one bucket.
 */
public final class RateLimiter {
    static final long SWEEP_INTERVAL_SECONDS = 10;
    private static final long SWEEP_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(SWEEP_INTERVAL_SECONDS);
    /** A full table is swept again at most this often: a sweep walks every bucket. */
    private static final long FULL_SWEEP_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** A debt larger than this is never reached in practice; capping it keeps the sums below free of overflow. */
    private static final long MAX_SPAN_NANOS = TimeUnit.DAYS.toNanos(365L * 100);
    /** The default bound on buckets: far more clients than a gateway has. */
    public static final int DEFAULT_MAX_KEYS = 100_000;

    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;
    private final int maxKeys;
    private final AtomicLong nextSweep;
    private final AtomicLong nextFullSweep;

    public RateLimiter() {
        this(System::nanoTime, DEFAULT_MAX_KEYS);
    }

    /** @param maxKeys the most buckets held at once */
    public RateLimiter(int maxKeys) {
        this(System::nanoTime, maxKeys);
    }

    /** @param nanoClock a monotonic clock in nanoseconds, like {@link System#nanoTime()} */
    RateLimiter(LongSupplier nanoClock) {
        this(nanoClock, DEFAULT_MAX_KEYS);
    }

    RateLimiter(LongSupplier nanoClock, int maxKeys) {
        this.nanoClock = nanoClock;
        this.maxKeys = maxKeys;
        long now = nanoClock.getAsLong();
        this.nextSweep = new AtomicLong(now + SWEEP_INTERVAL_NANOS);
        this.nextFullSweep = new AtomicLong(now);
    }

    /**
     * Takes one token from the client's bucket.
     *
     * @return 0 when the request may go on, else how many milliseconds (at least 1) until the bucket has a
     *         token again: answer 429 with {@code Retry-After: }{@link #retryAfterSeconds(long)}
     */
    public long tryAcquire(ClientIdentity client) {
        return tryAcquire(client, 1);
    }

    /**
     * Takes {@code permits} tokens from the client's bucket at once, or none (a JSON-RPC batch pays one per message).
     * More than the client's burst can never be had: check {@code client.rateLimit().burst()} first.
     *
     * @return 0 when taken, else how many milliseconds (at least 1) until the bucket holds {@code permits} tokens
     */
    public long tryAcquire(ClientIdentity client, int permits) {
        return tryAcquire(client.name(), client.rateLimit(), permits);
    }

    /** {@link #tryAcquire(ClientIdentity, int)} for any key with its limit. */
    public long tryAcquire(String key, RateLimit limit, int permits) {
        if (!limit.limited()) {
            return 0;
        }
        long now = nanoClock.getAsLong();
        Bucket bucket = bucket(key, limit, now);
        return bucket == null ? 0 : bucket.tryAcquire(now, permits);
    }

    /**
     * How many milliseconds until {@code key}'s bucket holds a token, without taking one: 0 when it holds one now
     * (or is not tracked).
     */
    public long waitMillis(String key, RateLimit limit) {
        if (!limit.limited()) {
            return 0;
        }
        Bucket bucket = buckets.get(key);
        return bucket == null || !bucket.limit.equals(limit) ? 0 : bucket.waitMillis(nanoClock.getAsLong(), 1);
    }

    /** The {@code Retry-After} value for a wait: whole seconds, rounded up, at least 1. */
    public static long retryAfterSeconds(long waitMillis) {
        return Math.max(1, (waitMillis + 999) / 1000);
    }

    /** Buckets held now (for tests and the status page). */
    int bucketCount() {
        return buckets.size();
    }

    /** The key's bucket, made if need be; null when the table is full and the key not tracked. */
    private Bucket bucket(String key, RateLimit limit, long now) {
        sweepIfDue(now);
        Bucket bucket = buckets.get(key);
        if (bucket != null && bucket.limit.equals(limit)) {
            return bucket;
        }
        if (bucket == null && buckets.size() >= maxKeys) {
            sweepFull(now);
            if (buckets.size() >= maxKeys) {
                return null;
            }
        }
        // first request, or the config was reloaded with another limit for this key
        return buckets.compute(key, (name, old) -> old != null && old.limit.equals(limit) ? old : new Bucket(limit, now));
    }

    private void sweepIfDue(long now) {
        long due = nextSweep.get();
        // one thread wins the sweep; the others go on at once
        if (now - due >= 0 && nextSweep.compareAndSet(due, now + SWEEP_INTERVAL_NANOS)) {
            buckets.values().removeIf(bucket -> bucket.isFull(now));
        }
    }

    private void sweepFull(long now) {
        long due = nextFullSweep.get();
        if (now - due >= 0 && nextFullSweep.compareAndSet(due, now + FULL_SWEEP_INTERVAL_NANOS)) {
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
            this.tolerance = span(limit.burst() - 1L);
            this.fullAt = new AtomicLong(now);
        }

        /** {@code tokens} intervals, capped. */
        private long span(long tokens) {
            try {
                return Math.min(Math.multiplyExact(tokens, interval), MAX_SPAN_NANOS);
            } catch (ArithmeticException e) {
                return MAX_SPAN_NANOS;
            }
        }

        long tryAcquire(long now, int permits) {
            long extra = span(permits - 1L);
            while (true) {
                long full = fullAt.get();
                long start = full - now > 0 ? full : now;
                long over = start - now + extra - tolerance;
                if (over > 0) {
                    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(over + 999_999));
                }
                if (fullAt.compareAndSet(full, start + extra + interval)) {
                    return 0;
                }
            }
        }

        long waitMillis(long now, int permits) {
            long full = fullAt.get();
            long over = Math.max(full, now) - now + span(permits - 1L) - tolerance;
            return over > 0 ? Math.max(1, TimeUnit.NANOSECONDS.toMillis(over + 999_999)) : 0;
        }

        boolean isFull(long now) {
            return fullAt.get() - now <= 0;
        }
    }
}
