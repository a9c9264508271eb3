package io.mcppool.events;

/** Why a pool ended a session. */
public enum SessionCloseReason {
    /** Unused above {@code minSessions} for {@code idleTimeout} (sticky: the affinity key expired). */
    IDLE,
    /** Older than {@code maxLifetime}. */
    MAX_LIFETIME,
    /** Its transport failed or the server ended it (process exit, oversize message, connection lost). */
    BROKEN,
    /** A ping before reuse failed. */
    VALIDATION_FAILED,
    /** A keepalive ping failed. */
    KEEPALIVE_FAILED,
    /** The affinity key was released (a gateway client went away). */
    AFFINITY_RELEASED,
    /** The pool is closing. */
    POOL_CLOSED;

    private final String tag = name().toLowerCase(java.util.Locale.ROOT);

    public String tagValue() {
        return tag;
    }
}
