package io.mcppool.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every problem found in one load, in the order found, so that one run shows all there is to fix.
 * A value set from the environment is a common source of confusion, so a problem inside a path an
 * environment variable set names that variable too.
 */
final class Problems {
    private final Set<String> problems = new LinkedHashSet<>();
    private final Map<String, String> origins = new LinkedHashMap<>();

    /** {@code path: whatIsWrong}, where {@code whatIsWrong} carries the "; got ...; allowed" parts. */
    void add(String path, String whatIsWrong) {
        problems.add(describe(path) + ": " + whatIsWrong);
    }

    /** A problem not about a path in the tree: a file, an environment variable. */
    void addRaw(String problem) {
        problems.add(problem);
    }

    /** Records that the environment variable {@code name} set the value at {@code path}. */
    void origin(String path, String name) {
        origins.remove(path);
        origins.put(path, name);
    }

    /** The path, followed by the environment variable that set it, if one did. */
    String describe(String path) {
        String origin = origin(path);
        String shown = ConfigPath.display(path);
        return origin == null ? shown : shown + " (from " + origin + ")";
    }

    /** Whether an environment variable set the value at {@code path} (or a map or list around it). */
    boolean fromEnvironment(String path) {
        return origin(path) != null;
    }

    /** The environment variables that set values at {@code path} or inside it. */
    Set<String> originsWithin(String path) {
        Set<String> names = new LinkedHashSet<>();
        for (Map.Entry<String, String> e : origins.entrySet()) {
            if (ConfigPath.within(e.getKey(), path) || ConfigPath.within(path, e.getKey())) {
                names.add(e.getValue());
            }
        }
        return names;
    }

    private String origin(String path) {
        String origin = null;
        for (Map.Entry<String, String> e : origins.entrySet()) {
            // The last match wins: later overrides replaced earlier ones.
            if (ConfigPath.within(path, e.getKey())) {
                origin = e.getValue();
            }
        }
        return origin;
    }

    int count() {
        return problems.size();
    }

    boolean isEmpty() {
        return problems.isEmpty();
    }

    List<String> list() {
        return new ArrayList<>(problems);
    }
}
