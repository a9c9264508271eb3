package io.mcppool.cache;

/**
 * The pool's result cache, as operators control it ({@code pool.resultCache()}). Off unless a server or
 * tool configures a {@code cache} block; see {@code docs/caching.md}.
 */
public interface ResultCache {
    /** Drops every entry (in memory; and in the shared Redis cache under this pool's prefix). */
    void invalidateAll();

    /** Drops the server's entries. */
    void invalidate(String server);

    /** Drops one tool's entries. */
    void invalidate(String server, String tool);

    CacheStats stats();
}
