package io.mcppool.config;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The top-level {@code cache} block: a Redis server that several pools (gateway replicas) share results
 * through, behind each one's in-memory cache. Absent by default.
 *
 * @param redisUrl {@code redis://[user:password@]host:port[/db]}; empty: no shared cache
 * @param prefix   put before every key, so several deployments can share one Redis
 * @param ttl      the longest an entry lives in Redis; empty: the entry's own TTL
 * @param timeout  how long one Redis command may take before Redis counts as down and is bypassed
 */
public record SharedCacheSettings(Optional<URI> redisUrl, String prefix, Optional<Duration> ttl, Duration timeout) {
    public static final String DEFAULT_PREFIX = "mcp-pool:";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(250);
    public static final SharedCacheSettings NONE = new SharedCacheSettings(Optional.empty(), DEFAULT_PREFIX,
            Optional.empty(), DEFAULT_TIMEOUT);

    public SharedCacheSettings {
        Objects.requireNonNull(redisUrl, "redisUrl");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(timeout, "timeout");
    }

    public static SharedCacheSettings redis(URI url) {
        return new SharedCacheSettings(Optional.of(url), DEFAULT_PREFIX, Optional.empty(), DEFAULT_TIMEOUT);
    }

    public SharedCacheSettings withPrefix(String v) {
        return new SharedCacheSettings(redisUrl, v, ttl, timeout);
    }
}
