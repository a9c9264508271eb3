package io.mcppool.config;

/** How a pool shares its sessions between calls. */
public enum PoolMode {
    /** Many calls in flight on each session, up to {@code maxConcurrentRequests}. The default. */
    MULTIPLEXED,
    /** One call per session at a time, for servers that cannot take concurrent requests. */
    EXCLUSIVE,
    /** A session of its own per affinity key, for stateful servers. Idle keys expire. */
    STICKY;

    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
