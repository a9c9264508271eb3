package io.mcppool.events;

import io.mcppool.config.McpPoolConfig;
import io.mcppool.status.PoolSnapshot;

/**
 * A pool as the integrations that watch it see it (statistics, metrics): its events, its snapshot and its
 * configuration. {@code McpPool} is one; a test or a custom wiring can be another.
 */
public interface ObservablePool {

    /** Every server and endpoint at this moment. */
    PoolSnapshot snapshot();

    /** The configuration the pool runs with now. */
    McpPoolConfig config();

    /** Adds a listener that is told of every event from now on. */
    void addEventListener(PoolEvents listener);

    /** Removes a listener added before; whether it was there. */
    boolean removeEventListener(PoolEvents listener);
}
