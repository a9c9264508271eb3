package io.mcppool.internal.pool;

import io.mcppool.internal.session.McpSession;
import io.mcppool.internal.session.SessionListener;

/** Makes a new, unopened session for a pool. */
@FunctionalInterface
public interface SessionFactory {
    McpSession create(SessionListener listener);
}
