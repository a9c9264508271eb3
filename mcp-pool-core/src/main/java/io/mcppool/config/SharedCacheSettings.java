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

    /** @throws IllegalArgumentException if a value is out of its range */
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

    /** As the record's own, with the URL's password hidden: configs and snapshots get logged. */
    @Override
    public String toString() {
        return "SharedCacheSettings[redisUrl=" + redisUrl.map(u -> redacted(u.toString())) + ", prefix=" + prefix
                + ", ttl=" + ttl + ", timeout=" + timeout + "]";
    }

    /** {@code url} with the password of its user info (after the first colon, or all of it) replaced by ***. */
    static String redacted(String url) {
        int scheme = url.indexOf("://");
        int at = url.lastIndexOf('@');
        if (scheme < 0 || at < scheme) {
            return url;
        }
        int colon = url.indexOf(':', scheme + 3);
        // Without a colon, Redis reads the whole user info as the password.
        return colon < 0 || colon > at ? url.substring(0, scheme + 3) + "***" + url.substring(at)
                : url.substring(0, colon + 1) + "***" + url.substring(at);
    }
}
