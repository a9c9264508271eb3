package io.mcppool.it.metrics;

import io.mcppool.McpPool;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.PoolSettings;
import io.mcppool.config.ServerConfig;
import io.mcppool.status.EndpointSnapshot;
import io.mcppool.testkit.TestkitCommand;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The testkit stdio server as the metrics tests configure it. */
final class TestkitServers {
    private TestkitServers() {
    }

    static ServerConfig testkit(String name, PoolSettings pool) {
        List<String> cmd = TestkitCommand.stdio();
        return ServerConfig.builder(name, new EndpointConfig.Stdio(cmd.get(0), cmd.subList(1, cmd.size()), Map.of(),
                        Optional.empty(), Duration.ofSeconds(2)))
                .pool(pool).build();
    }

    /** One session, opened at start: sequential traffic then always runs on it. */
    static ServerConfig oneSession(String name) {
        return testkit(name, PoolSettings.builder().minSessions(1).maxSessions(1).build());
    }

    /** The only endpoint of {@code server}, as the pool labels it (the metrics' endpoint tag). */
    static EndpointSnapshot endpoint(McpPool pool, String server) {
        return pool.snapshot().servers().stream().filter(s -> s.name().equals(server)).findFirst().orElseThrow()
                .endpoints().get(0);
    }
}
