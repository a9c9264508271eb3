package io.mcppool.it.pool;

import io.mcppool.config.EndpointConfig;
import io.mcppool.config.PoolSettings;
import io.mcppool.config.ServerConfig;
import io.mcppool.testkit.TestkitCommand;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Server configs for the testkit stdio server, as the tests need them. */
final class Servers {
    private Servers() {
    }

    static EndpointConfig.Stdio testkitStdio(String... serverArgs) {
        List<String> cmd = TestkitCommand.stdio(serverArgs);
        return new EndpointConfig.Stdio(cmd.get(0), cmd.subList(1, cmd.size()), Map.of(), Optional.empty(),
                Duration.ofSeconds(2));
    }

    static ServerConfig.Builder testkit(String name, PoolSettings pool, String... serverArgs) {
        return ServerConfig.builder(name, testkitStdio(serverArgs)).pool(pool);
    }

    /** Children of this JVM that are testkit servers (other tests' processes are gone by then). */
    static List<ProcessHandle> testkitChildren() {
        return ProcessHandle.current().children()
                .filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains("io.mcppool.testkit.TestkitServer"))
                        .orElse(false))
                .toList();
    }
}
