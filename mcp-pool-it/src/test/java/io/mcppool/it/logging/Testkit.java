package io.mcppool.it.logging;

import io.mcppool.config.EndpointConfig;
import io.mcppool.config.PoolSettings;
import io.mcppool.config.ServerConfig;
import io.mcppool.testkit.TestkitCommand;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The testkit stdio server as these tests configure it: one session, started with the pool. */
final class Testkit {
    private Testkit() {
    }

    static ServerConfig stdio(String name) {
        return stdio(name, Map.of());
    }

    static ServerConfig stdio(String name, Map<String, String> env) {
        List<String> cmd = TestkitCommand.stdio();
        return ServerConfig.builder(name, new EndpointConfig.Stdio(cmd.get(0), cmd.subList(1, cmd.size()), env,
                        Optional.empty(), Duration.ofSeconds(2)))
                .pool(PoolSettings.builder().minSessions(1).maxSessions(1).build()).build();
    }
}
