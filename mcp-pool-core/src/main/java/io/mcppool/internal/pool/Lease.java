package io.mcppool.internal.pool;

import io.mcppool.internal.session.McpSession;

/**
 * One in-flight slot on one session, held for the length of one request. Release it exactly once,
 * when the request has completed (a second release is ignored).
 */
public final class Lease {
    private final PooledSession slotOwner;
    private boolean released;
    private boolean background;

    Lease(PooledSession slotOwner) {
        this.slotOwner = slotOwner;
    }

    public McpSession session() {
        return slotOwner.session;
    }

    /**
     * Marks the slot as the pool's own work (a health check, a catalog listing), which closing the pool does not
     * wait for: only callers' calls get the grace period. Call it at most once, before {@link #release}.
     */
    public void background() {
        if (!background && !released) {
            background = true;
            slotOwner.pool.backgroundLeased(1);
        }
    }

    public void release() {
        if (!released) {
            released = true;
            if (background) {
                slotOwner.pool.backgroundLeased(-1);
            }
            slotOwner.pool.release(slotOwner);
        }
    }
}
