package io.mcppool.it.architecture;

import io.mcppool.McpPool;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.PoolSettings;
import io.mcppool.config.ServerConfig;
import java.lang.reflect.InaccessibleObjectException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Run by {@link ModulePathTest} in a JVM of its own, with core as a named module on the module path and this class
 * on the class path, as an application that has not moved to modules uses a modular library: calls a tool on the
 * stdio server whose command line is {@code args}, and prints what it sees of the module.
 */
public final class ModularSmoke {
    private ModularSmoke() {
    }

    public static void main(String[] args) throws Exception {
        Module core = McpPool.class.getModule();
        System.out.println("named " + core.isNamed() + " " + core.getName());
        System.out.println("internal exported " + core.isExported("io.mcppool.internal.engine"));
        List<String> command = Arrays.asList(args);
        ServerConfig echo = ServerConfig.builder("echo", new EndpointConfig.Stdio(command.get(0),
                        command.subList(1, command.size()), Map.of(), Optional.empty(), Duration.ofSeconds(2)))
                .pool(PoolSettings.builder().minSessions(1).maxSessions(1).build()).build();
        try (McpPool pool = McpPool.builder().server(echo).build()) {
            System.out.println("tools " + pool.listTools("echo").size());
            System.out.println("echo " + pool.callTool("echo", "echo", Map.of("message", "from the class path")).text());
            System.out.println("snapshot servers " + pool.snapshot().servers().size());
        }
        Class<?> engine = Class.forName("io.mcppool.internal.engine.PoolEngine");
        try {
            engine.getDeclaredFields()[0].setAccessible(true);
            System.out.println("engine reachable by reflection");
        } catch (InaccessibleObjectException e) {
            System.out.println("engine sealed");
        }
    }
}
