package io.mcppool.config;

import io.mcppool.protocol.Root;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One named server as the pool runs it: its endpoints (replicas) and every setting, defaults already
 * applied. Immutable; build with {@link #builder(String, EndpointConfig)} or get one from {@link ConfigLoader}.
 *
 * @param replicas        the server's endpoints, one or more; each gets a session pool of its own
 * @param balance         how a call picks one of several endpoints
 * @param callTimeout     default deadline of a call, retries and their backoff included (a call's options may
 *                        shorten or extend it)
 * @param connectTimeout  how long opening a session (start + initialize handshake) may take
 * @param trusted         whether the server's tool annotations may decide retries and caching
 * @param roots           answered to {@code roots/list}; none by default, and the capability is then not declared
 * @param maxMessageBytes a message from the server larger than this breaks the session
 * @param tools           per-tool settings by tool name
 * @param prefix          put before its tool and prompt names in an aggregate (the gateway): the server's name by
 *                        default, empty for none
 * @param required        the gateway is ready only while this server has an endpoint that can take calls
 * @param cache           result caching for the server's tools that are safe to cache (off by default)
 * @param catalogRefresh  how often the catalog lists the server again without being told of a change; zero: never
 * @param logLinesPerMinute at most this many lines the server writes outside the protocol (stderr, stdout lines that
 *                        are not JSON-RPC, log notifications: each counted on its own) are logged a minute; the rest
 *                        are counted and summarised
 */
public record ServerConfig(String name, List<Replica> replicas, BalanceStrategy balance, Duration callTimeout,
                           Duration connectTimeout, PoolSettings pool, RetrySettings retry, BreakerSettings breaker,
                           HealthSettings health, SupervisionSettings supervision, boolean trusted, List<Root> roots,
                           int maxMessageBytes, Map<String, ToolConfig> tools, String prefix, boolean required,
                           CacheSettings cache, Duration catalogRefresh, int logLinesPerMinute) {

    /** Default of {@code callTimeout}: a call's whole deadline, the wait for a slot included. */
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);
    /** Default of {@code connectTimeout}: how long a session's start and handshake may take. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);
    /** Default of {@code maxMessageSize}: the largest message read from the server (16 MiB). */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
    /** Default of {@code logLinesPerMinute}: what the server's stderr and log notifications may write. */
    public static final int DEFAULT_LOG_LINES_PER_MINUTE = io.mcppool.logging.RateLimitedLog.DEFAULT_LINES_PER_MINUTE;
    /** Endpoints per server: the balancer keeps their availability in one 64-bit mask. */
    public static final int MAX_REPLICAS = 64;

    /** @throws IllegalArgumentException if a value is out of its range (say, no endpoint or more than 64) */
    public ServerConfig {
        Objects.requireNonNull(name, "name");
        replicas = List.copyOf(replicas);
        Objects.requireNonNull(balance, "balance");
        Objects.requireNonNull(callTimeout, "callTimeout");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(breaker, "breaker");
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(supervision, "supervision");
        roots = List.copyOf(roots);
        tools = Map.copyOf(tools);
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(catalogRefresh, "catalogRefresh");
        if (replicas.isEmpty() || replicas.size() > MAX_REPLICAS) {
            throw new IllegalArgumentException("a server needs 1 to " + MAX_REPLICAS + " endpoints, got "
                    + replicas.size());
        }
        if (maxMessageBytes < 1024) {
            throw new IllegalArgumentException("maxMessageBytes must be at least 1024, got " + maxMessageBytes);
        }
        if (logLinesPerMinute < 0) {
            throw new IllegalArgumentException("logLinesPerMinute must not be negative, got " + logLinesPerMinute);
        }
    }

    /** The first endpoint: the only one of a server that has one. */
    public EndpointConfig endpoint() {
        return replicas.get(0).endpoint();
    }

    /**
     * The cache settings of one tool: its own block if it has one (it is then cacheable by config), else the
     * server's.
     */
    public CacheSettings cache(String toolName) {
        ToolConfig t = toolName == null ? null : tools.get(toolName);
        return t == null ? cache : t.cache().orElse(cache);
    }

    /** One tool's own settings; the defaults (none of its own) for a tool not configured. */
    public ToolConfig tool(String toolName) {
        return tools.getOrDefault(toolName, ToolConfig.DEFAULTS);
    }

    /** The retry settings of one tool: its own if it has them, else the server's. */
    public RetrySettings retry(String toolName) {
        ToolConfig t = toolName == null ? null : tools.get(toolName);
        return t == null ? retry : t.retry().orElse(retry);
    }

    /** A builder for a server with one endpoint, every other setting at its default. */
    public static Builder builder(String name, EndpointConfig endpoint) {
        return new Builder(name, List.of(Replica.of(endpoint)));
    }

    /** A builder for a server with these endpoints (replicas), every other setting at its default. */
    public static Builder builder(String name, List<Replica> replicas) {
        return new Builder(name, replicas);
    }

    /** A builder holding this config, to change some of it. */
    public Builder toBuilder() {
        return new Builder(name, replicas).balance(balance).callTimeout(callTimeout).connectTimeout(connectTimeout)
                .pool(pool).retry(retry).breaker(breaker).health(health).supervision(supervision).trusted(trusted)
                .roots(roots).maxMessageBytes(maxMessageBytes).tools(tools).prefix(prefix).required(required).cache(cache)
                .catalogRefresh(catalogRefresh).logLinesPerMinute(logLinesPerMinute);
    }

    /** Builds a {@link ServerConfig}; each setting is described on the record's component of the same name. */
    public static final class Builder {
        private final String name;
        private List<Replica> replicas;
        private BalanceStrategy balance = BalanceStrategy.ROUND_ROBIN;
        private Duration callTimeout = DEFAULT_CALL_TIMEOUT;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private PoolSettings pool = PoolSettings.DEFAULTS;
        private RetrySettings retry = RetrySettings.DEFAULTS;
        private BreakerSettings breaker = BreakerSettings.DEFAULTS;
        private HealthSettings health = HealthSettings.DEFAULTS;
        private SupervisionSettings supervision = SupervisionSettings.DEFAULTS;
        private boolean trusted;
        private List<Root> roots = List.of();
        private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
        private Map<String, ToolConfig> tools = Map.of();
        private String prefix;
        private boolean required;
        private CacheSettings cache = CacheSettings.OFF;
        private Duration catalogRefresh = Duration.ZERO;
        private int logLinesPerMinute = DEFAULT_LOG_LINES_PER_MINUTE;

        private Builder(String name, List<Replica> replicas) {
            this.name = name;
            this.replicas = replicas;
        }

        /** One endpoint, replacing any others. */
        public Builder endpoint(EndpointConfig v) { replicas = List.of(Replica.of(v)); return this; }
        /** Every endpoint (replica), with its weight and tier. */
        public Builder replicas(List<Replica> v) { replicas = v; return this; }

        /** How calls are spread over the endpoints (default round robin). */
        public Builder balance(BalanceStrategy v) { balance = v; return this; }

        /** A call's whole deadline unless the call gives its own (default 30 s). */
        public Builder callTimeout(Duration v) { callTimeout = v; return this; }

        /** How long a session's start and handshake may take (default 30 s). */
        public Builder connectTimeout(Duration v) { connectTimeout = v; return this; }

        /** Session pool sizing and waiting. */
        public Builder pool(PoolSettings v) { pool = v; return this; }

        /** Retries of failed calls (never of a call that may have run unless the tool is safe to repeat). */
        public Builder retry(RetrySettings v) { retry = v; return this; }

        /** The circuit breaker of each endpoint. */
        public Builder breaker(BreakerSettings v) { breaker = v; return this; }

        /** Active health checks of each endpoint. */
        public Builder health(HealthSettings v) { health = v; return this; }

        /** Restarts of stdio processes that exit. */
        public Builder supervision(SupervisionSettings v) { supervision = v; return this; }

        /** Whether the server's tool annotations are believed (for retries and caching). */
        public Builder trusted(boolean v) { trusted = v; return this; }

        /** The roots the client declares to the server. */
        public Builder roots(List<Root> v) { roots = v; return this; }

        /** The largest message read from the server, in bytes. */
        public Builder maxMessageBytes(int v) { maxMessageBytes = v; return this; }

        /** Per-tool settings, by tool name. */
        public Builder tools(Map<String, ToolConfig> v) { tools = v; return this; }
        /** Empty: no prefix; not set: the server's name. */
        public Builder prefix(String v) { prefix = v; return this; }
        /** Whether the gateway is ready only while this server has an endpoint that can take calls. */
        public Builder required(boolean v) { required = v; return this; }

        /** The result cache for the server's tools (default off). */
        public Builder cache(CacheSettings v) { cache = v; return this; }

        /** How often the catalog lists the server again; zero: only on notices and new sessions. */
        public Builder catalogRefresh(Duration v) { catalogRefresh = v; return this; }

        /** What the server's stderr and log notifications may write to the log per minute. */
        public Builder logLinesPerMinute(int v) { logLinesPerMinute = v; return this; }

        /**
         * The config.
         *
         * @throws IllegalArgumentException if a value is out of its range
         */
        public ServerConfig build() {
            return new ServerConfig(name, replicas, balance, callTimeout, connectTimeout, pool, retry, breaker, health,
                    supervision, trusted, roots, maxMessageBytes, tools, prefix == null ? name : prefix, required, cache,
                    catalogRefresh, logLinesPerMinute);
        }
    }
}
