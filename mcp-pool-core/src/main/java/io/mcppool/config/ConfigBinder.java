package io.mcppool.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.mcppool.protocol.Root;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a parsed (and environment-overridden) config tree into {@link McpPoolConfig}. Defaults and each
 * server are read separately, each value remembering the path it came from, and only then merged: so a
 * wrong value in {@code defaults} is reported once, at its own path, and a problem that only shows after
 * merging (minSessions above maxSessions) can say where each side was written.
 */
final class ConfigBinder {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);

    static final Pattern SERVER_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    static final Duration DEFAULT_STDIO_SHUTDOWN_GRACE = Duration.ofSeconds(2);

    private static final int MAX_POOL_SIZE = 10_000;
    private static final int MAX_CONCURRENT_REQUESTS = 100_000;
    private static final int MIN_MESSAGE_BYTES = 1024;
    private static final String DEFAULTS = "defaults";

    private static final int MAX_COUNT = 10_000;
    private static final int MAX_TIER = 1000;
    private static final int MAX_CACHE_ENTRIES = 100_000_000;
    private static final long MIN_CACHE_BYTES = 1024;
    private static final long MAX_CACHE_BYTES = 1L << 40;
    /** A prefix goes before tool names, so it keeps to the characters MCP allows in them (SEP-986). */
    static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private static final Map<String, PoolMode> MODES = new LinkedHashMap<>();
    private static final Map<String, BalanceStrategy> BALANCES = new LinkedHashMap<>();
    private static final Map<String, BackoffPolicy> POLICIES = new LinkedHashMap<>();
    /** Strategies that pick without looking at weights: a weight there is allowed but has no effect. */
    private static final Set<BalanceStrategy> WEIGHTLESS = Set.of(BalanceStrategy.ROUND_ROBIN,
            BalanceStrategy.LEAST_OUTSTANDING, BalanceStrategy.LATENCY, BalanceStrategy.RANDOM);

    static {
        for (PoolMode m : PoolMode.values()) {
            MODES.put(m.configName(), m);
        }
        for (BalanceStrategy b : BalanceStrategy.values()) {
            BALANCES.put(b.configName(), b);
        }
        for (BackoffPolicy b : BackoffPolicy.values()) {
            POLICIES.put(b.configName(), b);
        }
    }

    /** One key of a settings map and how its value is read. */
    private record Setting(String key, Function<ConfigNode, ? extends Optional<?>> reader) {
    }

    /**
     * A map of settings inside a server or {@code defaults} ({@code pool}, {@code retry}, ...), merged key by
     * key: a server writing one key keeps the others from {@code defaults}.
     *
     * @param shorthand how a scalar written in place of the map is read, as which one key; null: the map only
     */
    private record Section(String name, Keys.KeySet keys, String example, List<Setting> settings, Setting shorthand) {
        Section(String name, Keys.KeySet keys, String example, List<Setting> settings) {
            this(name, keys, example, settings, null);
        }
    }

    private static final Section POOL = new Section("pool", Keys.POOL, "e.g. { maxSessions: 4 }", List.of(
            new Setting("mode", n -> n.oneOf(MODES)),
            new Setting("minSessions", n -> n.integer(0, MAX_POOL_SIZE)),
            new Setting("maxSessions", n -> n.integer(1, MAX_POOL_SIZE)),
            new Setting("maxConcurrentRequests", n -> n.integer(1, MAX_CONCURRENT_REQUESTS)),
            new Setting("acquireTimeout", n -> n.duration(false)),
            new Setting("idleTimeout", n -> n.duration(false)),
            new Setting("maxLifetime", n -> n.duration(true)),
            new Setting("keepaliveInterval", n -> n.duration(true)),
            new Setting("validateAfterIdle", n -> n.duration(true))));

    private static final Section RETRY = new Section("retry", Keys.RETRY,
            "e.g. { maxAttempts: 3 }; maxAttempts: 1 turns retries off", List.of(
            new Setting("policy", n -> n.oneOf(POLICIES)),
            new Setting("maxAttempts", n -> n.integer(1, 100)),
            new Setting("initialBackoff", n -> n.duration(true)),
            new Setting("maxBackoff", n -> n.duration(true)),
            new Setting("jitter", ConfigNode::bool),
            new Setting("budget", ConfigNode::fraction),
            new Setting("budgetWindow", n -> n.duration(Duration.ofSeconds(1), "1s")),
            new Setting("minRetries", n -> n.integer(0, MAX_COUNT))));

    private static final Section BREAKER = new Section("breaker", Keys.BREAKER,
            "e.g. { failureRate: 50 }, or { enabled: false }", List.of(
            new Setting("enabled", ConfigNode::bool),
            new Setting("failureRate", n -> n.percent(1, 100)),
            new Setting("consecutiveFailures", n -> n.integer(0, MAX_COUNT)),
            new Setting("slowCall", n -> n.duration(false)),
            new Setting("slowCallRate", n -> n.percent(1, 100)),
            new Setting("window", n -> n.integer(1, MAX_COUNT)),
            new Setting("minCalls", n -> n.integer(1, MAX_COUNT)),
            new Setting("openFor", n -> n.duration(false)),
            new Setting("halfOpenCalls", n -> n.integer(1, MAX_COUNT))));

    private static final Section HEALTH = new Section("health", Keys.HEALTH,
            "e.g. { interval: 30s }, or { enabled: false }", List.of(
            new Setting("enabled", ConfigNode::bool),
            new Setting("interval", n -> n.duration(Duration.ofMillis(10), "10ms")),
            new Setting("timeout", n -> n.duration(Duration.ofMillis(1), "1ms")),
            new Setting("unhealthyAfter", n -> n.integer(1, MAX_COUNT)),
            new Setting("healthyAfter", n -> n.integer(1, MAX_COUNT))));

    private static final Section SUPERVISION = new Section("supervision", Keys.SUPERVISION,
            "e.g. { maxBackoff: 30s }", List.of(
            new Setting("initialBackoff", n -> n.duration(true)),
            new Setting("maxBackoff", n -> n.duration(true)),
            new Setting("crashLoopRestarts", n -> n.integer(1, MAX_COUNT)),
            new Setting("crashLoopWindow", n -> n.duration(false)),
            new Setting("stableAfter", n -> n.duration(true))));

    private static final Section CACHE = new Section("cache", Keys.CACHE,
            "e.g. { ttl: 30s, maxEntries: 1000 }, or 30s for the ttl alone, or false", List.of(
            new Setting("ttl", n -> n.duration(true)),
            new Setting("maxEntries", n -> n.integer(1, MAX_CACHE_ENTRIES)),
            new Setting("maxBytes", n -> n.bytes(MIN_CACHE_BYTES, MAX_CACHE_BYTES, "1TiB")),
            new Setting("shared", ConfigNode::bool),
            new Setting("coalesce", ConfigNode::bool)),
            new Setting("ttl", ConfigBinder::cacheShorthand));

    private static final List<Section> SECTIONS = List.of(POOL, RETRY, BREAKER, HEALTH, SUPERVISION, CACHE);

    private enum Kind { STDIO, HTTP }

    /** A value and the path it was read from; a null path means the built-in default. */
    private record Located<T>(T value, String path) {
    }

    /** The settings given at one level, defaults or one server or one tool, before merging. */
    private static final class Layer {
        private final Map<String, Located<?>> values = new HashMap<>();
        private final Set<String> invalid = new HashSet<>();

        void read(String key, ConfigNode node, Function<ConfigNode, ? extends Optional<?>> reader) {
            if (node.absent()) {
                return;
            }
            Optional<?> v = reader.apply(node);
            if (v.isPresent()) {
                values.put(key, new Located<>(v.get(), node.path()));
            } else {
                invalid.add(key);
            }
        }
    }

    /** A layer and the path of the map it was read from. */
    private record Level(Layer layer, String path) {
    }

    /** What a tool says, before its retry and cache settings are merged with the server's. */
    private record ToolDraft(Optional<Boolean> idempotent, Optional<Boolean> readOnly, Level retry, Level cache) {
    }

    private final Problems problems;
    private final Variables variables;
    private final boolean singleConnection;
    private final Path baseDir;
    /** The servers that wrote a prefix of their own, and where: checked against the gateway's separator. */
    private final Map<String, ConfigNode> ownPrefixes = new LinkedHashMap<>();
    /** The variables the gateway's own credentials come from: no stdio server gets them unless it names them. */
    private Set<String> withheld = Set.of();

    /**
     * @param baseDir the directory relative file paths start from: the config file's, or the working directory
     *                for a config that is not a file
     */
    ConfigBinder(Problems problems, Variables variables, boolean singleConnection, Path baseDir) {
        this.problems = problems;
        this.variables = variables;
        this.singleConnection = singleConnection;
        this.baseDir = baseDir;
    }

    /** The config, or null when the tree is too broken to read; problems are in {@link Problems}. */
    McpPoolConfig bind(JsonNode root, String source) {
        ConfigNode top = new ConfigNode(root, ConfigPath.TOP, problems, variables);
        if (!top.absent() && !top.isMap()) {
            top.problem("must be a map with servers (or mcpServers) and, optionally, defaults");
            return null;
        }
        top.checkKeys(Keys.TOP);
        Duration housekeeping = top.field("housekeepingInterval").duration(false)
                .orElse(McpPoolConfig.DEFAULT_HOUSEKEEPING_INTERVAL);
        Duration shutdownGrace = top.field("shutdownGrace").duration(true).orElse(McpPoolConfig.DEFAULT_SHUTDOWN_GRACE);
        withheld = gatewayCredentials(root);

        Layer defaults = new Layer();
        ConfigNode d = top.field(DEFAULTS);
        if (!d.absent()) {
            if (d.isMap()) {
                d.checkKeys(Keys.DEFAULTS);
                readSettings(d, defaults);
            } else {
                d.problem("must be a map of settings every server inherits");
            }
        }

        Map<String, ServerConfig> servers = new LinkedHashMap<>();
        Map<String, String> seen = new HashMap<>();
        // A host's mcpServers may sit next to mcp-pool's own servers; names must still be unique.
        for (String container : List.of("servers", "mcpServers")) {
            for (Map.Entry<String, ConfigNode> e
                    : top.field(container).entries("must be a map from server name to server settings").entrySet()) {
                String name = e.getKey();
                String earlier = seen.putIfAbsent(name, container);
                if (earlier != null) {
                    e.getValue().problemWithoutValue("a server named '" + name + "' is already defined in " + earlier);
                    continue;
                }
                ServerConfig s = server(name, e.getValue(), defaults);
                if (s != null) {
                    servers.put(name, s);
                }
            }
        }
        MetricsSettings metrics = metrics(top.field("metrics"));
        GatewaySettings gateway = new GatewayBinder(problems, baseDir).bind(top.field("gateway"));
        SharedCacheSettings sharedCache = sharedCache(top.field("cache"));
        checkPrefixes(servers, gateway.separator());
        return new McpPoolConfig(servers, housekeeping, shutdownGrace, source, metrics, gateway, sharedCache);
    }

    /** Where the gateway's own credentials are written: its clients' keys and JWT settings, and the shared cache's URL. */
    private static final List<List<String>> CREDENTIAL_BLOCKS = List.of(List.of("gateway", "auth"),
            List.of("cache", "redis"));

    /**
     * The environment variables the gateway's own credentials come from: those referenced ({@code ${JWT_SECRET}})
     * in {@link #CREDENTIAL_BLOCKS}, and those that set a value there by an override.
     */
    private Set<String> gatewayCredentials(JsonNode root) {
        Set<String> names = new java.util.TreeSet<>();
        for (List<String> block : CREDENTIAL_BLOCKS) {
            JsonNode node = root;
            String path = ConfigPath.TOP;
            for (String key : block) {
                node = node == null ? null : node.get(key);
                path = ConfigPath.child(path, key);
            }
            collectReferences(node, names);
            names.addAll(problems.originsWithin(path));
        }
        return Set.copyOf(names);
    }

    private static void collectReferences(JsonNode node, Set<String> names) {
        if (node == null) {
            return;
        }
        if (node.isTextual()) {
            names.addAll(Variables.references(node.textValue()));
        }
        node.forEach(child -> collectReferences(child, names));
    }

    /** Warns of every gateway credential that {@code node}'s text hands to an upstream. */
    private void warnOfCredentials(ConfigNode node, String server, String how) {
        for (String name : node.references()) {
            if (withheld.contains(name)) {
                LOG.warn("{}: {} holds a credential of the gateway's own settings (gateway.auth or cache.redis);"
                        + " server '{}' {}", problems.describe(node.path()), name, server, how);
            }
        }
    }

    /**
     * A prefix holding the separator would make {@code a__b__tool} ambiguous. A prefix someone wrote is an
     * error; a server's name used as its prefix only a warning, since a library user may never run a gateway.
     */
    private void checkPrefixes(Map<String, ServerConfig> servers, String separator) {
        for (ServerConfig s : servers.values()) {
            if (!s.prefix().contains(separator)) {
                continue;
            }
            ConfigNode own = ownPrefixes.get(s.name());
            if (own != null) {
                own.problem("must not contain the gateway's separator '" + separator + "'",
                        "pick another prefix or another gateway.separator");
            } else {
                LOG.warn("servers.{}: its name, the default prefix of its tools in the gateway, contains the"
                        + " separator '{}'; give it a prefix without it", s.name(), separator);
            }
        }
    }

    private SharedCacheSettings sharedCache(ConfigNode node) {
        if (node.absent()) {
            return SharedCacheSettings.NONE;
        }
        if (!node.isMap()) {
            node.problem("must be a map like { redis: { url: \"redis://127.0.0.1:6379\" } }");
            return SharedCacheSettings.NONE;
        }
        node.checkKeys(Keys.SHARED_CACHE);
        ConfigNode redis = node.field("redis");
        if (redis.absent()) {
            return SharedCacheSettings.NONE;
        }
        if (redis.isList()) {
            redis.problem("must be a map like { url: \"redis://127.0.0.1:6379\" }, or the URL alone");
            return SharedCacheSettings.NONE;
        }
        if (!redis.isMap()) {
            // The shorthand: redis: "redis://..." is the url with every other key at its default.
            return redisUrl(redis).map(SharedCacheSettings::redis).orElse(SharedCacheSettings.NONE);
        }
        redis.checkKeys(Keys.REDIS);
        ConfigNode urlNode = redis.field("url");
        Optional<URI> url = redisUrl(urlNode);
        if (urlNode.absent()) {
            redis.problemWithoutValue("needs url, e.g. { url: \"redis://127.0.0.1:6379\" }");
        }
        ConfigNode prefixNode = redis.field("prefix");
        String prefix = prefixNode.absent() ? SharedCacheSettings.DEFAULT_PREFIX : prefixNode.string().orElse("");
        Optional<Duration> ttl = redis.field("ttl").duration(false);
        Duration timeout = redis.field("timeout").duration(false).orElse(SharedCacheSettings.DEFAULT_TIMEOUT);
        return new SharedCacheSettings(url, prefix, ttl, timeout);
    }

    /**
     * A Redis URL. Problems show it with its password hidden: a URL is the usual place for one
     * ({@code redis://:secret@host}).
     */
    private Optional<URI> redisUrl(ConfigNode node) {
        String allowed = "write redis://[user:password@]host[:port][/db] or rediss:// for TLS";
        Optional<String> text = node.secret();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String t = text.get().strip();
        String what;
        try {
            URI uri = new URI(t);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            if (!scheme.equals("redis") && !scheme.equals("rediss")) {
                what = "must be a redis:// or rediss:// URL";
            } else if (uri.getHost() == null) {
                what = "must name a host";
            } else if (!path.isEmpty() && !path.matches("/\\d{0,5}")) {
                what = "the path is the database number, e.g. redis://host:6379/0";
            } else if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                what = "must not have a query or fragment";
            } else {
                return Optional.of(uri);
            }
        } catch (URISyntaxException e) {
            what = "is not a valid URL (" + e.getReason() + ")";
        }
        node.problemWithoutValue(what + "; got " + new TextNode(SharedCacheSettings.redacted(t)) + "; " + allowed);
        return Optional.empty();
    }

    /** A scalar written where a cache block belongs: a ttl, or false for none. */
    private static Optional<Duration> cacheShorthand(ConfigNode node) {
        Optional<String> text = node.string();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        switch (text.get().strip().toLowerCase(Locale.ROOT)) {
            case "false" -> {
                return Optional.of(Duration.ZERO);
            }
            case "true" -> {
                node.problem("says nothing about how long to keep results",
                        "write a ttl, e.g. cache: 30s or cache: { ttl: 30s }");
                return Optional.empty();
            }
            default -> {
                return node.duration(true);
            }
        }
    }

    private MetricsSettings metrics(ConfigNode node) {
        if (node.absent()) {
            return MetricsSettings.DEFAULTS;
        }
        if (!node.isMap()) {
            node.problem("must be a map like { percentileHistograms: true, percentiles: [0.5, 0.99] }");
            return MetricsSettings.DEFAULTS;
        }
        node.checkKeys(Keys.METRICS);
        boolean histograms = node.field("percentileHistograms").bool().orElse(false);
        List<Double> percentiles = new ArrayList<>();
        ConfigNode list = node.field("percentiles");
        if (!list.absent()) {
            list.elements("must be a list of fractions, e.g. [0.5, 0.95, 0.99]").ifPresent(elements -> {
                for (ConfigNode e : elements) {
                    e.fraction().ifPresent(percentiles::add);
                }
            });
        }
        return new MetricsSettings(histograms, percentiles);
    }

    /** The settings {@code defaults} and a server share. */
    private void readSettings(ConfigNode node, Layer layer) {
        layer.read("callTimeout", node.field("callTimeout"), n -> n.duration(false));
        layer.read("connectTimeout", node.field("connectTimeout"), n -> n.duration(false));
        layer.read("trusted", node.field("trusted"), ConfigNode::bool);
        layer.read("maxMessageSize", node.field("maxMessageSize"), n -> n.size(MIN_MESSAGE_BYTES));
        layer.read("roots", node.field("roots"), this::roots);
        layer.read("shutdownGrace", node.field("shutdownGrace"), n -> n.duration(true));
        layer.read("balance", node.field("balance"), n -> n.oneOf(BALANCES));
        layer.read("catalogRefresh", node.field("catalogRefresh"), n -> n.duration(true));
        layer.read("logLinesPerMinute", node.field("logLinesPerMinute"), n -> n.integer(0, 1_000_000));
        for (Section section : SECTIONS) {
            readSection(node, section, layer);
        }
    }

    /** Reads {@code node}'s map {@code section} into {@code layer}, each key as {@code section.key}. */
    private static void readSection(ConfigNode node, Section section, Layer layer) {
        ConfigNode map = node.field(section.name());
        if (map.absent()) {
            return;
        }
        if (!map.isMap() && section.shorthand() != null && !map.isList()) {
            layer.read(section.name() + "." + section.shorthand().key(), map, section.shorthand().reader());
            return;
        }
        if (!map.isMap()) {
            map.problem("must be a map of " + section.name() + " settings, " + section.example());
            // Every key is then unknown here: none may fall back to defaults as if this level had not spoken.
            section.settings().forEach(s -> layer.invalid.add(section.name() + "." + s.key()));
            return;
        }
        map.checkKeys(section.keys());
        for (Setting s : section.settings()) {
            layer.read(section.name() + "." + s.key(), map.field(s.key()), s.reader());
        }
    }

    // ---- one server --------------------------------------------------------------------------------------

    private ServerConfig server(String name, ConfigNode node, Layer defaults) {
        if (!node.isMap()) {
            node.problem("must be a map with command (a local stdio server) or url (a Streamable HTTP server)");
            return null;
        }
        if (node.field("disabled").bool().orElse(false)) {
            LOG.debug("{}: disabled, skipped", node.path());
            return null;
        }
        if (!SERVER_NAME.matcher(name).matches()) {
            problems.add(node.path(), "a server name must be 1 to 64 letters, digits, _ or -; got "
                    + ConfigNode.shown(new TextNode(name)));
        }
        node.checkKeys(Keys.SERVER);

        Layer own = new Layer();
        readSettings(node, own);
        ConfigNode timeout = node.field("timeout");
        if (!timeout.absent()) {
            if (node.has("callTimeout")) {
                timeout.problem("conflicts with callTimeout", "give one of them");
            } else {
                own.read("callTimeout", timeout, ConfigNode::millisOrDuration);
            }
        }
        List<Level> chain = List.of(new Level(own, node.path()), new Level(defaults, DEFAULTS));
        Optional<String> prefix = prefix(name, node.field("prefix"));
        boolean required = node.field("required").bool().orElse(false);

        List<Replica> replicas = replicas(node, chain);
        Map<String, ToolDraft> tools = tools(node.field("tools"), chain);
        PoolSettings pool = pool(node.path(), own, defaults);
        boolean ordered = retryOrdered(chain)
                & ordered(BREAKER, "minCalls", BreakerSettings.DEFAULTS.minCalls(), "window",
                        BreakerSettings.DEFAULTS.window(), true, chain)
                & ordered(SUPERVISION, "initialBackoff", SupervisionSettings.DEFAULTS.initialBackoff(), "maxBackoff",
                        SupervisionSettings.DEFAULTS.maxBackoff(), false, chain);
        // With a problem anywhere the config is refused, and building would only risk a record's own
        // message about a stand-in value repeating a problem already reported.
        if (replicas == null || pool == null || !ordered || !problems.isEmpty()) {
            return null;
        }
        try {
            Map<String, ToolConfig> toolConfigs = new LinkedHashMap<>();
            tools.forEach((tool, t) -> toolConfigs.put(tool, new ToolConfig(t.idempotent(), t.readOnly(),
                    Optional.ofNullable(t.retry()).map(r -> retry(concat(r, chain))),
                    Optional.ofNullable(t.cache()).map(c -> cache(concat(c, chain))))));
            return ServerConfig.builder(name, replicas)
                    .balance(pick("balance", BalanceStrategy.ROUND_ROBIN, chain).value())
                    .callTimeout(pick("callTimeout", ServerConfig.DEFAULT_CALL_TIMEOUT, chain).value())
                    .connectTimeout(pick("connectTimeout", ServerConfig.DEFAULT_CONNECT_TIMEOUT, chain).value())
                    .trusted(pick("trusted", false, chain).value())
                    .maxMessageBytes(pick("maxMessageSize", ServerConfig.DEFAULT_MAX_MESSAGE_BYTES, chain).value())
                    .roots(pick("roots", List.<Root>of(), chain).value())
                    .pool(pool)
                    .retry(retry(chain))
                    .breaker(breaker(chain))
                    .health(health(chain))
                    .supervision(supervision(chain))
                    .tools(toolConfigs)
                    .prefix(prefix.orElse(null))
                    .required(required)
                    .cache(cache(chain))
                    .catalogRefresh(pick("catalogRefresh", Duration.ZERO, chain).value())
                    .logLinesPerMinute(pick("logLinesPerMinute", ServerConfig.DEFAULT_LOG_LINES_PER_MINUTE, chain).value())
                    .build();
        } catch (IllegalArgumentException | NullPointerException e) {
            // The reads above should have caught everything the records check; this keeps a gap from
            // surfacing as a stack trace instead of one more problem.
            node.problemWithoutValue(String.valueOf(e.getMessage()));
            return null;
        }
    }

    /** The transport a server (or one endpoint) declares with {@code type} or {@code transport}, if any. */
    private record Declared(Kind kind, ConfigNode at) {
    }

    private Declared transport(ConfigNode server) {
        Declared found = null;
        for (String key : Keys.TRANSPORT_KEYS) {
            ConfigNode n = server.field(key);
            Optional<String> value = n.absent() ? Optional.empty() : n.string();
            if (value.isEmpty()) {
                continue;
            }
            Kind kind = switch (Keys.normalize(value.get().strip())) {
                case "stdio" -> Kind.STDIO;
                case "http", "streamablehttp" -> Kind.HTTP;
                case "sse" -> {
                    n.problem("legacy SSE transport is not supported yet", "use the Streamable HTTP URL");
                    yield null;
                }
                default -> {
                    n.problem("must be one of stdio, http, streamable-http, streamableHttp");
                    yield null;
                }
            };
            if (kind == null) {
                continue;
            }
            if (found != null && found.kind() != kind) {
                n.problem("disagrees with type", "give one of type and transport");
                continue;
            }
            found = new Declared(kind, n);
        }
        return found;
    }

    /**
     * A server's endpoints: its one {@code command} or {@code url}, or its {@code endpoints} list. Null when
     * they cannot be read; the problems are recorded.
     */
    private List<Replica> replicas(ConfigNode server, List<Level> chain) {
        Duration grace = pick("shutdownGrace", DEFAULT_STDIO_SHUTDOWN_GRACE, chain).value();
        // Only a grace written on this server can be wrong; one from defaults is meant for stdio servers.
        Located<?> ownGrace = chain.get(0).layer().values.get("shutdownGrace");
        ConfigNode list = server.field("endpoints");
        if (list.absent()) {
            EndpointConfig e = endpoint(server, "server", grace);
            if (ownGrace != null && server.has("url") && !server.has("command")) {
                problems.add(ownGrace.path(), "only for stdio servers (with command); this server has url");
            }
            return e == null ? null : List.of(Replica.of(e));
        }

        for (String key : List.of("command", "url")) {
            if (server.has(key)) {
                server.problemWithoutValue("has both " + key + " and endpoints; keep endpoints and move " + key
                        + " into it as one more endpoint, or remove endpoints for a server with one endpoint");
            }
        }
        for (String key : concat(Keys.TRANSPORT_KEYS, Keys.STDIO_KEYS, Keys.HTTP_KEYS)) {
            if (!key.equals("command") && !key.equals("url") && server.has(key)) {
                server.field(key).problemWithoutValue("belongs to one endpoint; a server with endpoints gives "
                        + key + " inside each endpoint that needs it");
            }
        }
        Optional<List<ConfigNode>> elements = list.elements(
                "must be a list of endpoints, each a map with command (a local stdio server) or url"
                        + " (a Streamable HTTP server)");
        if (elements.isEmpty()) {
            return null;
        }
        if (elements.get().isEmpty()) {
            list.problem("must list at least one endpoint", "remove endpoints, or give each endpoint's command or url");
            return null;
        }
        if (elements.get().size() > ServerConfig.MAX_REPLICAS) {
            list.problemWithoutValue("has " + elements.get().size() + " endpoints; a server may have at most "
                    + ServerConfig.MAX_REPLICAS);
            return null;
        }

        Located<BalanceStrategy> balance = pick("balance", BalanceStrategy.ROUND_ROBIN, chain);
        boolean balanceKnown = valid("balance", chain);
        Map<String, String> names = new HashMap<>();
        List<Replica> out = new ArrayList<>();
        boolean ok = true;
        boolean anyStdio = false;
        for (ConfigNode e : elements.get()) {
            if (e.absent()) {
                e.nullIsWrong("must be a map with command (a local stdio server) or url (a Streamable HTTP server)");
                ok = false;
                continue;
            }
            if (!e.isMap()) {
                e.problem("must be a map with command (a local stdio server) or url (a Streamable HTTP server)");
                ok = false;
                continue;
            }
            e.checkKeys(Keys.ENDPOINT);
            ConfigNode nameNode = e.field("name");
            Optional<String> name = nameNode.parsed("must be a string", ConfigBinder::endpointName);
            ok &= nameNode.absent() || name.isPresent();
            if (name.isPresent()) {
                String earlier = names.putIfAbsent(name.get(), e.path());
                if (earlier != null) {
                    nameNode.problem("another endpoint of this server has this name ("
                            + earlier.substring(server.path().length() + 1) + ")",
                            "endpoint names must be unique within a server");
                    ok = false;
                }
            }
            ConfigNode weightNode = e.field("weight");
            Optional<Integer> weight = weightNode.integer(1, Replica.MAX_WEIGHT);
            ConfigNode tierNode = e.field("tier");
            Optional<Integer> tier = tierNode.integer(0, MAX_TIER);
            ok &= (weightNode.absent() || weight.isPresent()) && (tierNode.absent() || tier.isPresent());
            if (balanceKnown && weight.orElse(1) != 1 && WEIGHTLESS.contains(balance.value())) {
                LOG.warn("{}: weight {} has no effect with balance: {}; only weighted_round_robin, priority and"
                        + " consistent_hash use weights", problems.describe(weightNode.path()), weight.get(),
                        balance.value().configName());
            }
            EndpointConfig endpoint = endpoint(e, "endpoint", grace);
            if (endpoint == null) {
                ok = false;
                continue;
            }
            anyStdio |= endpoint instanceof EndpointConfig.Stdio;
            out.add(new Replica(name, endpoint, weight.orElse(1), tier.orElse(0)));
        }
        if (ok && !anyStdio && ownGrace != null) {
            problems.add(ownGrace.path(), "only for stdio endpoints (with command); every endpoint of this server"
                    + " has url");
        }
        return ok ? out : null;
    }

    /** The endpoint of {@code node}, a server with one endpoint or one element of a server's endpoints. */
    private EndpointConfig endpoint(ConfigNode node, String what, Duration grace) {
        Declared declared = transport(node);
        boolean hasCommand = node.has("command");
        boolean hasUrl = node.has("url");
        if (hasCommand && hasUrl) {
            node.problemWithoutValue("has both command and url; give command for a local stdio server"
                    + " or url for a Streamable HTTP server, not both");
            return null;
        }
        if (!hasCommand && !hasUrl) {
            node.problemWithoutValue("needs command (a local stdio server) or url (a Streamable HTTP server); got neither");
            return null;
        }
        return hasCommand ? stdio(node, what, declared, grace) : http(node, what, declared);
    }

    private EndpointConfig stdio(ConfigNode node, String what, Declared declared, Duration grace) {
        if (declared != null && declared.kind() == Kind.HTTP) {
            declared.at().problem("declares an HTTP server, but the " + what + " has command",
                    "use url for a Streamable HTTP server, or type stdio");
        }
        for (String key : Keys.HTTP_KEYS) {
            if (!key.equals("url") && node.has(key)) {
                node.field(key).problemWithoutValue("only for Streamable HTTP servers (with url); this " + what
                        + " has command");
            }
        }
        Optional<String> command = node.field("command").nonBlankString();
        List<String> args = node.field("args").stringList().orElse(List.of());
        ConfigNode envNode = node.field("env");
        Map<String, String> env = envNode.stringMap("a map of environment variable names to values")
                .orElse(Map.of());
        String server = serverName(node);
        if (envNode.isMap()) {
            envNode.entries("a map").values().forEach(v -> warnOfCredentials(v, server, "gets it in its environment"));
        }
        ConfigNode inheritNode = node.field("inheritEnv");
        Optional<List<String>> inherit = inheritEnv(inheritNode, server);
        Optional<Path> cwd = node.field("cwd").parsed("must be a directory path", ConfigBinder::directory);
        if (!inheritNode.absent() && inherit.isEmpty()) {
            return null;
        }
        return command.map(c -> new EndpointConfig.Stdio(c, args, env, cwd, grace, inherit.orElse(List.of()),
                withheld)).orElse(null);
    }

    /** The server a node belongs to, for messages: the second segment of its path ({@code servers.NAME...}). */
    private static String serverName(ConfigNode node) {
        String[] parts = node.path().split("[.\\[]", 3);
        return parts.length > 1 ? parts[1] : node.path();
    }

    /**
     * {@code inheritEnv}: variable names and {@code PREFIX*} patterns. A gateway credential named exactly is passed,
     * since someone wrote its name, and warned about; a pattern never passes one ({@link ChildEnvironment}).
     */
    private Optional<List<String>> inheritEnv(ConfigNode node, String server) {
        String rule = "must be a variable name, or a name prefix followed by *";
        Optional<List<ConfigNode>> elements = node.elements("must be a list of environment variable names or"
                + " patterns, e.g. [GITHUB_TOKEN, \"AWS_*\"]");
        if (elements.isEmpty()) {
            return Optional.empty();
        }
        List<String> out = new ArrayList<>();
        boolean ok = true;
        for (ConfigNode e : elements.get()) {
            Optional<String> entry = e.absent() ? e.nullIsWrong(rule) : e.parsed(rule, text -> {
                if (!ChildEnvironment.isEntry(text)) {
                    throw new BadValue(rule, "e.g. GITHUB_TOKEN, AWS_* or *");
                }
                return text;
            });
            ok &= entry.isPresent();
            entry.ifPresent(name -> {
                out.add(name);
                if (withheld.contains(name)) {
                    LOG.warn("{}: {} holds a credential of the gateway's own settings (gateway.auth or cache.redis);"
                            + " server '{}' gets it in its environment because it is named here",
                            problems.describe(e.path()), name, server);
                }
            });
        }
        return ok ? Optional.of(out) : Optional.empty();
    }

    private EndpointConfig http(ConfigNode node, String what, Declared declared) {
        if (declared != null && declared.kind() == Kind.STDIO) {
            declared.at().problem("declares a stdio server, but the " + what + " has url",
                    "use command for a stdio server, or type http");
        }
        for (String key : Keys.STDIO_KEYS) {
            if (!key.equals("command") && node.has(key)) {
                node.field(key).problemWithoutValue("only for stdio servers (with command); this " + what
                        + " has url");
            }
        }
        Optional<URI> url = node.field("url").parsed("must be a URL", ConfigBinder::httpUrl);
        ConfigNode headersNode = node.field("headers");
        Map<String, String> headers = headersNode.stringMap("a map of HTTP header names to values").orElse(Map.of());
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if (h.getValue().indexOf('\r') >= 0 || h.getValue().indexOf('\n') >= 0) {
                // The value is not shown: header values are where tokens live.
                headersNode.field(h.getKey()).problemWithoutValue("must not contain a line break");
            }
            warnOfCredentials(headersNode.field(h.getKey()), serverName(node), "receives it in this header");
        }
        return url.map(u -> new EndpointConfig.Http(u, headers)).orElse(null);
    }

    private Map<String, ToolDraft> tools(ConfigNode node, List<Level> chain) {
        Map<String, ToolDraft> out = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> e
                : node.entries("must be a map from tool name to { idempotent, readOnly, retry, cache }").entrySet()) {
            ConfigNode t = e.getValue();
            if (e.getKey().isBlank()) {
                t.problemWithoutValue("a tool name must not be empty");
                continue;
            }
            if (t.absent()) {
                out.put(e.getKey(), new ToolDraft(Optional.empty(), Optional.empty(), null, null));
                continue;
            }
            if (!t.isMap()) {
                t.problem("must be a map like { idempotent: true, readOnly: true }");
                continue;
            }
            t.checkKeys(Keys.TOOL);
            Level retry = null;
            if (t.has("retry")) {
                retry = new Level(new Layer(), t.path());
                readSection(t, RETRY, retry.layer());
                retryOrdered(concat(retry, chain));
            }
            Level cache = null;
            if (t.has("cache")) {
                cache = new Level(new Layer(), t.path());
                readSection(t, CACHE, cache.layer());
            }
            out.put(e.getKey(), new ToolDraft(t.field("idempotent").bool(), t.field("readOnly").bool(), retry,
                    cache));
        }
        return out;
    }

    private Optional<List<Root>> roots(ConfigNode node) {
        String rule = "must be a list of URIs, or of maps with uri and name";
        Optional<List<ConfigNode>> elements = node.elements(rule);
        if (elements.isEmpty()) {
            return Optional.empty();
        }
        List<Root> out = new ArrayList<>();
        boolean ok = true;
        for (ConfigNode e : elements.get()) {
            Optional<Root> root;
            if (e.absent()) {
                root = e.nullIsWrong("must be a URI, or a map with uri and name");
            } else if (e.isMap()) {
                e.checkKeys(Keys.ROOT);
                ConfigNode uri = e.field("uri");
                if (uri.absent()) {
                    e.problemWithoutValue("needs uri, e.g. { uri: file:///srv/data, name: data }");
                    root = Optional.empty();
                } else {
                    Optional<String> name = e.field("name").string();
                    boolean nameOk = e.field("name").absent() || name.isPresent();
                    root = uri.parsed("must be a URI", ConfigBinder::rootUri)
                            .filter(u -> nameOk)
                            .map(u -> new Root(u, name.orElse(null)));
                }
            } else {
                root = e.parsed("must be a URI, or a map with uri and name", ConfigBinder::rootUri)
                        .map(u -> new Root(u, null));
            }
            ok &= root.isPresent();
            root.ifPresent(out::add);
        }
        return ok ? Optional.of(out) : Optional.empty();
    }

    // ---- merging -----------------------------------------------------------------------------------------

    /**
     * The value of {@code key} from the innermost level that writes it, else the built-in one. A level that
     * wrote a wrong value stops the search: the value from an outer level would be a guess at what was meant.
     */
    @SuppressWarnings("unchecked")
    private static <T> Located<T> pick(String key, T builtIn, List<Level> chain) {
        for (Level level : chain) {
            Located<?> v = level.layer().values.get(key);
            if (v != null) {
                return (Located<T>) v;
            }
            if (level.layer().invalid.contains(key)) {
                break;
            }
        }
        return new Located<>(builtIn, null);
    }

    /** Whether the merged value of {@code key} is one actually written (or built in), not a stand-in for a wrong one. */
    private static boolean valid(String key, List<Level> chain) {
        for (Level level : chain) {
            if (level.layer().values.containsKey(key)) {
                return true;
            }
            if (level.layer().invalid.contains(key)) {
                return false;
            }
        }
        return true;
    }

    private static <T> Located<T> pick(String key, Layer own, Layer defaults, T builtIn) {
        return pick(key, builtIn, List.of(new Level(own, ""), new Level(defaults, DEFAULTS)));
    }

    private static boolean valid(String key, Layer own, Layer defaults) {
        return valid(key, List.of(new Level(own, ""), new Level(defaults, DEFAULTS)));
    }

    private static List<Level> concat(Level first, List<Level> rest) {
        List<Level> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }

    @SafeVarargs
    private static List<String> concat(List<String>... lists) {
        List<String> all = new ArrayList<>();
        for (List<String> l : lists) {
            all.addAll(l);
        }
        return all;
    }

    private PoolSettings pool(String serverPath, Layer own, Layer defaults) {
        PoolSettings builtIn = PoolSettings.DEFAULTS;
        Located<Integer> min = pick("pool.minSessions", own, defaults, builtIn.minSessions());
        Located<Integer> max = pick("pool.maxSessions", own, defaults, builtIn.maxSessions());
        PoolSettings.Builder b = PoolSettings.builder()
                .mode(pick("pool.mode", own, defaults, builtIn.mode()).value())
                .maxConcurrentRequests(pick("pool.maxConcurrentRequests", own, defaults,
                        builtIn.maxConcurrentRequests()).value())
                .acquireTimeout(pick("pool.acquireTimeout", own, defaults, builtIn.acquireTimeout()).value())
                .idleTimeout(pick("pool.idleTimeout", own, defaults, builtIn.idleTimeout()).value())
                .maxLifetime(pick("pool.maxLifetime", own, defaults, builtIn.maxLifetime()).value())
                .keepaliveInterval(pick("pool.keepaliveInterval", own, defaults, builtIn.keepaliveInterval()).value())
                .validateAfterIdle(pick("pool.validateAfterIdle", own, defaults, builtIn.validateAfterIdle()).value());
        if (singleConnection) {
            // MCP_SINGLE_CONNECTION is a debugging switch: it wins over everything, so sizes are not compared.
            return b.minSessions(1).maxSessions(1).build();
        }
        if (!valid("pool.minSessions", own, defaults) || !valid("pool.maxSessions", own, defaults)) {
            return null;
        }
        if (min.value() > max.value()) {
            boolean fromServer = isIn(min, serverPath) || isIn(max, serverPath);
            // When neither side is the server's own, the mistake is in defaults: say so once, not per server.
            String home = fromServer ? serverPath : DEFAULTS;
            problems.add(ConfigPath.child(ConfigPath.child(home, "pool"), "minSessions"),
                    "must not exceed maxSessions (" + max.value() + whence(max, home) + "); got " + min.value()
                            + whence(min, home));
            return null;
        }
        return b.minSessions(min.value()).maxSessions(max.value()).build();
    }

    /**
     * Checks that the merged {@code section.low} does not exceed the merged {@code section.high}. A problem
     * is reported in the innermost level that wrote either of them (so a mistake in defaults is said once,
     * not once per server), at the one written there (at {@code low} when both are, if {@code atLow}), and
     * says where the other came from.
     *
     * @return whether both are valid and in order
     */
    private <T extends Comparable<? super T>> boolean ordered(Section section, String low, T lowBuiltIn, String high,
                                                              T highBuiltIn, boolean atLow, List<Level> chain) {
        String lowKey = section.name() + "." + low;
        String highKey = section.name() + "." + high;
        if (!valid(lowKey, chain) || !valid(highKey, chain)) {
            return false;
        }
        Located<T> lo = pick(lowKey, lowBuiltIn, chain);
        Located<T> hi = pick(highKey, highBuiltIn, chain);
        if (lo.value().compareTo(hi.value()) <= 0) {
            return true;
        }
        // Built-in values are in order, so a disorder always involves a written one.
        String home = chain.stream().map(Level::path).filter(p -> isIn(lo, p) || isIn(hi, p)).findFirst()
                .orElse(DEFAULTS);
        boolean lowHere = isIn(lo, home);
        boolean reportAtLow = lowHere && (atLow || !isIn(hi, home));
        String at = ConfigPath.child(ConfigPath.child(home, section.name()), reportAtLow ? low : high);
        if (reportAtLow) {
            problems.add(at, "must not exceed " + high + " (" + show(hi.value()) + whence(hi, home) + "); got "
                    + show(lo.value()) + whence(lo, home));
        } else {
            problems.add(at, "must not be below " + low + " (" + show(lo.value()) + whence(lo, home) + "); got "
                    + show(hi.value()) + whence(hi, home));
        }
        return false;
    }

    private boolean retryOrdered(List<Level> chain) {
        return ordered(RETRY, "initialBackoff", RetrySettings.DEFAULTS.initialBackoff(), "maxBackoff",
                RetrySettings.DEFAULTS.maxBackoff(), false, chain);
    }

    private RetrySettings retry(List<Level> chain) {
        RetrySettings d = RetrySettings.DEFAULTS;
        return RetrySettings.builder()
                .policy(pick("retry.policy", d.policy(), chain).value())
                .maxAttempts(pick("retry.maxAttempts", d.maxAttempts(), chain).value())
                .initialBackoff(pick("retry.initialBackoff", d.initialBackoff(), chain).value())
                .maxBackoff(pick("retry.maxBackoff", d.maxBackoff(), chain).value())
                .jitter(pick("retry.jitter", d.jitter(), chain).value())
                .budget(pick("retry.budget", d.budget(), chain).value())
                .budgetWindow(pick("retry.budgetWindow", d.budgetWindow(), chain).value())
                .minRetries(pick("retry.minRetries", d.minRetries(), chain).value())
                .build();
    }

    private BreakerSettings breaker(List<Level> chain) {
        BreakerSettings d = BreakerSettings.DEFAULTS;
        return BreakerSettings.builder()
                .enabled(pick("breaker.enabled", d.enabled(), chain).value())
                .failureRate(pick("breaker.failureRate", d.failureRate(), chain).value())
                .consecutiveFailures(pick("breaker.consecutiveFailures", d.consecutiveFailures(), chain).value())
                .slowCall(pick("breaker.slowCall", d.slowCall(), chain).value())
                .slowCallRate(pick("breaker.slowCallRate", d.slowCallRate(), chain).value())
                .window(pick("breaker.window", d.window(), chain).value())
                .minCalls(pick("breaker.minCalls", d.minCalls(), chain).value())
                .openFor(pick("breaker.openFor", d.openFor(), chain).value())
                .halfOpenCalls(pick("breaker.halfOpenCalls", d.halfOpenCalls(), chain).value())
                .build();
    }

    private HealthSettings health(List<Level> chain) {
        HealthSettings d = HealthSettings.DEFAULTS;
        return new HealthSettings(
                pick("health.enabled", d.enabled(), chain).value(),
                pick("health.interval", d.interval(), chain).value(),
                pick("health.timeout", d.timeout(), chain).value(),
                pick("health.unhealthyAfter", d.unhealthyAfter(), chain).value(),
                pick("health.healthyAfter", d.healthyAfter(), chain).value());
    }

    private CacheSettings cache(List<Level> chain) {
        CacheSettings d = CacheSettings.OFF;
        return new CacheSettings(
                pick("cache.ttl", d.ttl(), chain).value(),
                pick("cache.maxEntries", d.maxEntries(), chain).value(),
                pick("cache.maxBytes", d.maxBytes(), chain).value(),
                pick("cache.shared", d.shared(), chain).value(),
                Optional.ofNullable(pick("cache.coalesce", (Boolean) null, chain).value()));
    }

    private SupervisionSettings supervision(List<Level> chain) {
        SupervisionSettings d = SupervisionSettings.DEFAULTS;
        return new SupervisionSettings(
                pick("supervision.initialBackoff", d.initialBackoff(), chain).value(),
                pick("supervision.maxBackoff", d.maxBackoff(), chain).value(),
                pick("supervision.crashLoopRestarts", d.crashLoopRestarts(), chain).value(),
                pick("supervision.crashLoopWindow", d.crashLoopWindow(), chain).value(),
                pick("supervision.stableAfter", d.stableAfter(), chain).value());
    }

    private static boolean isIn(Located<?> v, String path) {
        return v.path() != null && ConfigPath.within(v.path(), path);
    }

    private String whence(Located<?> v, String home) {
        if (v.path() == null) {
            return ", the default";
        }
        return isIn(v, home) ? "" : " from " + problems.describe(v.path());
    }

    /** A value as a problem shows it: durations the way a config file writes them. */
    static String show(Object value) {
        if (!(value instanceof Duration d)) {
            return String.valueOf(value);
        }
        if (d.isZero()) {
            return "0";
        }
        if (d.toNanos() % 1_000_000 != 0) {
            return d.toNanos() + "ns";
        }
        long ms = d.toMillis();
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        StringBuilder sb = new StringBuilder();
        long[] units = {86_400, 3600, 60, 1};
        String[] names = {"d", "h", "m", "s"};
        for (int i = 0; i < units.length; i++) {
            if (s >= units[i]) {
                sb.append(s / units[i]).append(names[i]);
                s %= units[i];
            }
        }
        return sb.toString();
    }

    // ---- value parsers -----------------------------------------------------------------------------------

    private static URI httpUrl(String text) {
        String allowed = "write an http:// or https:// URL, e.g. https://mcp.example.com/mcp";
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new BadValue("is not a valid URL (" + e.getReason() + ")", allowed);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new BadValue("must be an http:// or https:// URL", allowed);
        }
        if (uri.getHost() == null) {
            throw new BadValue("must name a host", allowed);
        }
        return uri;
    }

    private static String rootUri(String text) {
        try {
            URI uri = new URI(text);
            if (uri.getScheme() != null) {
                return text;
            }
        } catch (URISyntaxException e) {
            // falls through to the same message as a relative URI
        }
        throw new BadValue("must be an absolute URI", "e.g. file:///srv/data");
    }

    private static String endpointName(String text) {
        if (!SERVER_NAME.matcher(text).matches()) {
            throw new BadValue("an endpoint name must be 1 to 64 letters, digits, _ or -");
        }
        return text;
    }

    /**
     * A server's own prefix: empty for none ({@code false} or {@code ""}), absent for the default (its name). A
     * written one is remembered to be checked against the gateway's separator.
     */
    private Optional<String> prefix(String server, ConfigNode node) {
        if (node.absent()) {
            return Optional.empty();
        }
        Optional<String> text = node.string();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String p = text.get().strip();
        if (p.isEmpty() || p.equalsIgnoreCase("false")) {
            return Optional.of("");
        }
        if (p.equalsIgnoreCase("true")) {
            node.problem("is not a prefix", "leave prefix out for the server's name, or write false for none");
            return Optional.empty();
        }
        if (!PREFIX.matcher(p).matches()) {
            node.problem("a prefix must be 1 to 64 letters, digits, _, . or -", "or false for none");
            return Optional.empty();
        }
        ownPrefixes.put(server, node);
        return Optional.of(p);
    }

    private static Path directory(String text) {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new BadValue("is not a valid path (" + e.getReason() + ")");
        }
    }
}
