package io.mcppool.pool;

import io.mcppool.events.PoolEvents;
import io.mcppool.session.McpSession;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * What every pool of one endpoint shares: names for messages, how to make a session, and the
 * owner's timer and background executor.
 *
 * @param onToolsChanged called when any session of the endpoint says its tool list changed
 * @param events         where the pool reports session and process lifecycle steps
 * @param supervisor     paces restarts of crashed server processes and tells crash loops
 */
public record PoolContext(String server, String endpoint, Duration connectTimeout, SessionFactory factory,
                          ScheduledExecutorService timer, ExecutorService background,
                          Consumer<McpSession> onToolsChanged, PoolEvents events, ProcessSupervisor supervisor) {

    /** With the default supervision settings. */
    public PoolContext(String server, String endpoint, Duration connectTimeout, SessionFactory factory,
                       ScheduledExecutorService timer, ExecutorService background,
                       Consumer<McpSession> onToolsChanged, PoolEvents events) {
        this(server, endpoint, connectTimeout, factory, timer, background, onToolsChanged, events,
                new ProcessSupervisor(io.mcppool.config.SupervisionSettings.DEFAULTS));
    }

    /** The same context making its sessions with {@code f}. */
    public PoolContext withFactory(SessionFactory f) {
        return new PoolContext(server, endpoint, connectTimeout, f, timer, background, onToolsChanged, events, supervisor);
    }
}
