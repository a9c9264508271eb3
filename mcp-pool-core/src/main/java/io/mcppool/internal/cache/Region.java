package io.mcppool.internal.cache;

import io.mcppool.config.CacheSettings;
import io.mcppool.events.CacheEvictionCause;
import io.mcppool.protocol.CallToolResult;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The entries of one cache block (a server's, or a tool's own) in memory, within the block's limits: each entry
 * lives for the TTL; past {@code maxEntries} or {@code maxBytes} (an entry weighs its JSON size) the least recently
 * used go first. A lock per region, held only for map operations: a hit is one hash lookup and a relink, and
 * callers of different regions never wait for each other. Evictions are reported after the lock is released.
 */
final class Region {

    /** Told of every entry a region drops, except one replaced by a newer result for the same key. */
    interface Evictions {
        void evicted(CacheKey key, CacheEvictionCause cause);
    }

    private record Entry(CallToolResult result, long bytes, long expiresAt) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    /** In access order: the eldest is the least recently used. */
    private final LinkedHashMap<CacheKey, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final long ttlNanos;
    private final int maxEntries;
    private final long maxBytes;
    /** Written under the lock, read without it (stats). */
    private volatile int size;
    private volatile long bytes;

    Region(CacheSettings settings) {
        this.ttlNanos = settings.ttl().toNanos();
        this.maxEntries = settings.maxEntries();
        this.maxBytes = settings.maxBytes();
    }

    long ttlNanos() {
        return ttlNanos;
    }

    int size() {
        return size;
    }

    long bytes() {
        return bytes;
    }

    /** The live entry for {@code key}, or null; an expired one is dropped (and reported) on the way. */
    CallToolResult get(CacheKey key, long now, Evictions evictions) {
        Entry e;
        lock.lock();
        try {
            e = entries.get(key);
            if (e == null) {
                return null;
            }
            if (now - e.expiresAt < 0) {
                return e.result;
            }
            entries.remove(key);
            size--;
            bytes -= e.bytes;
        } finally {
            lock.unlock();
        }
        evictions.evicted(key, CacheEvictionCause.EXPIRED);
        return null;
    }

    /**
     * Stores a result until {@code expiresAt}, then drops the least recently used entries while the region is over
     * a limit. A result heavier than the whole region is not stored.
     *
     * @return whether it was stored
     */
    boolean put(CacheKey key, CallToolResult result, long weight, long expiresAt, long now, Evictions evictions) {
        if (weight > maxBytes || now - expiresAt >= 0) {
            return false;
        }
        List<CacheKey> sized = null;
        List<CacheKey> expired = null;
        lock.lock();
        try {
            Entry old = entries.put(key, new Entry(result, weight, expiresAt));
            if (old == null) {
                size++;
            } else {
                bytes -= old.bytes;
            }
            bytes += weight;
            // The new entry is the most recent (last), and alone it fits: the loop never reaches it.
            Iterator<Map.Entry<CacheKey, Entry>> it = entries.entrySet().iterator();
            while ((size > maxEntries || bytes > maxBytes) && it.hasNext()) {
                Map.Entry<CacheKey, Entry> eldest = it.next();
                it.remove();
                size--;
                bytes -= eldest.getValue().bytes;
                if (now - eldest.getValue().expiresAt >= 0) {
                    (expired == null ? expired = new ArrayList<>(2) : expired).add(eldest.getKey());
                } else {
                    (sized == null ? sized = new ArrayList<>(2) : sized).add(eldest.getKey());
                }
            }
        } finally {
            lock.unlock();
        }
        report(expired, CacheEvictionCause.EXPIRED, evictions);
        report(sized, CacheEvictionCause.SIZE, evictions);
        return true;
    }

    /** Drops every expired entry (the pool's housekeeping). */
    void sweep(long now, Evictions evictions) {
        removeIf(e -> now - e.expiresAt >= 0, null, CacheEvictionCause.EXPIRED, evictions);
    }

    /** Drops the entries whose key matches (an operator's invalidation). */
    void invalidate(Predicate<CacheKey> which, Evictions evictions) {
        removeIf(null, which, CacheEvictionCause.INVALIDATED, evictions);
    }

    private void removeIf(Predicate<Entry> byEntry, Predicate<CacheKey> byKey, CacheEvictionCause cause,
                          Evictions evictions) {
        List<CacheKey> removed = null;
        lock.lock();
        try {
            if (entries.isEmpty()) {
                return;
            }
            for (Iterator<Map.Entry<CacheKey, Entry>> it = entries.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<CacheKey, Entry> e = it.next();
                if ((byEntry == null || byEntry.test(e.getValue())) && (byKey == null || byKey.test(e.getKey()))) {
                    it.remove();
                    size--;
                    bytes -= e.getValue().bytes;
                    (removed == null ? removed = new ArrayList<>() : removed).add(e.getKey());
                }
            }
        } finally {
            lock.unlock();
        }
        report(removed, cause, evictions);
    }

    private static void report(List<CacheKey> keys, CacheEvictionCause cause, Evictions evictions) {
        if (keys != null) {
            for (CacheKey k : keys) {
                evictions.evicted(k, cause);
            }
        }
    }
}
