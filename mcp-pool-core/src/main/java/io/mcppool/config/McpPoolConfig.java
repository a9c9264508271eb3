package io.mcppool.config;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A whole pool's configuration: its servers in file order, and pool-wide settings.
 *
 * @param housekeepingInterval how often each pool checks sizes, idle and lifetime (the seeds' {@code MCP_CLEANUP_INTERVAL})
 * @param shutdownGrace        how long {@code close()} lets in-flight calls finish before ending sessions
 * @param source               where the config came from, for messages ("built-in", a path)
 * @param metrics              how the Micrometer binding publishes timers
 * @param gateway              how {@code mcp-pool serve} serves the servers as one MCP endpoint
 * @param sharedCache          a Redis cache shared by several pools, behind each one's in-memory cache
 */
public record McpPoolConfig(Map<String, ServerConfig> servers, Duration housekeepingInterval, Duration shutdownGrace,
                            String source, MetricsSettings metrics, GatewaySettings gateway,
                            SharedCacheSettings sharedCache) {

    /** Default of {@code housekeepingInterval}: how often idle sessions are retired and pools topped up. */
    public static final Duration DEFAULT_HOUSEKEEPING_INTERVAL = Duration.ofSeconds(1);
    /** Default of {@code shutdownGrace}: how long a close lets in-flight calls finish. */
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);

    /** The servers keep their order. */
    public McpPoolConfig {
        servers = Collections.unmodifiableMap(new LinkedHashMap<>(servers));
        Objects.requireNonNull(housekeepingInterval, "housekeepingInterval");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(sharedCache, "sharedCache");
    }

    /** A config with no gateway block and no shared cache. */
    public McpPoolConfig(Map<String, ServerConfig> servers, Duration housekeepingInterval, Duration shutdownGrace,
                         String source, MetricsSettings metrics) {
        this(servers, housekeepingInterval, shutdownGrace, source, metrics, GatewaySettings.DEFAULTS,
                SharedCacheSettings.NONE);
    }

    /** This config with other servers. */
    public McpPoolConfig withServers(Map<String, ServerConfig> v) {
        return new McpPoolConfig(v, housekeepingInterval, shutdownGrace, source, metrics, gateway, sharedCache);
    }

    /** This config with another gateway block. */
    public McpPoolConfig withGateway(GatewaySettings v) {
        return new McpPoolConfig(servers, housekeepingInterval, shutdownGrace, source, metrics, v, sharedCache);
    }

    /** This config with another shared result cache. */
    public McpPoolConfig withSharedCache(SharedCacheSettings v) {
        return new McpPoolConfig(servers, housekeepingInterval, shutdownGrace, source, metrics, gateway, v);
    }

    /** A config with default metrics, no gateway block and no shared cache. */
    public McpPoolConfig(Map<String, ServerConfig> servers, Duration housekeepingInterval, Duration shutdownGrace,
                         String source) {
        this(servers, housekeepingInterval, shutdownGrace, source, MetricsSettings.DEFAULTS);
    }

    /** A config of these servers, every pool-wide setting at its default. */
    public McpPoolConfig(Map<String, ServerConfig> servers) {
        this(servers, DEFAULT_HOUSEKEEPING_INTERVAL, DEFAULT_SHUTDOWN_GRACE, "code");
    }
}
