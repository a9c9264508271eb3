package io.mcppool.gateway.ops;

import io.mcppool.McpPool;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the operations endpoints read of a running gateway, besides the pool itself. */
public interface GatewayView {
    McpPool pool();

    /** Client sessions open now. */
    int clientSessions();

    /** Aggregate names claimed by more than one server, with the servers (none is served). */
    Map<String, List<String>> clashes();

    Instant startedAt();

    /** Where the config came from (a path, or "built-in"). */
    String configSource();

    /** Why the last reload was rejected, if it was (the old config is still running). */
    Optional<String> lastReloadError();

    /** Whether the gateway is draining (SIGTERM received): not ready. */
    boolean draining();
}
