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
    /** Server-level settings that {@code defaults} may give every server. */
    static final List<String> SETTINGS_KEYS = List.of("callTimeout", "connectTimeout", "pool", "trusted",
            "maxMessageSize", "roots", "shutdownGrace");
    static final List<String> STDIO_KEYS = List.of("command", "args", "env", "cwd");
    static final List<String> HTTP_KEYS = List.of("url", "headers");
    static final List<String> HOST_KEYS = List.of("disabled", "timeout");
    static final List<String> HOST_IGNORED = List.of("autoApprove", "alwaysAllow", "description");
    static final List<String> LATER_SETTINGS = List.of("retry", "breaker", "health", "balance");
    static final List<String> SERVER_KEYS = concat(List.of("type", "transport"), STDIO_KEYS, HTTP_KEYS, SETTINGS_KEYS,
            List.of("tools"), HOST_KEYS);

    static final KeySet TOP = new KeySet(
            List.of("defaults", "servers", "mcpServers", "housekeepingInterval", "shutdownGrace"),
            List.of("gateway", "cache"), List.of(),
            moved(Stream.concat(SETTINGS_KEYS.stream().filter(k -> !k.equals("shutdownGrace")), POOL_KEYS.stream())
                    .toList(), k -> (POOL_KEYS.contains(k) ? "defaults.pool." : "defaults.") + k,
                    concat(STDIO_KEYS, HTTP_KEYS), k -> "servers.<name>." + k),
            Map.of());

    static final KeySet DEFAULTS = new KeySet(SETTINGS_KEYS, LATER_SETTINGS, List.of(),
            moved(POOL_KEYS, k -> "pool." + k, List.of(), k -> k),
            refused(concat(STDIO_KEYS, HTTP_KEYS, List.of("type", "transport", "disabled", "timeout", "endpoints")),
                    "not allowed in defaults; each server gives its own",
                    List.of("tools"), "not allowed in defaults; tool settings belong to one server (servers.<name>.tools)"));

    static final KeySet SERVER = new KeySet(SERVER_KEYS, concat(LATER_SETTINGS, List.of("endpoints")), HOST_IGNORED,
            moved(POOL_KEYS, k -> "pool." + k, List.of(), k -> k), Map.of());

    static final KeySet POOL = new KeySet(POOL_KEYS, List.of(), List.of(), Map.of(),
            refused(SETTINGS_KEYS.stream().filter(k -> !k.equals("pool")).toList(),
                    "not a pool setting; it belongs one level up, next to pool", List.of(), ""));

    static final KeySet TOOL = new KeySet(List.of("idempotent", "readOnly"), List.of("cache"), List.of(), Map.of(),
            Map.of());

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
