package io.mcppool.metrics;

import io.mcppool.McpPool;
import io.mcppool.status.PoolSnapshot;
import io.mcppool.metrics.MeterKeys.EndpointKey;
import io.mcppool.status.EndpointSnapshot;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool's snapshot, by endpoint, kept for a short time. A scrape reads several gauges per endpoint;
 * without the cache each would take a snapshot of the whole pool. With it, one scrape costs one
 * snapshot and all its gauges agree with each other. A TTL of zero takes a fresh snapshot every read.
 */
final class SnapshotCache {
    private static final Logger log = LoggerFactory.getLogger(SnapshotCache.class);

    private record Memo(long takenAtNanos, Map<EndpointKey, EndpointSnapshot> byEndpoint) {
    }

    private final McpPool pool;
    private final long ttlNanos;
    private volatile Memo memo;

    SnapshotCache(McpPool pool, long ttlNanos) {
        this.pool = pool;
        this.ttlNanos = ttlNanos;
    }

    /** The endpoint's state, or null when the pool has no such endpoint (any more). */
    EndpointSnapshot get(EndpointKey key) {
        Memo m = memo;
        long now = System.nanoTime();
        if (m == null || ttlNanos <= 0 || now - m.takenAtNanos() >= ttlNanos) {
            m = load(now, m);
            memo = m;
        }
        return m.byEndpoint().get(key);
    }

    void invalidate() {
        memo = null;
    }

    private Memo load(long now, Memo previous) {
        try {
            Map<EndpointKey, EndpointSnapshot> map = new HashMap<>();
            for (PoolSnapshot.ServerSnapshot server : pool.snapshot().servers()) {
                for (EndpointSnapshot endpoint : server.endpoints()) {
                    map.put(new EndpointKey(server.name(), endpoint.endpoint()), endpoint);
                }
            }
            return new Memo(now, map);
        } catch (RuntimeException e) {
            // A gauge must not throw into a scrape; report what we had (or nothing) and try again next time.
            log.debug("pool snapshot for metrics failed", e);
            return previous != null ? previous : new Memo(now, Map.of());
        }
    }
}
