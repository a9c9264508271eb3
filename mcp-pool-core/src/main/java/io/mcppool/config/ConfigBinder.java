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

    private static final Map<String, PoolMode> MODES = new LinkedHashMap<>();

    static {
        for (PoolMode m : PoolMode.values()) {
            MODES.put(m.configName(), m);
        }
    }

    private enum Kind { STDIO, HTTP }

    /** A value and the path it was read from; a null path means the built-in default. */
    private record Located<T>(T value, String path) {
    }

    /** The settings given at one level, defaults or one server, before merging. */
    private static final class Layer {
        private final Map<String, Located<?>> values = new HashMap<>();
        private final Set<String> invalid = new HashSet<>();

        <T> void read(String key, ConfigNode node, Function<ConfigNode, Optional<T>> reader) {
            if (node.absent()) {
                return;
            }
            Optional<T> v = reader.apply(node);
            if (v.isPresent()) {
                values.put(key, new Located<>(v.get(), node.path()));
            } else {
                invalid.add(key);
            }
        }
    }

    private final Problems problems;
    private final Variables variables;
    private final boolean singleConnection;

    ConfigBinder(Problems problems, Variables variables, boolean singleConnection) {
        this.problems = problems;
        this.variables = variables;
        this.singleConnection = singleConnection;
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
        return new McpPoolConfig(servers, housekeeping, shutdownGrace, source);
    }

    /** The settings {@code defaults} and a server share. */
    private void readSettings(ConfigNode node, Layer layer) {
        layer.read("callTimeout", node.field("callTimeout"), n -> n.duration(false));
        layer.read("connectTimeout", node.field("connectTimeout"), n -> n.duration(false));
        layer.read("trusted", node.field("trusted"), ConfigNode::bool);
        layer.read("maxMessageSize", node.field("maxMessageSize"), n -> n.size(MIN_MESSAGE_BYTES));
        layer.read("roots", node.field("roots"), this::roots);
        layer.read("shutdownGrace", node.field("shutdownGrace"), n -> n.duration(true));

        ConfigNode pool = node.field("pool");
        if (pool.absent()) {
            return;
        }
        if (!pool.isMap()) {
            pool.problem("must be a map of pool settings, e.g. { maxSessions: 4 }");
            layer.invalid.add("pool.minSessions");
            layer.invalid.add("pool.maxSessions");
            return;
        }
        pool.checkKeys(Keys.POOL);
        layer.read("pool.mode", pool.field("mode"), n -> n.oneOf(MODES));
        layer.read("pool.minSessions", pool.field("minSessions"), n -> n.integer(0, MAX_POOL_SIZE));
        layer.read("pool.maxSessions", pool.field("maxSessions"), n -> n.integer(1, MAX_POOL_SIZE));
        layer.read("pool.maxConcurrentRequests", pool.field("maxConcurrentRequests"),
                n -> n.integer(1, MAX_CONCURRENT_REQUESTS));
        layer.read("pool.acquireTimeout", pool.field("acquireTimeout"), n -> n.duration(false));
        layer.read("pool.idleTimeout", pool.field("idleTimeout"), n -> n.duration(false));
        layer.read("pool.maxLifetime", pool.field("maxLifetime"), n -> n.duration(true));
        layer.read("pool.keepaliveInterval", pool.field("keepaliveInterval"), n -> n.duration(true));
        layer.read("pool.validateAfterIdle", pool.field("validateAfterIdle"), n -> n.duration(true));
    }

    // ---- one server --------------------------------------------------------------------------------------

    private ServerConfig server(String name, ConfigNode node, Layer defaults) {
        int before = problems.count();
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

        EndpointConfig endpoint = endpoint(node, transport(node), own, defaults);
        Map<String, ToolConfig> tools = tools(node.field("tools"));
        PoolSettings pool = pool(node.path(), own, defaults);
        if (endpoint == null || pool == null || problems.count() != before) {
            return null;
        }
        try {
            return ServerConfig.builder(name, endpoint)
                    .callTimeout(pick("callTimeout", own, defaults, ServerConfig.DEFAULT_CALL_TIMEOUT).value())
                    .connectTimeout(pick("connectTimeout", own, defaults, ServerConfig.DEFAULT_CONNECT_TIMEOUT).value())
                    .trusted(pick("trusted", own, defaults, false).value())
                    .maxMessageBytes(pick("maxMessageSize", own, defaults, ServerConfig.DEFAULT_MAX_MESSAGE_BYTES).value())
                    .roots(pick("roots", own, defaults, List.<Root>of()).value())
                    .pool(pool)
                    .tools(tools)
                    .build();
        } catch (IllegalArgumentException | NullPointerException e) {
            // The reads above should have caught everything the records check; this keeps a gap from
            // surfacing as a stack trace instead of one more problem.
            node.problemWithoutValue(String.valueOf(e.getMessage()));
            return null;
        }
    }

    /** The transport a server declares with {@code type} or {@code transport}, if any. */
    private record Declared(Kind kind, ConfigNode at) {
    }

    private Declared transport(ConfigNode server) {
        Declared found = null;
        for (String key : List.of("type", "transport")) {
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

    private EndpointConfig endpoint(ConfigNode node, Declared declared, Layer own, Layer defaults) {
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
        return hasCommand ? stdio(node, declared, own, defaults) : http(node, declared, own);
    }

    private EndpointConfig stdio(ConfigNode node, Declared declared, Layer own, Layer defaults) {
        if (declared != null && declared.kind() == Kind.HTTP) {
            declared.at().problem("declares an HTTP server, but the server has command",
                    "use url for a Streamable HTTP server, or type stdio");
        }
        for (String key : Keys.HTTP_KEYS) {
            if (!key.equals("url") && node.has(key)) {
                node.field(key).problemWithoutValue("only for Streamable HTTP servers (with url); this server has command");
            }
        }
        Optional<String> command = node.field("command").nonBlankString();
        List<String> args = node.field("args").stringList().orElse(List.of());
        Map<String, String> env = node.field("env").stringMap("a map of environment variable names to values")
                .orElse(Map.of());
        Optional<Path> cwd = node.field("cwd").parsed("must be a directory path", ConfigBinder::directory);
        Duration grace = pick("shutdownGrace", own, defaults, DEFAULT_STDIO_SHUTDOWN_GRACE).value();
        return command.map(c -> new EndpointConfig.Stdio(c, args, env, cwd, grace)).orElse(null);
    }

    private EndpointConfig http(ConfigNode node, Declared declared, Layer own) {
        if (declared != null && declared.kind() == Kind.STDIO) {
            declared.at().problem("declares a stdio server, but the server has url",
                    "use command for a stdio server, or type http");
        }
        for (String key : Keys.STDIO_KEYS) {
            if (!key.equals("command") && node.has(key)) {
                node.field(key).problemWithoutValue("only for stdio servers (with command); this server has url");
            }
        }
        // Only a grace written on this server is wrong; one inherited from defaults is meant for its stdio servers.
        Located<?> grace = own.values.get("shutdownGrace");
        if (grace != null) {
            problems.add(grace.path(), "only for stdio servers (with command); this server has url");
        }
        Optional<URI> url = node.field("url").parsed("must be a URL", ConfigBinder::httpUrl);
        ConfigNode headersNode = node.field("headers");
        Map<String, String> headers = headersNode.stringMap("a map of HTTP header names to values").orElse(Map.of());
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if (h.getValue().indexOf('\r') >= 0 || h.getValue().indexOf('\n') >= 0) {
                // The value is not shown: header values are where tokens live.
                headersNode.field(h.getKey()).problemWithoutValue("must not contain a line break");
            }
        }
        return url.map(u -> new EndpointConfig.Http(u, headers)).orElse(null);
    }

    private Map<String, ToolConfig> tools(ConfigNode node) {
        Map<String, ToolConfig> out = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> e
                : node.entries("must be a map from tool name to { idempotent, readOnly }").entrySet()) {
            ConfigNode t = e.getValue();
            if (e.getKey().isBlank()) {
                t.problemWithoutValue("a tool name must not be empty");
                continue;
            }
            if (t.absent()) {
                out.put(e.getKey(), ToolConfig.DEFAULTS);
                continue;
            }
            if (!t.isMap()) {
                t.problem("must be a map like { idempotent: true, readOnly: true }");
                continue;
            }
            t.checkKeys(Keys.TOOL);
            out.put(e.getKey(), new ToolConfig(t.field("idempotent").bool().orElse(false),
                    t.field("readOnly").bool().orElse(false)));
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

    /** The server's own value, else the one from defaults, else the built-in one. */
    @SuppressWarnings("unchecked")
    private static <T> Located<T> pick(String key, Layer own, Layer defaults, T builtIn) {
        Located<?> v = own.values.get(key);
        if (v == null && !own.invalid.contains(key)) {
            v = defaults.values.get(key);
        }
        return v != null ? (Located<T>) v : new Located<>(builtIn, null);
    }

    /** Whether the merged value of {@code key} is one actually written, not a stand-in for a wrong one. */
    private static boolean valid(String key, Layer own, Layer defaults) {
        return !own.invalid.contains(key) && (own.values.containsKey(key) || !defaults.invalid.contains(key));
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

    private static boolean isIn(Located<?> v, String path) {
        return v.path() != null && ConfigPath.within(v.path(), path);
    }

    private String whence(Located<?> v, String home) {
        if (v.path() == null) {
            return ", the default";
        }
        return isIn(v, home) ? "" : " from " + problems.describe(v.path());
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

    private static Path directory(String text) {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new BadValue("is not a valid path (" + e.getReason() + ")");
        }
    }
}
