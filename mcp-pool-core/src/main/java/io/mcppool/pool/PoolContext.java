package io.mcppool.pool;

import io.mcppool.events.PoolEvents;
import io.mcppool.protocol.McpMethods;
import io.mcppool.session.McpSession;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * What every pool of one endpoint shares: names for messages, how to make a session, and the
 * owner's timer and background executor.
 *
 * @param notices    told when a session joins the pool and when a session says one of the server's lists changed
 * @param events     where the pool reports session and process lifecycle steps
 * @param supervisor paces restarts of crashed server processes and tells crash loops
 */
public record PoolContext(String server, String endpoint, Duration connectTimeout, SessionFactory factory,
                          ScheduledExecutorService timer, ExecutorService background,
                          SessionNotices notices, PoolEvents events, ProcessSupervisor supervisor) {

    /** With the default supervision settings. */
    public PoolContext(String server, String endpoint, Duration connectTimeout, SessionFactory factory,
                       ScheduledExecutorService timer, ExecutorService background,
                       SessionNotices notices, PoolEvents events) {
        this(server, endpoint, connectTimeout, factory, timer, background, notices, events,
                new ProcessSupervisor(io.mcppool.config.SupervisionSettings.DEFAULTS));
    }

    /** The same context making its sessions with {@code f}. */
    public PoolContext withFactory(SessionFactory f) {
        return new PoolContext(server, endpoint, connectTimeout, f, timer, background, notices, events, supervisor);
    }

    /**
     * With the default supervision settings, told only of {@code notifications/tools/list_changed} (for
     * benchmarks and tests that drive a pool without a server around it).
     */
    public PoolContext(String server, String endpoint, Duration connectTimeout, SessionFactory factory,
                       ScheduledExecutorService timer, ExecutorService background,
                       Consumer<McpSession> onToolsChanged, PoolEvents events) {
        this(server, endpoint, connectTimeout, factory, timer, background, toolsOnly(onToolsChanged), events);
    }

    private static SessionNotices toolsOnly(Consumer<McpSession> onToolsChanged) {
        return new SessionNotices() {
            @Override
            public void joined(McpSession session) {
            }

            @Override
            public void listChanged(McpSession session, String notification) {
                if (McpMethods.TOOLS_LIST_CHANGED.equals(notification)) {
                    onToolsChanged.accept(session);
                }
            }
        };
    }
}
