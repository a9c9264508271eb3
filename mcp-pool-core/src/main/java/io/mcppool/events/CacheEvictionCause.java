package io.mcppool.events;

/** Why the result cache dropped an entry. */
public enum CacheEvictionCause {
    /** Older than its TTL (found on a read, or by the pool's housekeeping). */
    EXPIRED,
    /** Its region was over {@code maxEntries} or {@code maxBytes}: the least recently used entry went. */
    SIZE,
    /** An operator invalidated it (all, the server, or the tool). */
    INVALIDATED;

    private final String tag = name().toLowerCase(java.util.Locale.ROOT);

    public String tagValue() {
        return tag;
    }
}
