package io.mcppool.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Result caching for one server (its {@code cache} block) or one tool ({@code tools.<name>.cache}). Off by
 * default: a zero TTL caches nothing. Only results of tools that are safe to cache are ever stored: a
 * {@code readOnlyHint} from a trusted server, or a tool that has a {@code cache} block of its own.
 *
 * @param ttl        how long a result is served from the cache; zero turns caching off
 * @param maxEntries the most results the server's (or the tool's own) region holds
 * @param maxBytes   the most bytes of results (their JSON size) the region holds
 * @param shared     in the gateway: one entry serves every client; otherwise each client's entries are its own
 * @param coalesce   identical calls in flight at once share one upstream call. Not said (empty): only for calls
 *                   whose result would be cached; true: for every call of the tool, cached or not (the operator
 *                   says running it once for several callers is fine); false: never
 */
public record CacheSettings(Duration ttl, int maxEntries, long maxBytes, boolean shared, Optional<Boolean> coalesce) {
    public static final int DEFAULT_MAX_ENTRIES = 10_000;
    public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;
    public static final CacheSettings OFF = new CacheSettings(Duration.ZERO, DEFAULT_MAX_ENTRIES, DEFAULT_MAX_BYTES,
            false, Optional.empty());

    /** @throws IllegalArgumentException if a value is out of its range */
    public CacheSettings {
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(coalesce, "coalesce");
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("cache ttl must not be negative, got " + ttl);
        }
        if (maxEntries < 1) {
            throw new IllegalArgumentException("cache maxEntries must be at least 1, got " + maxEntries);
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("cache maxBytes must be at least 1, got " + maxBytes);
        }
    }

    public static CacheSettings ttl(Duration ttl) {
        return OFF.withTtl(ttl);
    }

    public boolean enabled() {
        return !ttl.isZero();
    }

    public CacheSettings withTtl(Duration v) {
        return new CacheSettings(v, maxEntries, maxBytes, shared, coalesce);
    }

    public CacheSettings withShared(boolean v) {
        return new CacheSettings(ttl, maxEntries, maxBytes, v, coalesce);
    }

    public CacheSettings withCoalesce(boolean v) {
        return new CacheSettings(ttl, maxEntries, maxBytes, shared, Optional.of(v));
    }

    public CacheSettings withLimits(int entries, long bytes) {
        return new CacheSettings(ttl, entries, bytes, shared, coalesce);
    }
}
