package io.mcppool.pool;

import io.mcppool.session.McpSession;

/**
 * One in-flight slot on one session, held for the length of one request. Release it exactly once,
 * when the request has completed (a second release is ignored).
 */
public final class Lease {
    private final PooledSession slotOwner;
    private boolean released;

    Lease(PooledSession slotOwner) {
        this.slotOwner = slotOwner;
    }

    public McpSession session() {
        return slotOwner.session;
    }

    public void release() {
        if (!released) {
            released = true;
            slotOwner.pool.release(slotOwner);
        }
    }
}
