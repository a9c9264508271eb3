package io.mcppool.pool;

import io.mcppool.session.McpSession;
import io.mcppool.session.SessionListener;

/** Makes a new, unopened session for a pool. */
@FunctionalInterface
public interface SessionFactory {
    McpSession create(SessionListener listener);
}
