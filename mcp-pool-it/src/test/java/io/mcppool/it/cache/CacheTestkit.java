package io.mcppool.it.cache;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.McpPool;
import io.mcppool.config.CacheSettings;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.McpPoolConfig;
import io.mcppool.config.PoolSettings;
import io.mcppool.config.ServerConfig;
import io.mcppool.config.ToolConfig;
import io.mcppool.testkit.TestkitCommand;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Testkit stdio servers and pools as the cache tests configure them. */
final class CacheTestkit {
    private CacheTestkit() {
    }

    /**
     * One testkit process (one session, opened at start), so its {@code stats} tool counts every execution. The
     * {@code stats} tool itself is read-only by its annotations: its own cache block with a zero TTL keeps it out.
     */
    static ServerConfig.Builder server(String name, boolean trusted, CacheSettings cache, Map<String, ToolConfig> tools) {
        List<String> cmd = TestkitCommand.stdio();
        Map<String, ToolConfig> all = new HashMap<>(tools);
        all.putIfAbsent("stats", ToolConfig.DEFAULTS.withCache(CacheSettings.OFF));
        return ServerConfig.builder(name, new EndpointConfig.Stdio(cmd.get(0), cmd.subList(1, cmd.size()), Map.of(),
                        Optional.empty(), Duration.ofSeconds(2)))
                .pool(PoolSettings.builder().minSessions(1).maxSessions(1).build())
                .trusted(trusted).cache(cache).tools(all);
    }

    /** A pool whose housekeeping (which drops expired entries) runs every 50 ms. */
    static McpPoolConfig config(ServerConfig... servers) {
        Map<String, ServerConfig> byName = new LinkedHashMap<>();
        for (ServerConfig s : servers) {
            byName.put(s.name(), s);
        }
        return new McpPoolConfig(byName, Duration.ofMillis(50), Duration.ofSeconds(2), "cache test");
    }

    /** How often the server's process ran {@code tool}, by its own count. */
    static int executions(McpPool pool, String server, String tool) {
        JsonNode stats = pool.callTool(server, "stats", Map.of()).structuredContent();
        return stats.path("executions").path(tool).asInt();
    }

    /** Loads the tool lists, so the trusted servers' annotations are known to the cache. */
    static McpPool ready(McpPool pool) {
        for (String s : pool.servers()) {
            pool.listTools(s);
        }
        return pool;
    }
}
