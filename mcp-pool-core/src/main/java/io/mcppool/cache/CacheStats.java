package io.mcppool.cache;

/**
 * The result cache's figures since the pool started.
 *
 * @param entries       results held in memory now
 * @param bytes         their size (JSON bytes)
 * @param hits          calls answered from memory or the shared cache
 * @param misses        cacheable calls that went upstream
 * @param evictions     entries dropped for size, age or invalidation
 * @param coalesced     calls that shared another identical call's upstream call
 * @param sharedState   {@code none} (no shared cache), {@code up} or {@code degraded} (bypassed)
 */
public record CacheStats(long entries, long bytes, long hits, long misses, long evictions, long coalesced,
                         String sharedState) {
}
