package io.mcppool.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the top-level {@code gateway} block into {@link GatewaySettings}. It is not merged with anything, so
 * unlike a server it is read straight into its record; what it shares with the rest of the binder is the
 * way problems are reported.
 */
final class GatewayBinder {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);

    /** MCP's own rule for tool names (SEP-986): a separator outside it would make names clients refuse. */
    static final Pattern SEPARATOR = Pattern.compile("[A-Za-z0-9_.-]{1,8}");
    private static final Pattern CLIENT_NAME = Pattern.compile("[A-Za-z0-9_.@-]{1,64}");
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9_.-]+)?");
    private static final Pattern HOST_AND_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9_.-]+)(:\\d{1,5})?");
    private static final Pattern URL_PATH = Pattern.compile("/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*");
    private static final Pattern HEX64 = Pattern.compile("[0-9A-Fa-f]{64}");
    private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(?:/\\s*([A-Za-z]+))?");
    private static final String RATE_LIKE = "must be a rate like 50/s, 600/m, 10000/h or 50 (per second)";
    /** Paths the gateway serves its operations endpoints on (DESIGN.md). */
    private static final List<String> OPS_PATHS = List.of("/metrics", "/healthz", "/readyz");

    private static final int MAX_GATEWAY_SESSIONS = 1_000_000;
    private static final double MAX_RATE_PER_SECOND = 1_000_000;
    private static final int MAX_BURST = 1_000_000;
    private static final int MIN_BODY_BYTES = 1024;
    private static final int MAX_STREAM_MESSAGES = 1_000_000;
    private static final int MAX_CLIENT_REQUESTS = 10_000;
    private static final int MAX_CALLS_PER_CLIENT = 1_000_000;
    private static final int MAX_CONNECTIONS = 1_000_000;
    private static final int MAX_BATCH_LENGTH = 10_000;
    private static final int MAX_AUTH_FAILURES = 1_000_000;
    /**
     * The shortest API key accepted as {@code key}: 24 random characters are 96 bits and more, beyond guessing even
     * without the failed-auth throttle. A key given as {@code sha256} cannot be measured.
     */
    static final int MIN_API_KEY_LENGTH = 24;

    private static final Map<String, AuthSettings.Mode> MODES = new LinkedHashMap<>();
    /** JWS algorithms by name, each with the key that checks it. {@code none} is absent on purpose. */
    private static final Map<String, String> ALGORITHMS = new LinkedHashMap<>();

    static {
        MODES.put("auto", AuthSettings.Mode.AUTO);
        MODES.put("required", AuthSettings.Mode.REQUIRED);
        MODES.put("disabled", AuthSettings.Mode.DISABLED);
        for (String a : List.of("HS256", "HS384", "HS512")) {
            ALGORITHMS.put(a, "secret");
        }
        for (String a : List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
                "EdDSA")) {
            ALGORITHMS.put(a, "jwksFile or publicKeyFile");
        }
    }

    private final Problems problems;
    private final Path baseDir;

    /** @param baseDir the config file's directory (or the working directory), which relative file paths start from */
    GatewayBinder(Problems problems, Path baseDir) {
        this.problems = problems;
        this.baseDir = baseDir;
    }

    GatewaySettings bind(ConfigNode node) {
        GatewaySettings d = GatewaySettings.DEFAULTS;
        if (node.absent()) {
            return d;
        }
        if (!node.isMap()) {
            node.problem("must be a map of gateway settings, e.g. { host: 127.0.0.1, port: 8080 }");
            return d;
        }
        node.checkKeys(Keys.GATEWAY);
        ConfigNode hostNode = node.field("host");
        Optional<String> host = hostNode.parsed("must be a host name or address", GatewayBinder::bindHost);
        int port = node.field("port").integer(0, 65535).orElse(d.port());
        String path = node.field("path").parsed("must be a path like /mcp", GatewayBinder::endpointPath)
                .orElse(d.path());
        String separator = node.field("separator").parsed("must be a string like __", GatewayBinder::separator)
                .orElse(d.separator());
        int before = problems.count();
        AuthSettings auth = auth(node.field("auth"));
        boolean authRead = problems.count() == before;
        RateLimit rateLimit = rateLimit(node.field("rateLimit")).orElse(d.rateLimit());
        List<String> origins = list(node.field("allowedOrigins"), "must be a list of origins, e.g."
                + " [\"https://app.example.com\"]", "must be an origin", GatewayBinder::origin);
        List<String> hosts = list(node.field("allowedHosts"), "must be a list of host names, e.g."
                + " [mcp.example.com]", "must be a host name", GatewayBinder::allowedHost);
        long maxBody = node.field("maxBodySize").bytes(MIN_BODY_BYTES, Integer.MAX_VALUE, "2GiB less one byte")
                .orElse(d.maxBodyBytes());
        Duration idle = node.field("sessionIdleTimeout").duration(false).orElse(d.sessionIdleTimeout());
        int maxSessions = node.field("maxSessions").integer(1, MAX_GATEWAY_SESSIONS).orElse(d.maxSessions());
        Duration drain = node.field("drainTimeout").duration(true).orElse(d.drainTimeout());
        boolean watch = node.field("watchConfig").bool().orElse(d.watchConfig());
        ClientLimits limits = limits(node, d.limits());
        FrontDoorSettings frontDoor = frontDoor(node, d.frontDoor());

        GatewaySettings settings = new GatewaySettings(host.orElse(d.host()), port, path, separator, auth, rateLimit,
                origins, hosts, maxBody, idle, maxSessions, drain, watch, limits, frontDoor);
        if (authRead && (hostNode.absent() || host.isPresent())) {
            checkAuth(settings, hostNode, node.field("auth"));
        }
        return settings;
    }

    private static ClientLimits limits(ConfigNode node, ClientLimits d) {
        int streamMessages = node.field("maxStreamMessages").integer(1, MAX_STREAM_MESSAGES)
                .orElse(d.maxStreamMessages());
        long streamBytes = node.field("maxStreamSize").bytes(MIN_BODY_BYTES, Integer.MAX_VALUE, "2GiB less one byte")
                .orElse(d.maxStreamBytes());
        long unread = node.field("maxUnreadResponseSize").bytes(MIN_BODY_BYTES, Long.MAX_VALUE, "8EiB")
                .orElse(d.maxUnreadResponseBytes());
        Duration requestTimeout = node.field("clientRequestTimeout").duration(false).orElse(d.clientRequestTimeout());
        int clientRequests = node.field("maxClientRequests").integer(1, MAX_CLIENT_REQUESTS)
                .orElse(d.maxClientRequests());
        ClientQuotas q = d.quotas();
        ClientQuotas quotas = new ClientQuotas(
                node.field("maxSessionsPerClient").integer(1, MAX_GATEWAY_SESSIONS).orElse(q.maxSessionsPerClient()),
                node.field("maxStreamsPerClient").integer(1, MAX_GATEWAY_SESSIONS).orElse(q.maxStreamsPerClient()),
                node.field("maxCallsPerClient").integer(1, MAX_CALLS_PER_CLIENT).orElse(q.maxCallsPerClient()),
                node.field("maxStickySessionsPerClient").integer(1, MAX_GATEWAY_SESSIONS)
                        .orElse(q.maxStickySessionsPerClient()));
        return new ClientLimits(streamMessages, streamBytes, unread, requestTimeout, clientRequests, quotas);
    }

    private static FrontDoorSettings frontDoor(ConfigNode node, FrontDoorSettings d) {
        int connections = node.field("maxConnections").integer(1, MAX_CONNECTIONS).orElse(d.maxConnections());
        Duration idleAtLimit = node.field("idleTimeoutAtConnectionLimit").duration(false)
                .orElse(d.idleTimeoutAtConnectionLimit());
        double acceptRate = node.field("acceptRate").parsed(RATE_LIKE, GatewayBinder::perSecond).orElse(d.acceptRate());
        int batch = node.field("maxBatchLength").integer(1, MAX_BATCH_LENGTH).orElse(d.maxBatchLength());
        long initialize = node.field("maxInitializeSize").bytes(MIN_BODY_BYTES, Integer.MAX_VALUE, "2GiB less one byte")
                .orElse(d.maxInitializeBytes());
        int authFailures = node.field("maxAuthFailures").integer(0, MAX_AUTH_FAILURES).orElse(d.maxAuthFailures());
        Duration window = node.field("authFailureWindow").duration(false).orElse(d.authFailureWindow());
        return new FrontDoorSettings(connections, idleAtLimit, acceptRate, batch, initialize, authFailures, window);
    }

    /**
     * Serving a non-loopback address openly must be said in so many words: under {@code auto}, a gateway
     * without keys on 0.0.0.0 would otherwise serve every tool to the network.
     */
    private void checkAuth(GatewaySettings g, ConfigNode hostNode, ConfigNode authNode) {
        AuthSettings auth = g.auth();
        boolean credentials = !auth.apiKeys().isEmpty() || auth.jwt().isPresent();
        switch (auth.mode()) {
            case AUTO -> {
                if (!g.loopbackOnly() && !credentials) {
                    problems.add(hostNode.path(), "binding " + g.host() + " needs auth: add gateway.auth.apiKeys or"
                            + " gateway.auth.jwt, or say gateway.auth.mode: disabled");
                }
            }
            case REQUIRED -> {
                if (!credentials) {
                    problems.add(authNode.field("mode").path(), "required, but no client could authenticate: add"
                            + " gateway.auth.apiKeys or gateway.auth.jwt");
                }
            }
            case DISABLED -> {
                if (credentials) {
                    LOG.warn("{}: auth is disabled, so the apiKeys and jwt given are not checked",
                            problems.describe(authNode.field("mode").path()));
                }
            }
        }
    }

    // ---- auth --------------------------------------------------------------------------------------------

    private AuthSettings auth(ConfigNode node) {
        AuthSettings d = AuthSettings.DEFAULTS;
        if (node.absent()) {
            return d;
        }
        if (!node.isMap()) {
            node.problem("must be a map like { apiKeys: [...], jwt: {...} }");
            return d;
        }
        node.checkKeys(Keys.AUTH);
        AuthSettings.Mode mode = node.field("mode").oneOf(MODES).orElse(d.mode());
        List<ApiKeySettings> apiKeys = apiKeys(node.field("apiKeys"));
        Optional<JwtSettings> jwt = jwt(node.field("jwt"));
        List<String> anonymous = patterns(node.field("anonymousAllow")).orElse(d.anonymousAllow());
        return new AuthSettings(mode, apiKeys, jwt, anonymous);
    }

    private List<ApiKeySettings> apiKeys(ConfigNode node) {
        String shape = "must be a map like { name: ci-bot, key: \"${CI_BOT_KEY}\", allow: [\"files__*\"] }";
        Optional<List<ConfigNode>> elements = node.elements("must be a list of API keys, each " + shape.substring(8));
        if (elements.isEmpty()) {
            return List.of();
        }
        List<ApiKeySettings> out = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        Map<String, String> hashes = new HashMap<>();
        for (ConfigNode e : elements.get()) {
            if (e.absent()) {
                e.nullIsWrong(shape);
                continue;
            }
            if (!e.isMap()) {
                e.problem(shape);
                continue;
            }
            e.checkKeys(Keys.API_KEY);
            Optional<String> name = Optional.empty();
            ConfigNode nameNode = e.field("name");
            if (nameNode.absent()) {
                e.problemWithoutValue("needs name: the client's name in logs, metrics and rate limits");
            } else {
                name = nameNode.parsed("must be a string", GatewayBinder::clientName);
                if (name.isPresent()) {
                    String earlier = names.putIfAbsent(name.get(), e.path());
                    if (earlier != null) {
                        nameNode.problem("another API key has this name (" + relative(earlier, node) + ")",
                                "names must be unique");
                    }
                }
            }
            Optional<String> hash = keyHash(e);
            if (hash.isPresent()) {
                String earlier = hashes.putIfAbsent(hash.get(), e.path());
                if (earlier != null) {
                    // The key is not shown, only where its twin is.
                    e.problemWithoutValue("has the same key as " + relative(earlier, node)
                            + "; each client needs a key of its own");
                }
            }
            ConfigNode allowNode = e.field("allow");
            Optional<List<String>> allow = Optional.empty();
            if (allowNode.absent()) {
                e.problemWithoutValue("needs allow: what this client may use, e.g. [\"files__*\", \"search__query\"],"
                        + " or [\"*\"] for everything");
            } else {
                allow = patterns(allowNode);
            }
            ConfigNode rateNode = e.field("rateLimit");
            Optional<RateLimit> rate = rateLimit(rateNode);
            if (name.isPresent() && hash.isPresent() && allow.isPresent() && (rateNode.absent() || rate.isPresent())) {
                out.add(new ApiKeySettings(name.get(), hash.get(), allow.get(), rate));
            }
        }
        return out;
    }

    /**
     * The SHA-256 of an API key: given as {@code sha256}, or computed from {@code key}. Neither value is shown in a
     * problem: someone who mixes them up has put the key itself in {@code sha256}.
     */
    private Optional<String> keyHash(ConfigNode e) {
        ConfigNode shaNode = e.field("sha256");
        ConfigNode keyNode = e.field("key");
        if (!shaNode.absent() && !keyNode.absent()) {
            e.problemWithoutValue("has both sha256 and key; give one: sha256 (the key's SHA-256 in hex) or key (the"
                    + " key itself, normally ${ENV_VAR})");
            return Optional.empty();
        }
        if (shaNode.absent() && keyNode.absent()) {
            e.problemWithoutValue("needs sha256 (the key's SHA-256 in hex) or key (the key itself, normally"
                    + " ${ENV_VAR})");
            return Optional.empty();
        }
        if (!keyNode.absent()) {
            Optional<String> key = keyNode.secret();
            if (key.isPresent() && key.get().length() < MIN_API_KEY_LENGTH) {
                // Its length is said, never its value.
                keyNode.problemWithoutValue("must be at least " + MIN_API_KEY_LENGTH + " characters (got "
                        + key.get().length() + "); make one with: openssl rand -hex 32");
                return Optional.empty();
            }
            if (key.isPresent() && writtenInFile(keyNode)) {
                LOG.warn("{}: an API key written in the config file itself; give it as key: ${ENV_VAR}, or give"
                        + " its sha256 instead", problems.describe(keyNode.path()));
            }
            return key.map(GatewayBinder::sha256);
        }
        Optional<String> sha = shaNode.secret();
        if (sha.isPresent() && !HEX64.matcher(sha.get().strip()).matches()) {
            shaNode.problemWithoutValue("must be 64 hex digits, the SHA-256 of the key (got " + sha.get().strip().length()
                    + " characters); to give the key itself, write key instead, e.g. key: ${CI_BOT_KEY}");
            return Optional.empty();
        }
        return sha.map(s -> s.strip().toLowerCase(Locale.ROOT));
    }

    /** Whether a credential is written out in the file itself, rather than taken from the environment. */
    private boolean writtenInFile(ConfigNode node) {
        return node.isLiteral() && !problems.fromEnvironment(node.path());
    }

    /** Lower-case hex SHA-256 of the UTF-8 bytes, as {@code sha256sum} prints it for {@code printf %s KEY}. */
    static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private Optional<JwtSettings> jwt(ConfigNode node) {
        if (node.absent()) {
            return Optional.empty();
        }
        if (!node.isMap()) {
            node.problem("must be a map like { issuer: \"https://idp.example.com\", audience: mcp-pool,"
                    + " jwksFile: jwks.json }");
            return Optional.empty();
        }
        node.checkKeys(Keys.JWT);
        int before = problems.count();
        Optional<String> issuer = node.field("issuer").nonBlankString();
        Optional<String> audience = node.field("audience").nonBlankString();
        Optional<Path> jwks = file(node.field("jwksFile"));
        Optional<Path> publicKey = file(node.field("publicKeyFile"));
        ConfigNode secretNode = node.field("secret");
        Optional<String> secret = secretNode.secret();
        if (secret.isPresent() && writtenInFile(secretNode)) {
            LOG.warn("{}: a JWT secret written in the config file itself; give it as secret: ${ENV_VAR}",
                    problems.describe(secretNode.path()));
        }
        ConfigNode algorithmsNode = node.field("algorithms");
        Optional<List<String>> algorithms = algorithms(algorithmsNode);
        String subjectClaim = node.field("subjectClaim").nonBlankString().orElse("sub");
        String allowClaim = node.field("allowClaim").nonBlankString().orElse("mcp_tools");
        List<String> allow = patterns(node.field("allow")).orElse(List.of());
        Duration clockSkew = node.field("clockSkew").duration(true).orElse(JwtSettings.DEFAULT_CLOCK_SKEW);
        if (problems.count() != before) {
            return Optional.empty();
        }
        if (jwks.isEmpty() && publicKey.isEmpty() && secret.isEmpty()) {
            node.problemWithoutValue("needs a key to check signatures: jwksFile, publicKeyFile or secret");
            return Optional.empty();
        }
        List<String> algs = algorithms.orElse(JwtSettings.DEFAULT_ALGORITHMS);
        if (algorithms.isPresent()) {
            List<String> unchecked = new ArrayList<>();
            for (String a : algs) {
                boolean mac = ALGORITHMS.get(a).equals("secret");
                if (mac ? secret.isEmpty() : jwks.isEmpty() && publicKey.isEmpty()) {
                    unchecked.add(a + " needs " + ALGORITHMS.get(a));
                }
            }
            if (!unchecked.isEmpty()) {
                algorithmsNode.problemWithoutValue("lists algorithms no key given here can check: "
                        + String.join("; ", unchecked));
                return Optional.empty();
            }
        }
        if (secret.isPresent()) {
            // An HMAC key shorter than its hash is refused by JOSE libraries (RFC 7518, 3.2); say so now.
            int needed = algs.stream().filter(a -> a.startsWith("HS"))
                    .mapToInt(a -> Integer.parseInt(a.substring(2)) / 8).max().orElse(32);
            int length = secret.get().getBytes(StandardCharsets.UTF_8).length;
            if (length < needed) {
                secretNode.problemWithoutValue("must be at least " + needed + " bytes for HS" + needed * 8 + " (got "
                        + length + "); make one with: openssl rand -base64 48");
                return Optional.empty();
            }
        }
        return Optional.of(new JwtSettings(issuer, audience, jwks, secret, publicKey, algs, subjectClaim, allowClaim,
                allow, clockSkew));
    }

    private Optional<List<String>> algorithms(ConfigNode node) {
        String rule = "must be one of " + String.join(", ", ALGORITHMS.keySet());
        Optional<List<ConfigNode>> elements = node.elements("must be a list of JWS algorithms, e.g. [RS256, ES256]");
        if (elements.isEmpty()) {
            return Optional.empty();
        }
        if (elements.get().isEmpty()) {
            node.problem("must list at least one algorithm", "leave it out for " + String.join(", ",
                    JwtSettings.DEFAULT_ALGORITHMS));
            return Optional.empty();
        }
        List<String> out = new ArrayList<>();
        boolean ok = true;
        for (ConfigNode e : elements.get()) {
            Optional<String> a = e.absent() ? e.nullIsWrong(rule) : e.parsed(rule, text -> {
                if (text.equalsIgnoreCase("none")) {
                    throw new BadValue("is never accepted: a token must be signed");
                }
                return ALGORITHMS.keySet().stream().filter(k -> k.equalsIgnoreCase(text)).findFirst()
                        .orElseThrow(() -> new BadValue(rule));
            });
            ok &= a.isPresent();
            a.filter(x -> !out.contains(x)).ifPresent(out::add);
        }
        return ok ? Optional.of(out) : Optional.empty();
    }

    /** A file the gateway reads: relative to the config file's directory, and readable now. */
    private Optional<Path> file(ConfigNode node) {
        Optional<Path> written = node.parsed("must be a file path", text -> {
            try {
                return Path.of(text);
            } catch (InvalidPathException e) {
                throw new BadValue("is not a valid path (" + e.getReason() + ")");
            }
        });
        if (written.isEmpty()) {
            return Optional.empty();
        }
        Path path = baseDir.resolve(written.get()).normalize();
        if (!Files.exists(path)) {
            node.problem("file not found (looked for " + path + ")");
        } else if (!Files.isRegularFile(path)) {
            node.problem("is not a file (" + path + ")");
        } else if (!Files.isReadable(path)) {
            node.problem("cannot be read: permission denied (" + path + ")");
        } else {
            return Optional.of(path);
        }
        return Optional.empty();
    }

    /** Allow lists: names of tools and prompts as the gateway shows them, {@code *} matching any run. */
    private Optional<List<String>> patterns(ConfigNode node) {
        String rule = "must be a name pattern like files__read_file, files__* or *";
        Optional<List<ConfigNode>> elements = node.elements("must be a list of name patterns, e.g."
                + " [\"files__*\", \"search__query\"]");
        if (elements.isEmpty()) {
            return Optional.empty();
        }
        List<String> out = new ArrayList<>();
        boolean ok = true;
        for (ConfigNode e : elements.get()) {
            Optional<String> p = e.absent() ? e.nullIsWrong(rule) : e.parsed(rule, text -> {
                if (text.chars().anyMatch(Character::isWhitespace)) {
                    throw new BadValue("must not contain spaces", "e.g. files__read_file, files__* or *");
                }
                return text;
            });
            ok &= p.isPresent();
            p.ifPresent(out::add);
        }
        return ok ? Optional.of(out) : Optional.empty();
    }

    // ---- rate limits -------------------------------------------------------------------------------------

    /** {@code 50/s}, {@code 600/m}, {@code 50} (per second), {@code 0}/{@code off}, or {@code { perClient, burst }}. */
    Optional<RateLimit> rateLimit(ConfigNode node) {
        if (node.absent()) {
            return Optional.empty();
        }
        if (!node.isMap()) {
            return node.parsed(RATE_LIKE, GatewayBinder::perSecond).map(r -> new RateLimit(r, 0));
        }
        node.checkKeys(Keys.RATE_LIMIT);
        ConfigNode rateNode = node.field("perClient");
        Optional<Double> rate = rateNode.parsed(RATE_LIKE, GatewayBinder::perSecond);
        ConfigNode burstNode = node.field("burst");
        Optional<Integer> burst = burstNode.integer(1, MAX_BURST);
        if (rateNode.absent()) {
            node.problemWithoutValue("needs perClient, the rate, e.g. { perClient: 50/s, burst: 100 }");
            return Optional.empty();
        }
        if (rate.isEmpty() || !burstNode.absent() && burst.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new RateLimit(rate.get(), burst.orElse(0)));
    }

    /** Requests per second; zero is no limit. */
    static double perSecond(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        // YAML 1.1 reads a bare off as false; both mean the same here.
        if (t.equals("off") || t.equals("false")) {
            return 0;
        }
        Matcher m = RATE.matcher(t);
        if (!m.matches()) {
            throw new BadValue(RATE_LIKE, "0 or off for no limit");
        }
        double per = switch (m.group(2) == null ? "s" : m.group(2)) {
            case "s" -> 1;
            case "m" -> 60;
            case "h" -> 3600;
            default -> throw new BadValue("a rate is per s, m or h", "e.g. 50/s or 600/m");
        };
        double rate = Double.parseDouble(m.group(1)) / per;
        if (rate > MAX_RATE_PER_SECOND) {
            throw new BadValue("must be at most 1000000/s");
        }
        return rate;
    }

    // ---- value parsers -----------------------------------------------------------------------------------

    private <T> List<T> list(ConfigNode node, String listRule, String rule, Function<String, T> parser) {
        Optional<List<ConfigNode>> elements = node.elements(listRule);
        if (elements.isEmpty()) {
            return List.of();
        }
        List<T> out = new ArrayList<>();
        for (ConfigNode e : elements.get()) {
            (e.absent() ? e.<T>nullIsWrong(rule) : e.parsed(rule, parser)).ifPresent(out::add);
        }
        return out;
    }

    /** A name or address to bind; an IPv6 address may be written in brackets, and is kept without them. */
    static String bindHost(String text) {
        String h = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        if (text.contains("://") || text.contains("/")) {
            throw new BadValue("must be a host name or address, not a URL", "e.g. 127.0.0.1 or 0.0.0.0");
        }
        if (!HOST_NAME.matcher(h).matches() && !IPV6.matcher(h).matches()) {
            throw new BadValue("must be a host name or address", "e.g. 127.0.0.1, 0.0.0.0 or ::1; the port is"
                    + " gateway.port");
        }
        return h;
    }

    private static String endpointPath(String text) {
        if (!URL_PATH.matcher(text).matches()) {
            throw new BadValue("must be a URL path starting with /, without spaces, ? or #", "e.g. /mcp");
        }
        if (OPS_PATHS.contains(text)) {
            throw new BadValue("is where the gateway serves its own " + text.substring(1) + " endpoint",
                    "pick another path, e.g. /mcp");
        }
        return text;
    }

    private static String separator(String text) {
        if (!SEPARATOR.matcher(text).matches()) {
            throw new BadValue("must be 1 to 8 letters, digits, _, . or -, the characters MCP allows in tool names",
                    "e.g. __ or .");
        }
        return text;
    }

    private static String clientName(String text) {
        if (!CLIENT_NAME.matcher(text).matches()) {
            throw new BadValue("a client name must be 1 to 64 letters, digits, _, ., @ or -");
        }
        return text;
    }

    /** {@code scheme://host[:port]}, as browsers send it in {@code Origin}; kept in lower case. */
    private static String origin(String text) {
        String allowed = "write scheme://host[:port], e.g. https://app.example.com";
        if (text.equals("*")) {
            throw new BadValue("a wildcard would turn the Origin check off", "list each origin; " + allowed);
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new BadValue("is not an origin (" + e.getReason() + ")", allowed);
        }
        if (uri.getScheme() == null || uri.getHost() == null || uri.getRawUserInfo() != null) {
            throw new BadValue("is not an origin", allowed);
        }
        String path = uri.getRawPath();
        if (path != null && !path.isEmpty() && !path.equals("/") || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            throw new BadValue("an origin has no path, query or fragment", allowed);
        }
        return (uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()))
                .toLowerCase(Locale.ROOT);
    }

    private static String allowedHost(String text) {
        if (text.contains("://") || text.contains("/")) {
            throw new BadValue("must be a host name as the Host header gives it, not a URL", "e.g. mcp.example.com");
        }
        if (!HOST_AND_PORT.matcher(text).matches()) {
            throw new BadValue("must be a host name, optionally with :port", "e.g. mcp.example.com or"
                    + " mcp.example.com:8443");
        }
        return text;
    }

    /** Where {@code path} is, said from {@code list} (the list it is an element of): {@code apiKeys[0]}. */
    private static String relative(String path, ConfigNode list) {
        int dot = list.path().lastIndexOf('.');
        return path.substring(dot + 1);
    }
}
