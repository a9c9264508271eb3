package io.mcppool.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The keys each level of the file may hold. Both the binder (to report unknown keys) and the environment
 * overrides (to turn {@code MAX_SESSIONS} into {@code maxSessions}) read them, so they cannot drift apart.
 */
final class Keys {

    /**
     * The keys of one kind of map.
     *
     * @param allowed  keys read at this level
     * @param later    keys of DESIGN.md a later version will read; refused rather than silently ignored
     * @param ignored  keys MCP hosts write that mean nothing to a pool; skipped with a DEBUG log
     * @param moved    normalized key that belongs elsewhere → the path to suggest instead
     * @param refused  normalized key that is known but not allowed here → what to say about it
     */
    record KeySet(List<String> allowed, List<String> later, List<String> ignored, Map<String, String> moved,
                  Map<String, String> refused) {
        boolean knows(String key) {
            return allowed.contains(key) || later.contains(key) || ignored.contains(key);
        }
    }

    static final List<String> POOL_KEYS = List.of("mode", "minSessions", "maxSessions", "maxConcurrentRequests",
            "acquireTimeout", "idleTimeout", "maxLifetime", "keepaliveInterval", "validateAfterIdle");
    static final List<String> RETRY_KEYS = List.of("policy", "maxAttempts", "initialBackoff", "maxBackoff", "jitter",
            "budget", "budgetWindow", "minRetries");
    static final List<String> BREAKER_KEYS = List.of("enabled", "failureRate", "consecutiveFailures", "slowCall",
            "slowCallRate", "window", "minCalls", "openFor", "halfOpenCalls");
    static final List<String> HEALTH_KEYS = List.of("enabled", "interval", "timeout", "unhealthyAfter", "healthyAfter");
    static final List<String> SUPERVISION_KEYS = List.of("initialBackoff", "maxBackoff", "crashLoopRestarts",
            "crashLoopWindow", "stableAfter");
    static final List<String> CACHE_KEYS = List.of("ttl", "maxEntries", "maxBytes", "shared", "coalesce");
    /** The maps of settings inside a server (or defaults), each merged key by key, by their keys. */
    static final Map<String, List<String>> SECTIONS = sections();
    /** Server-level settings that {@code defaults} may give every server. */
    static final List<String> SETTINGS_KEYS = List.of("callTimeout", "connectTimeout", "pool", "trusted",
            "maxMessageSize", "roots", "shutdownGrace", "balance", "retry", "breaker", "health", "supervision", "cache",
            "catalogRefresh", "logLinesPerMinute");
    /** Keys of one server that {@code defaults} cannot give: they name or single out that server. */
    static final List<String> OWN_KEYS = List.of("prefix", "required");
    static final List<String> STDIO_KEYS = List.of("command", "args", "env", "inheritEnv", "cwd");
    static final List<String> HTTP_KEYS = List.of("url", "headers");
    static final List<String> TRANSPORT_KEYS = List.of("type", "transport");
    static final List<String> HOST_KEYS = List.of("disabled", "timeout");
    static final List<String> HOST_IGNORED = List.of("autoApprove", "alwaysAllow", "description");
    /** What one element of a server's {@code endpoints} list may hold. */
    static final List<String> ENDPOINT_KEYS = concat(List.of("name", "weight", "tier"), TRANSPORT_KEYS, STDIO_KEYS,
            HTTP_KEYS);
    static final List<String> SERVER_KEYS = concat(TRANSPORT_KEYS, STDIO_KEYS, HTTP_KEYS, List.of("endpoints"),
            SETTINGS_KEYS, List.of("tools"), OWN_KEYS, HOST_KEYS);

    static final KeySet TOP = new KeySet(
            List.of("defaults", "servers", "mcpServers", "housekeepingInterval", "shutdownGrace", "metrics", "gateway",
                    "cache"),
            List.of(), List.of(),
            moved(Stream.concat(SETTINGS_KEYS.stream().filter(k -> !k.equals("shutdownGrace") && !k.equals("cache")),
                            POOL_KEYS.stream()).toList(),
                    k -> (POOL_KEYS.contains(k) ? "defaults.pool." : "defaults.") + k,
                    concat(STDIO_KEYS, HTTP_KEYS, List.of("endpoints", "tools"), OWN_KEYS), k -> "servers.<name>." + k),
            Map.of());

    static final KeySet DEFAULTS = new KeySet(SETTINGS_KEYS, List.of(), List.of(),
            moved(POOL_KEYS, k -> "pool." + k, List.of(), k -> k),
            refused(concat(STDIO_KEYS, HTTP_KEYS, List.of("type", "transport", "disabled", "timeout", "endpoints"),
                            OWN_KEYS),
                    "not allowed in defaults; each server gives its own",
                    List.of("tools"), "not allowed in defaults; tool settings belong to one server (servers.<name>.tools)"));

    static final KeySet SERVER = new KeySet(SERVER_KEYS, List.of(), HOST_IGNORED,
            moved(POOL_KEYS, k -> "pool." + k, List.of(), k -> k), Map.of());

    static final KeySet ENDPOINT = new KeySet(ENDPOINT_KEYS, List.of(), List.of(), Map.of(),
            refused(concat(SETTINGS_KEYS, POOL_KEYS, OWN_KEYS, List.of("tools", "disabled", "timeout", "endpoints")),
                    "a setting of the whole server, not of one endpoint; write it on the server, next to endpoints",
                    List.of(), ""));

    static final KeySet POOL = new KeySet(POOL_KEYS, List.of(), List.of(), Map.of(),
            refused(SETTINGS_KEYS.stream().filter(k -> !k.equals("pool")).toList(),
                    "not a pool setting; it belongs one level up, next to pool", List.of(), ""));

    static final KeySet RETRY = section(RETRY_KEYS, "retry");
    static final KeySet BREAKER = section(BREAKER_KEYS, "breaker");
    static final KeySet HEALTH = section(HEALTH_KEYS, "health");
    static final KeySet SUPERVISION = section(SUPERVISION_KEYS, "supervision");
    /** A result cache block; {@code enabled} is a natural guess that has a home of its own in other sections. */
    static final KeySet CACHE = withRefused(section(CACHE_KEYS, "cache"), Map.of("enabled",
            "a cache has no enabled; a zero ttl (or cache: false) turns it off, a ttl turns it on"));

    static final KeySet TOOL = new KeySet(List.of("idempotent", "readOnly", "retry", "cache"), List.of(), List.of(),
            Map.of(), refused(concat(SETTINGS_KEYS.stream().filter(k -> !k.equals("retry") && !k.equals("cache"))
                            .toList(), OWN_KEYS),
                    "not a tool setting; a tool may set idempotent, readOnly, retry and cache", List.of(), ""));

    // ---- the gateway and the shared cache: top-level blocks, not merged with anything -------------------

    static final KeySet GATEWAY = new KeySet(List.of("host", "port", "path", "separator", "auth", "rateLimit",
            "allowedOrigins", "allowedHosts", "maxBodySize", "sessionIdleTimeout", "maxSessions", "drainTimeout",
            "watchConfig", "maxStreamMessages", "maxStreamSize", "maxUnreadResponseSize", "clientRequestTimeout",
            "maxClientRequests", "maxSessionsPerClient", "maxStreamsPerClient", "maxCallsPerClient",
            "maxStickySessionsPerClient", "maxConnections", "idleTimeoutAtConnectionLimit", "acceptRate",
            "maxBatchLength", "maxInitializeSize", "maxAuthFailures", "authFailureWindow"), List.of(), List.of(),
            moved(List.of("mode", "apiKeys", "jwt", "anonymousAllow"), k -> "auth." + k, List.of("perClient", "burst"),
                    k -> "rateLimit." + k),
            Map.of("maxbodybytes", "write the size as maxBodySize, e.g. maxBodySize: 4MB",
                    "maxstreambytes", "write the size as maxStreamSize, e.g. maxStreamSize: 8MiB",
                    "maxunreadresponsebytes", "write the size as maxUnreadResponseSize, e.g. maxUnreadResponseSize: 64MiB",
                    "maxinitializebytes", "write the size as maxInitializeSize, e.g. maxInitializeSize: 64KiB"));

    static final KeySet AUTH = new KeySet(List.of("mode", "apiKeys", "jwt", "anonymousAllow"), List.of(), List.of(),
            moved(List.of("issuer", "audience", "jwksFile", "secret", "publicKeyFile", "algorithms", "subjectClaim",
                    "allowClaim", "clockSkew"), k -> "jwt." + k, List.of(), k -> k),
            refused(List.of("required", "enabled"), "write mode: required, mode: disabled or mode: auto (the default)",
                    List.of(), ""));

    static final KeySet API_KEY = new KeySet(List.of("name", "sha256", "key", "allow", "rateLimit"), List.of(),
            List.of(), Map.of(), Map.of());

    static final KeySet JWT = new KeySet(List.of("issuer", "audience", "jwksFile", "secret", "publicKeyFile",
            "algorithms", "subjectClaim", "allowClaim", "allow", "clockSkew"), List.of(), List.of(), Map.of(), Map.of());

    static final KeySet RATE_LIMIT = new KeySet(List.of("perClient", "burst"), List.of(), List.of(), Map.of(), Map.of());

    static final KeySet SHARED_CACHE = new KeySet(List.of("redis"), List.of(), List.of(),
            moved(List.of("url"), k -> "redis." + k, List.of(), k -> k),
            refused(List.of("maxEntries", "maxBytes", "shared", "coalesce"),
                    "a result cache setting, not the shared cache's; write it in defaults.cache (every server) or"
                            + " servers.<name>.cache",
                    List.of("ttl"), "the top-level cache holds redis only: a Redis entry's ttl is cache.redis.ttl; a"
                            + " result cache's ttl belongs in defaults.cache or servers.<name>.cache"));

    static final KeySet REDIS = new KeySet(List.of("url", "prefix", "ttl", "timeout"), List.of(), List.of(), Map.of(),
            Map.of());

    static final KeySet METRICS = new KeySet(List.of("percentileHistograms", "percentiles"), List.of(), List.of(),
            Map.of(), Map.of());

    static final KeySet ROOT = new KeySet(List.of("uri", "name"), List.of(), List.of(), Map.of(), Map.of());

    private Keys() {
    }

    /** Keys compare this way wherever a person may have typed them differently: env names, suggestions. */
    static String normalize(String key) {
        return key.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
    }

    /** The closest candidate to a mistyped key, if one is close enough to be what was meant. */
    static Optional<String> suggest(String key, Collection<String> candidates) {
        String k = normalize(key);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int d = distance(k, normalize(candidate));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        int tolerance = Math.max(1, Math.min(3, k.length() / 3));
        return bestDistance <= tolerance ? Optional.ofNullable(best) : Optional.empty();
    }

    /** Levenshtein distance, with a swap of neighbours counted as one edit (the commonest typo). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /** The key set of one settings map: its keys, and the other sections' keys said to belong elsewhere. */
    private static KeySet section(List<String> keys, String name) {
        Map<String, String> moved = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> other : sections().entrySet()) {
            if (!other.getKey().equals(name)) {
                other.getValue().stream().filter(k -> !keys.contains(k))
                        .forEach(k -> moved.putIfAbsent(normalize(k), other.getKey() + "." + k));
            }
        }
        POOL_KEYS.stream().filter(k -> !keys.contains(k)).forEach(k -> moved.putIfAbsent(normalize(k), "pool." + k));
        return new KeySet(keys, List.of(), List.of(), Map.copyOf(moved), Map.of());
    }

    private static Map<String, List<String>> sections() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("pool", POOL_KEYS);
        m.put("retry", RETRY_KEYS);
        m.put("breaker", BREAKER_KEYS);
        m.put("health", HEALTH_KEYS);
        m.put("supervision", SUPERVISION_KEYS);
        m.put("cache", CACHE_KEYS);
        return java.util.Collections.unmodifiableMap(m);
    }

    private static KeySet withRefused(KeySet keys, Map<String, String> refused) {
        Map<String, String> all = new LinkedHashMap<>(keys.refused());
        refused.forEach((k, v) -> all.put(normalize(k), v));
        return new KeySet(keys.allowed(), keys.later(), keys.ignored(), keys.moved(), Map.copyOf(all));
    }

    @SafeVarargs
    private static List<String> concat(List<String>... lists) {
        List<String> all = new ArrayList<>();
        for (List<String> l : lists) {
            all.addAll(l);
        }
        return List.copyOf(all);
    }

    private static Map<String, String> moved(List<String> keys, UnaryOperator<String> to,
                                             List<String> more, UnaryOperator<String> moreTo) {
        Map<String, String> m = new LinkedHashMap<>();
        keys.forEach(k -> m.put(normalize(k), to.apply(k)));
        more.forEach(k -> m.put(normalize(k), moreTo.apply(k)));
        return Map.copyOf(m);
    }

    private static Map<String, String> refused(List<String> keys, String message, List<String> more, String moreMessage) {
        Map<String, String> m = new LinkedHashMap<>();
        keys.forEach(k -> m.put(normalize(k), message));
        more.forEach(k -> m.put(normalize(k), moreMessage));
        return Map.copyOf(m);
    }
}
