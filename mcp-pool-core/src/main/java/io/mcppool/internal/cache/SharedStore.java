package io.mcppool.internal.cache;

import io.mcppool.config.SharedCacheSettings;
import io.mcppool.events.PoolEvents;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The shared cache: results in Redis, where every pool with the same URL and prefix (gateway replicas) finds
 * them. It may never fail or slow down a call beyond its short timeout: every command runs with
 * {@link SharedCacheSettings#timeout()}, and on the first error the store is marked degraded, bypassed, and
 * tried again in the background (a PING, with backoff) until it answers. Invalidations it could not apply
 * meanwhile are applied when it comes back, before it is used again.
 */
final class SharedStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SharedStore.class);
    /** Commands at once (reads and writes); past this a read counts as a miss and a write is skipped. */
    private static final int CONNECTIONS = 16;
    private static final long FIRST_PROBE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long MAX_PROBE_NANOS = TimeUnit.SECONDS.toNanos(15);
    private static final int SCAN_COUNT = 1000;

    /** An entry's JSON and the milliseconds it has left in Redis. */
    record Found(byte[] json, long ttlMillis) {
    }

    private final String prefix;
    private final String where;
    private final RedisClient client;
    private final Semaphore commands = new Semaphore(CONNECTIONS);
    private final ScheduledExecutorService timer;
    private final Executor background;
    private final PoolEvents events;
    /** Guards the move back to up and the invalidations that must happen before it. */
    private final ReentrantLock stateLock = new ReentrantLock();
    private final Set<String> pendingInvalidations = new LinkedHashSet<>();
    private volatile boolean degraded;
    private volatile boolean closed;
    /** Touched only by the probe chain, one probe at a time. */
    private long probeDelayNanos = FIRST_PROBE_NANOS;

    SharedStore(SharedCacheSettings settings, ScheduledExecutorService timer, Executor background, PoolEvents events) {
        URI url = settings.redisUrl().orElseThrow(() -> new IllegalArgumentException("no Redis URL"));
        this.prefix = settings.prefix();
        this.where = describe(url);
        this.timer = timer;
        this.background = background;
        this.events = events;
        this.client = open(url, settings.timeout(), CONNECTIONS + 2); // + invalidation and the probe
    }

    /** A client whose every command, and every wait for a connection, ends within {@code timeout}. */
    static RedisClient open(URI url, Duration timeout, int connections) {
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(connections);
        pool.setMaxIdle(connections);
        pool.setMinIdle(0);
        pool.setMaxWait(timeout);
        pool.setTestOnBorrow(false);
        return RedisClient.builder()
                .clientConfig(DefaultJedisClientConfig.builder().connectionTimeoutMillis(millis).socketTimeoutMillis(millis)
                        .clientName("mcp-pool").build())
                .fromURI(url)
                .poolConfig(pool)
                .build();
    }

    /** host:port of the URL, never its user or password: for messages. */
    static String describe(URI url) {
        return "redis://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
    }

    String prefix() {
        return prefix;
    }

    /** Checks the connection in the background, so a Redis that is down at start shows at once. */
    void start() {
        run(() -> {
            try {
                client.ping();
            } catch (RuntimeException e) {
                failed("connect", e);
            }
        });
    }

    boolean up() {
        return !degraded && !closed;
    }

    /** {@code up}, {@code degraded}; {@code closed} once the pool is. */
    String state() {
        return closed ? "closed" : degraded ? "degraded" : "up";
    }

    /** The entry under {@code key}, or null: absent, Redis down, or too many commands at once (a miss either way). */
    Found get(String key) {
        if (!up() || !commands.tryAcquire()) {
            return null;
        }
        try (Pipeline p = client.pipelined()) {
            byte[] k = key.getBytes(StandardCharsets.UTF_8);
            Response<byte[]> value = p.get(k);
            Response<Long> ttl = p.pttl(k);
            p.sync();
            byte[] json = value.get();
            // PTTL is -2 for a key gone between the two commands, -1 for one without expiry (not written by a pool).
            return json == null ? null : new Found(json, ttl.get());
        } catch (RuntimeException e) {
            failed("read", e);
            return null;
        } finally {
            commands.release();
        }
    }

    /** Stores an entry for {@code ttlMillis}; skipped while degraded or busy. Runs on the caller's (background) thread. */
    void put(String key, byte[] json, long ttlMillis) {
        if (ttlMillis <= 0 || !up() || !commands.tryAcquire()) {
            return;
        }
        try {
            client.psetex(key.getBytes(StandardCharsets.UTF_8), ttlMillis, json);
        } catch (RuntimeException e) {
            failed("write", e);
        } finally {
            commands.release();
        }
    }

    /**
     * Deletes the keys matching {@code pattern} (SCAN, then UNLINK). While Redis is down the pattern is kept and
     * applied when it answers again, before any read: entries invalidated meanwhile are never served.
     */
    void invalidate(String pattern) {
        stateLock.lock();
        try {
            if (degraded || closed) {
                pendingInvalidations.add(pattern);
                return;
            }
        } finally {
            stateLock.unlock();
        }
        try {
            delete(client, pattern);
        } catch (RuntimeException e) {
            stateLock.lock();
            try {
                pendingInvalidations.add(pattern);
            } finally {
                stateLock.unlock();
            }
            failed("invalidate", e);
        }
    }

    /** Deletes every key matching {@code pattern}; the number deleted. */
    static long delete(UnifiedJedis client, String pattern) {
        ScanParams params = new ScanParams().match(pattern).count(SCAN_COUNT);
        String cursor = ScanParams.SCAN_POINTER_START;
        long deleted = 0;
        do {
            ScanResult<String> page = client.scan(cursor, params);
            List<String> keys = page.getResult();
            if (!keys.isEmpty()) {
                deleted += client.unlink(keys.toArray(new String[0]));
            }
            cursor = page.getCursor();
        } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
        return deleted;
    }

    private void failed(String what, RuntimeException e) {
        if (closed) {
            return;
        }
        boolean changed;
        stateLock.lock();
        try {
            changed = !degraded;
            degraded = true;
        } finally {
            stateLock.unlock();
        }
        if (changed) {
            String reason = what + " failed: " + message(e);
            log.warn("shared cache {} is down ({}); calls go on without it while it is tried again in the background",
                    where, reason);
            events.sharedCacheStateChanged(true, reason);
            probeDelayNanos = FIRST_PROBE_NANOS;
            scheduleProbe(FIRST_PROBE_NANOS);
        }
    }

    private void scheduleProbe(long delayNanos) {
        if (closed) {
            return;
        }
        try {
            timer.schedule(() -> run(this::probe), delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            // the pool is closing
        }
    }

    private void probe() {
        if (closed) {
            return;
        }
        try {
            // Connections opened before the outage are dead: drop the idle ones so the PING opens a new one.
            client.getPool().clear();
            client.ping();
            stateLock.lock();
            try {
                List<String> pending = new ArrayList<>(pendingInvalidations);
                for (String pattern : pending) {
                    delete(client, pattern);
                    pendingInvalidations.remove(pattern);
                }
                degraded = false;
            } finally {
                stateLock.unlock();
            }
        } catch (RuntimeException e) {
            probeDelayNanos = Math.min(MAX_PROBE_NANOS, probeDelayNanos * 2);
            log.debug("shared cache {} still down: {}; next try in {} ms", where, message(e),
                    TimeUnit.NANOSECONDS.toMillis(probeDelayNanos));
            scheduleProbe(probeDelayNanos);
            return;
        }
        log.info("shared cache {} is reachable again; in use", where);
        events.sharedCacheStateChanged(false, "reachable again");
    }

    private void run(Runnable task) {
        try {
            background.execute(task);
        } catch (RejectedExecutionException closing) {
            // the pool is closing: nothing to check any more
        }
    }

    private static String message(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getMessage() != null && t.getMessage().equals(t.getCause().toString())) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }

    @Override
    public void close() {
        closed = true;
        try {
            client.close();
        } catch (RuntimeException e) {
            log.debug("closing the shared cache client failed", e);
        }
    }
}
