package io.mcppool.internal.cache;

/**
 * One cacheable (or coalescible) call: the server, the tool, whose entries it may see ({@link CacheKeys#SHARED},
 * {@link CacheKeys#POOL} or a client's {@code client=<name>}), and the canonical form of its arguments (with the
 * affinity key, when the call has one).
 */
record CacheKey(String server, String tool, String scope, String arguments) {
}
