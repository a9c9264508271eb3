package io.mcppool.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Environment variables written into the parsed tree before it is read, so a wrong value from the
 * environment gets the same message as one in the file (plus the variable's name). Two families:
 * <ul>
 *   <li>{@code MCP_POOL__SEGMENT__SEGMENT...}: any key, matched ignoring case, {@code _} and {@code -};</li>
 *   <li>the {@code MCP_*} names older deployments already set (see the seeds), mapped onto {@code defaults}.</li>
 * </ul>
 * The generic names are applied after the seed names, so they win over them, which win over the file.
 * Last come the switches that override every server's own setting: {@code MCP_DISABLE_HEALTH_CHECKS=true}
 * and {@code MCP_ENABLE_CIRCUIT_BREAKERS=false} written into the tree, {@code MCP_SINGLE_CONNECTION} returned
 * to the binder.
 */
final class EnvOverrides {
    static final String PREFIX = "MCP_POOL__";
    static final String SINGLE_CONNECTION = "MCP_SINGLE_CONNECTION";

    private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);
    private static final Pattern SECONDS = Pattern.compile("\\d+(?:\\.\\d+)?");
    private static final Pattern INDEX = Pattern.compile("\\d+");
    private static final YAMLMapper STRUCTURE = new YAMLMapper();

    /** A seed name: where it goes, and whether a bare number there means seconds. */
    private record Seed(String name, List<String> path, boolean seconds) {
    }

    static final String DISABLE_HEALTH_CHECKS = "MCP_DISABLE_HEALTH_CHECKS";
    static final String ENABLE_CIRCUIT_BREAKERS = "MCP_ENABLE_CIRCUIT_BREAKERS";

    static final List<String> SEED_NAMES;
    private static final List<Seed> SEEDS = List.of(
            new Seed("MCP_DEFAULT_MIN_CONNECTIONS", List.of("defaults", "pool", "minSessions"), false),
            new Seed("MCP_DEFAULT_MAX_CONNECTIONS", List.of("defaults", "pool", "maxSessions"), false),
            new Seed("MCP_CONNECTION_TIMEOUT", List.of("defaults", "connectTimeout"), true),
            new Seed("MCP_CLEANUP_INTERVAL", List.of("housekeepingInterval"), true),
            new Seed("MCP_HEALTH_CHECK_INTERVAL", List.of("defaults", "health", "interval"), true),
            // The seeds' breaker opened after this many failures in a row, then waited this long to try again.
            new Seed("MCP_CIRCUIT_BREAKER_FAILURE_THRESHOLD", List.of("defaults", "breaker", "consecutiveFailures"),
                    false),
            new Seed("MCP_CIRCUIT_BREAKER_RECOVERY_TIMEOUT", List.of("defaults", "breaker", "openFor"), true));

    /**
     * Switches that turn a feature off everywhere, a server's own setting included, applied after all other
     * overrides like {@code MCP_SINGLE_CONNECTION}: they are for an operator who needs the feature off now.
     * The other value leaves the file in charge; it does not turn the feature on where the file turned it off.
     *
     * @param offWhen the value that turns {@code section} off
     */
    private record KillSwitch(String name, boolean offWhen, String section) {
    }

    private static final List<KillSwitch> KILL_SWITCHES = List.of(
            new KillSwitch(DISABLE_HEALTH_CHECKS, true, "health"),
            new KillSwitch(ENABLE_CIRCUIT_BREAKERS, false, "breaker"));

    /** Seed names for features this version does not have; accepted so existing deployments still start. */
    static final List<String> LATER = List.of("MCP_ENABLE_METRICS", "MCP_DETAILED_METRICS", "MCP_METRICS_INTERVAL",
            "MCP_MAX_TOTAL_CONNECTIONS", "MCP_LOG_LEVEL", "MCP_ENABLE_MOCKS");

    static {
        List<String> names = new ArrayList<>();
        SEEDS.forEach(s -> names.add(s.name()));
        names.add(SINGLE_CONNECTION);
        KILL_SWITCHES.forEach(k -> names.add(k.name()));
        SEED_NAMES = List.copyOf(names);
    }

    // ---- the shape the segments walk, built from Keys so the two cannot disagree -------------------------

    private sealed interface Shape permits Fields, Entries, Items, Leaf, Free {
    }

    /** A map with fixed keys. */
    private record Fields(String what, Map<String, Shape> keys) implements Shape {
        Optional<String> canonical(String segment) {
            return keys.keySet().stream().filter(k -> Keys.normalize(k).equals(Keys.normalize(segment))).findFirst();
        }
    }

    /** A map with the user's keys; {@code mustExist}: a segment may only name a key the file has. */
    private record Entries(String what, Shape value, boolean mustExist) implements Shape {
    }

    private record Items(Shape item) implements Shape {
    }

    private record Leaf() implements Shape {
    }

    /** A subtree reserved for a later version: anything may be set; the binder refuses it with its own message. */
    private record Free() implements Shape {
    }

    private static final Shape LEAF = new Leaf();
    private static final Shape FREE = new Free();
    private static final Fields TOP = top();

    private static Fields top() {
        Map<String, Fields> sections = new LinkedHashMap<>();
        Keys.SECTIONS.forEach((name, keys) -> sections.put(name, fields(name, keys, k -> LEAF)));
        Fields root = fields("a root", Keys.ROOT.allowed(), k -> LEAF);
        Function<String, Shape> endpointKey = k -> switch (k) {
            case "args", "inheritEnv" -> new Items(LEAF);
            case "env" -> new Entries("env", LEAF, false);
            case "headers" -> new Entries("headers", LEAF, false);
            default -> LEAF;
        };
        Fields endpoint = fields("an endpoint", Keys.ENDPOINT.allowed(), endpointKey);
        Fields tool = fields("a tool", concat(Keys.TOOL.allowed(), Keys.TOOL.later()),
                k -> Keys.TOOL.later().contains(k) ? FREE : sections.containsKey(k) ? sections.get(k) : LEAF);
        Function<String, Shape> settings = k -> {
            if (sections.containsKey(k)) {
                return sections.get(k);
            }
            return switch (k) {
                case "roots" -> new Items(root);
                case "autoApprove", "alwaysAllow" -> new Items(LEAF);
                case "endpoints" -> new Items(endpoint);
                case "tools" -> new Entries("tools", tool, true);
                default -> endpointKey.apply(k);
            };
        };
        Fields defaults = fields("defaults", Keys.DEFAULTS.allowed(), settings);
        Fields server = fields("a server", concat(Keys.SERVER.allowed(), Keys.SERVER.ignored()), settings);
        Fields gateway = gateway();
        Fields redis = fields("redis", Keys.REDIS.allowed(), k -> LEAF);
        Fields sharedCache = fields("cache", Keys.SHARED_CACHE.allowed(), k -> redis);
        return fields("the top level", concat(Keys.TOP.allowed(), Keys.TOP.later()), k -> switch (k) {
            case "defaults" -> defaults;
            case "servers", "mcpServers" -> new Entries("servers", server, true);
            case "gateway" -> gateway;
            case "cache" -> sharedCache;
            default -> Keys.TOP.later().contains(k) ? FREE : LEAF;
        });
    }

    /**
     * The gateway block. A rate limit is a map here, so {@code …__RATE_LIMIT__BURST} reaches into one; a whole
     * {@code …__RATE_LIMIT=50/s} is still set as text, since only a value starting with a brace is read as a map.
     */
    private static Fields gateway() {
        Fields rateLimit = fields("rateLimit", Keys.RATE_LIMIT.allowed(), k -> LEAF);
        Function<String, Shape> lists = k -> switch (k) {
            case "allow", "anonymousAllow", "algorithms", "allowedOrigins", "allowedHosts" -> new Items(LEAF);
            case "rateLimit" -> rateLimit;
            default -> LEAF;
        };
        Fields apiKey = fields("an API key", Keys.API_KEY.allowed(), lists);
        Fields jwt = fields("jwt", Keys.JWT.allowed(), lists);
        Fields auth = fields("auth", Keys.AUTH.allowed(), k -> switch (k) {
            case "apiKeys" -> new Items(apiKey);
            case "jwt" -> jwt;
            default -> lists.apply(k);
        });
        return fields("gateway", Keys.GATEWAY.allowed(), k -> k.equals("auth") ? auth : lists.apply(k));
    }

    private static Fields fields(String what, List<String> keys, Function<String, Shape> shape) {
        Map<String, Shape> m = new LinkedHashMap<>();
        keys.forEach(k -> m.put(k, shape.apply(k)));
        return new Fields(what, m);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return concat(a, b, List.of());
    }

    private static List<String> concat(List<String> a, List<String> b, List<String> c) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        all.addAll(c);
        return all;
    }

    private EnvOverrides() {
    }

    /**
     * Writes the overrides in {@code env} into {@code root}.
     *
     * @return whether {@code MCP_SINGLE_CONNECTION} asks for one session per server
     */
    static boolean apply(ObjectNode root, Map<String, String> env, Problems problems) {
        for (Seed seed : SEEDS) {
            String value = env.get(seed.name());
            // Deployments often export these empty to mean "not set".
            if (value == null || value.isBlank()) {
                continue;
            }
            String v = seed.seconds() && SECONDS.matcher(value.strip()).matches() ? value.strip() + "s" : value;
            set(root, seed.name(), seed.path(), v, problems);
        }
        List<Map.Entry<String, String>> generic = env.entrySet().stream()
                .filter(e -> e.getKey().startsWith(PREFIX))
                // Shallow paths first, so MCP_POOL__DEFAULTS__POOL='{...}' does not undo MCP_POOL__DEFAULTS__POOL__MODE.
                .sorted(Comparator.comparingInt((Map.Entry<String, String> e) -> e.getKey().split("__", -1).length)
                        .thenComparing(Map.Entry::getKey))
                .toList();
        for (Map.Entry<String, String> e : generic) {
            List<String> segments = List.of(e.getKey().substring(PREFIX.length()).split("__", -1));
            if (segments.stream().anyMatch(String::isEmpty)) {
                problems.addRaw(e.getKey() + ": has an empty segment; write MCP_POOL__KEY__KEY..., segments"
                        + " separated by exactly two underscores");
                continue;
            }
            set(root, e.getKey(), segments, e.getValue(), problems);
        }
        for (KillSwitch k : KILL_SWITCHES) {
            if (flag(env, k.name(), problems).orElse(!k.offWhen()) == k.offWhen()) {
                turnOff(root, k.name(), k.section(), problems);
            }
        }
        for (String name : env.keySet()) {
            if (LATER.contains(name)) {
                LOG.debug("{} is ignored: this version of mcp-pool does not have that feature yet", name);
            } else if (name.startsWith("MCP_CIRCUIT_BREAKER_") && !SEED_NAMES.contains(name)) {
                LOG.warn("{} is ignored: mcp-pool knows MCP_CIRCUIT_BREAKER_FAILURE_THRESHOLD and"
                        + " MCP_CIRCUIT_BREAKER_RECOVERY_TIMEOUT; set any other breaker key with"
                        + " MCP_POOL__DEFAULTS__BREAKER__<KEY>", name);
            }
        }
        return flag(env, SINGLE_CONNECTION, problems).orElse(false);
    }

    /** A true/false variable; empty when it is unset, empty, or (a problem) neither. */
    private static Optional<Boolean> flag(Map<String, String> env, String name, Problems problems) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String v = value.strip().toLowerCase(Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
            problems.addRaw(name + ": must be true or false; got " + ConfigNode.shown(new TextNode(value)));
            return Optional.empty();
        }
        return Optional.of(v.equals("true"));
    }

    /**
     * Writes {@code enabled: false} into {@code section} of {@code defaults} and of every server, so that it
     * wins over a server's own setting. A level whose {@code defaults}, server or section is not a map is
     * left alone: the binder reports its shape.
     */
    private static void turnOff(ObjectNode root, String name, String section, Problems problems) {
        List<ObjectNode> levels = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        JsonNode defaults = root.get("defaults");
        if (defaults == null || defaults.isNull()) {
            defaults = root.putObject("defaults");
        }
        if (defaults instanceof ObjectNode d) {
            levels.add(d);
            paths.add("defaults");
        }
        for (String container : List.of("servers", "mcpServers")) {
            if (root.get(container) instanceof ObjectNode c) {
                c.fields().forEachRemaining(e -> {
                    if (e.getValue() instanceof ObjectNode server) {
                        levels.add(server);
                        paths.add(ConfigPath.child(container, e.getKey()));
                    }
                });
            }
        }
        for (int i = 0; i < levels.size(); i++) {
            ObjectNode level = levels.get(i);
            JsonNode s = level.get(section);
            if (s == null || s.isNull()) {
                s = level.putObject(section);
            }
            if (s instanceof ObjectNode map) {
                map.put("enabled", "false");
                problems.origin(ConfigPath.child(ConfigPath.child(paths.get(i), section), "enabled"), name);
            }
        }
    }

    /**
     * Walks {@code segments} from the root, creating maps and lists on the way, and sets the last one. All or
     * nothing: the walk works on a copy, so an override that fails halfway leaves no empty map behind to
     * cause a second, misleading problem.
     */
    private static void set(ObjectNode root, String name, List<String> segments, String value, Problems problems) {
        ObjectNode copy = root.deepCopy();
        List<String> touched = new ArrayList<>();
        if (walk(copy, name, segments, value, problems, touched)) {
            root.removeAll();
            root.setAll(copy);
            // Maps the variable created are its doing too: a problem reported at one of them names it.
            touched.forEach(path -> problems.origin(path, name));
        }
    }

    private static boolean walk(ObjectNode root, String name, List<String> segments, String value, Problems problems,
                                List<String> touched) {
        JsonNode container = root;
        Shape shape = TOP;
        String path = ConfigPath.TOP;
        for (int i = 0; i < segments.size(); i++) {
            String segment = segments.get(i);
            boolean last = i == segments.size() - 1;
            String key;
            Shape childShape;
            switch (shape) {
                case Fields f -> {
                    Optional<String> canonical = f.canonical(segment);
                    if (canonical.isEmpty()) {
                        List<String> allowed = List.copyOf(f.keys().keySet());
                        problems.addRaw(name + ": " + f.what() + " has no key '" + segment + "'"
                                + Keys.suggest(segment, allowed).map(s -> "; did you mean '" + s + "'?").orElse(";")
                                + " allowed: " + String.join(", ", allowed));
                        return false;
                    }
                    key = canonical.get();
                    childShape = f.keys().get(key);
                    if (shape == TOP && childShape instanceof Entries && !last) {
                        // servers and mcpServers hold the same kind of thing; a server is found in either.
                        ServerMatch m = server(root, segments.get(i + 1));
                        if (m.problem() != null) {
                            problems.addRaw(name + ": " + m.problem());
                            return false;
                        }
                        container = root.get(m.container());
                        key = m.server();
                        childShape = ((Entries) childShape).value();
                        path = ConfigPath.child(path, m.container());
                        i++;
                        last = i == segments.size() - 1;
                    }
                }
                case Entries e -> {
                    List<String> matches = matching(container, segment);
                    if (matches.size() > 1) {
                        problems.addRaw(name + ": '" + segment + "' matches more than one key of "
                                + ConfigPath.display(path) + ": " + String.join(", ", matches));
                        return false;
                    }
                    if (matches.isEmpty() && e.mustExist()) {
                        problems.addRaw(name + ": " + ConfigPath.display(path) + " has no entry matching '" + segment
                                + "'; an environment variable can change an entry the file has, not add one");
                        return false;
                    }
                    key = matches.isEmpty() ? segment : matches.get(0);
                    childShape = e.value();
                }
                case Free ignored -> {
                    List<String> matches = matching(container, segment);
                    key = matches.size() == 1 ? matches.get(0) : segment;
                    childShape = FREE;
                }
                case Items items -> {
                    int size = container.size();
                    if (!INDEX.matcher(segment).matches() || segment.length() > 6 || Integer.parseInt(segment) > size) {
                        problems.addRaw(name + ": " + ConfigPath.display(path) + " is a list; '" + segment
                                + "' must be an index from 0 to " + size + " (" + size + " appends)");
                        return false;
                    }
                    key = segment;
                    childShape = items.item();
                }
                case Leaf ignored -> {
                    problems.addRaw(name + ": " + ConfigPath.display(path) + " is a single value, it has no '"
                            + segment + "'");
                    return false;
                }
            }
            boolean list = container.isArray();
            String childPath = list ? ConfigPath.index(path, Integer.parseInt(key)) : ConfigPath.child(path, key);
            if (last) {
                Optional<JsonNode> v = valueNode(childShape, value, name, problems);
                if (v.isEmpty()) {
                    return false;
                }
                put(container, key, v.get());
                touched.add(childPath);
                return true;
            }
            if (childShape instanceof Leaf) {
                problems.addRaw(name + ": " + childPath + " is a single value, it has no '" + segments.get(i + 1) + "'");
                return false;
            }
            JsonNode child = list ? container.get(Integer.parseInt(key)) : container.get(key);
            boolean wantList = childShape instanceof Items;
            if (child == null || child.isNull()) {
                child = wantList ? root.arrayNode() : root.objectNode();
                put(container, key, child);
                touched.add(childPath);
            } else if (wantList ? !child.isArray() : !child.isObject()) {
                // The file's value may be a Redis URL with its password (cache.redis's short form).
                problems.addRaw(name + ": cannot set a value inside " + childPath + ", which the file gives as "
                        + SharedCacheSettings.redacted(ConfigNode.shown(child)) + ", not "
                        + (wantList ? "a list" : "a map"));
                return false;
            }
            container = child;
            shape = childShape;
            path = childPath;
        }
        return true;
    }

    private record ServerMatch(String container, String server, String problem) {
    }

    private static ServerMatch server(ObjectNode root, String segment) {
        List<String[]> found = new ArrayList<>();
        List<String> all = new ArrayList<>();
        for (String container : List.of("servers", "mcpServers")) {
            JsonNode c = root.get(container);
            if (c != null && c.isObject()) {
                c.fieldNames().forEachRemaining(all::add);
                matching(c, segment).forEach(s -> found.add(new String[] {container, s}));
            }
        }
        if (found.size() == 1) {
            return new ServerMatch(found.get(0)[0], found.get(0)[1], null);
        }
        if (found.isEmpty()) {
            return new ServerMatch(null, null, "no server matches '" + segment + "'; "
                    + (all.isEmpty() ? "the config has no servers" : "servers: " + String.join(", ", all)));
        }
        return new ServerMatch(null, null, "'" + segment + "' matches more than one server: "
                + String.join(", ", found.stream().map(f -> f[1]).toList()));
    }

    /** The keys of {@code map} a segment names: the exact key if there is one, else all equal when normalized. */
    private static List<String> matching(JsonNode map, String segment) {
        if (map.has(segment)) {
            return List.of(segment);
        }
        List<String> out = new ArrayList<>();
        map.fieldNames().forEachRemaining(k -> {
            if (Keys.normalize(k).equals(Keys.normalize(segment))) {
                out.add(k);
            }
        });
        return out;
    }

    /** A value as text, or, where a map or list belongs and the value looks like one, as that structure. */
    private static Optional<JsonNode> valueNode(Shape shape, String value, String name, Problems problems) {
        String v = value.strip();
        if (shape instanceof Leaf || !(v.startsWith("{") || v.startsWith("["))) {
            return Optional.of(new TextNode(value));
        }
        try {
            return Optional.of(STRUCTURE.readTree(v));
        } catch (JsonProcessingException e) {
            problems.addRaw(name + ": cannot read the value as a YAML/JSON " + (v.startsWith("{") ? "map" : "list")
                    + " (" + e.getOriginalMessage().lines().findFirst().orElse("") + "); got "
                    + ConfigNode.shown(new TextNode(value)));
            return Optional.empty();
        }
    }

    private static void put(JsonNode container, String key, JsonNode value) {
        if (container instanceof ArrayNode a) {
            int index = Integer.parseInt(key);
            if (index == a.size()) {
                a.add(value);
            } else {
                a.set(index, value);
            }
        } else {
            ((ObjectNode) container).set(key, value);
        }
    }
}
