package io.mcppool.internal.pool;

import io.mcppool.events.PoolEvents;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

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

    /** The same context making its sessions with {@code f}. */
    public PoolContext withFactory(SessionFactory f) {
        return new PoolContext(server, endpoint, connectTimeout, f, timer, background, notices, events, supervisor);
    }
}
