package io.mcppool.gateway.ops;

import io.mcppool.McpPool;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A gateway as the operations endpoints see it, with the parts the tests change by hand. */
class TestGateway implements GatewayView {
    private final McpPool pool;
    private final Instant startedAt = Instant.now();
    volatile int clientSessions;
    volatile Map<String, List<String>> clashes = Map.of();
    volatile String lastReloadError;
    volatile boolean draining;

    TestGateway(McpPool pool) {
        this.pool = pool;
    }

    @Override
    public McpPool pool() {
        return pool;
    }

    @Override
    public int clientSessions() {
        return clientSessions;
    }

    @Override
    public Map<String, List<String>> clashes() {
        return clashes;
    }

    @Override
    public Instant startedAt() {
        return startedAt;
    }

    @Override
    public String configSource() {
        return "test";
    }

    @Override
    public Optional<String> lastReloadError() {
        return Optional.ofNullable(lastReloadError);
    }

    @Override
    public boolean draining() {
        return draining;
    }
}
