package io.mcppool.internal.cache;

import io.mcppool.config.SharedCacheSettings;
import java.net.URI;
import redis.clients.jedis.RedisClient;

/** Operator tasks on a shared (Redis) result cache without a running pool: {@code mcp-pool cache clear}. */
public final class SharedCaches {
    private SharedCaches() {
    }

    /**
     * Deletes the shared cache's entries under the settings' prefix: all of them, a server's, or one tool's. Uses
     * SCAN, so Redis keeps serving other clients while it runs.
     *
     * @param server null for every server
     * @param tool   null for every tool of {@code server}; needs a server
     * @return how many keys were deleted
     * @throws IllegalArgumentException when the settings name no Redis, or a tool is given without a server
     * @throws IllegalStateException    when Redis cannot be reached or refuses a command
     */
    public static long clear(SharedCacheSettings settings, String server, String tool) {
        URI url = settings.redisUrl().orElseThrow(() -> new IllegalArgumentException(
                "no shared cache is configured (cache.redis.url)"));
        if (tool != null && server == null) {
            throw new IllegalArgumentException("a tool needs its server");
        }
        try (RedisClient client = SharedStore.open(url, settings.timeout(), 1)) {
            return SharedStore.delete(client, CacheKeys.pattern(settings.prefix(), server, tool));
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot clear the shared cache at " + SharedStore.describe(url) + ": "
                    + e.getMessage(), e);
        }
    }

    /** The Redis key pattern {@link #clear} deletes. */
    public static String pattern(SharedCacheSettings settings, String server, String tool) {
        return CacheKeys.pattern(settings.prefix(), server, tool);
    }
}
