/**
 * The result cache as operators control it: {@link io.mcppool.cache.ResultCache} to invalidate entries and read
 * {@link io.mcppool.cache.CacheStats}, and {@link io.mcppool.cache.Cacheability}, which says whether a tool's results
 * may be cached. The cache itself (in memory, and shared through Redis) is the engine's.
 */
package io.mcppool.cache;
