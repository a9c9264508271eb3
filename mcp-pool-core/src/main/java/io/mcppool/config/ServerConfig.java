package io.mcppool.config;

import io.mcppool.protocol.Root;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One named server as the pool runs it: where it is and every setting, defaults already applied.
 * Immutable; build with {@link #builder(String, EndpointConfig)} or get one from {@link ConfigLoader}.
 *
 * @param callTimeout     default deadline of a request (a call's options may shorten or extend it)
 * @param connectTimeout  how long opening a session (start + initialize handshake) may take
 * @param trusted         whether the server's tool annotations may decide retries and caching
 * @param roots           answered to {@code roots/list}; none by default, and the capability is then not declared
 * @param maxMessageBytes a message from the server larger than this breaks the session
 * @param tools           per-tool settings by tool name
 */
public record ServerConfig(String name, EndpointConfig endpoint, Duration callTimeout, Duration connectTimeout,
                           PoolSettings pool, boolean trusted, List<Root> roots, int maxMessageBytes,
                           Map<String, ToolConfig> tools) {

    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    public ServerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(callTimeout, "callTimeout");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(pool, "pool");
        roots = List.copyOf(roots);
        tools = Map.copyOf(tools);
        if (maxMessageBytes < 1024) {
            throw new IllegalArgumentException("maxMessageBytes must be at least 1024, got " + maxMessageBytes);
        }
    }

    public ToolConfig tool(String toolName) {
        return tools.getOrDefault(toolName, ToolConfig.DEFAULTS);
    }

    public static Builder builder(String name, EndpointConfig endpoint) {
        return new Builder(name, endpoint);
    }

    public Builder toBuilder() {
        return new Builder(name, endpoint).callTimeout(callTimeout).connectTimeout(connectTimeout).pool(pool)
                .trusted(trusted).roots(roots).maxMessageBytes(maxMessageBytes).tools(tools);
    }

    public static final class Builder {
        private final String name;
        private EndpointConfig endpoint;
        private Duration callTimeout = DEFAULT_CALL_TIMEOUT;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private PoolSettings pool = PoolSettings.DEFAULTS;
        private boolean trusted;
        private List<Root> roots = List.of();
        private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
        private Map<String, ToolConfig> tools = Map.of();

        private Builder(String name, EndpointConfig endpoint) {
            this.name = name;
            this.endpoint = endpoint;
        }

        public Builder endpoint(EndpointConfig v) { endpoint = v; return this; }
        public Builder callTimeout(Duration v) { callTimeout = v; return this; }
        public Builder connectTimeout(Duration v) { connectTimeout = v; return this; }
        public Builder pool(PoolSettings v) { pool = v; return this; }
        public Builder trusted(boolean v) { trusted = v; return this; }
        public Builder roots(List<Root> v) { roots = v; return this; }
        public Builder maxMessageBytes(int v) { maxMessageBytes = v; return this; }
        public Builder tools(Map<String, ToolConfig> v) { tools = v; return this; }

        public ServerConfig build() {
            return new ServerConfig(name, endpoint, callTimeout, connectTimeout, pool, trusted, roots, maxMessageBytes,
                    tools);
        }
    }
}
