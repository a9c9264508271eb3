package io.mcppool.gateway.auth;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What one client may use: a list of patterns over aggregate names ({@code files__read_file}), where
 * {@code *} matches any run of characters (also none) and every other character stands for itself. A tool or
 * prompt is visible and callable when its aggregate name matches a pattern.
 *
 * <p>A server's resources carry no aggregate name, so they follow the server's tools: they may be listed and
 * read when a pattern covers <em>every</em> name the server could give, {@code <prefix><separator>*} (the
 * pattern ends with {@code *} and matches {@code <prefix><separator>}: {@code *}, {@code files__*},
 * {@code fi*}), or when a pattern is exactly the server's configured name ({@code files}). A pattern that
 * names some of a server's tools ({@code files__read_*}) does not open its resources.
 *
 * <p>Nothing matches an empty list: a client sees nothing it is not allowed. The patterns are compiled once;
 * a check allocates nothing, because it runs for every tool of every {@code tools/list}.
 */
public final class AccessPolicy {
    public static final AccessPolicy ALL = of(List.of("*"));
    public static final AccessPolicy NONE = of(List.of());

    private final List<String> patterns;
    private final boolean allowsEverything;
    /** Patterns without {@code *}: one hash lookup instead of a scan. */
    private final Set<String> exactNames;
    private final Glob[] globs;

    private AccessPolicy(List<String> patterns) {
        this.patterns = List.copyOf(patterns);
        Set<String> exact = new HashSet<>();
        List<Glob> wild = new ArrayList<>();
        boolean everything = false;
        for (String pattern : this.patterns) {
            if (pattern.indexOf('*') < 0) {
                exact.add(pattern);
            } else {
                Glob glob = Glob.compile(pattern);
                everything |= glob.matchesEverything();
                wild.add(glob);
            }
        }
        this.allowsEverything = everything;
        this.exactNames = Set.copyOf(exact);
        this.globs = wild.toArray(Glob[]::new);
    }

    public static AccessPolicy of(List<String> patterns) {
        return new AccessPolicy(patterns);
    }

    public List<String> patterns() {
        return patterns;
    }

    /** Whether the tool or prompt with this aggregate name may be listed and used. */
    public boolean allows(String aggregateName) {
        if (allowsEverything || exactNames.contains(aggregateName)) {
            return true;
        }
        for (Glob glob : globs) {
            if (glob.matches(aggregateName)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the server's resources may be listed and read: {@code prefixWithSeparator} is the server's
     * {@code <prefix><separator>} ("" for a server without prefix), {@code server} its configured name. True when
     * a pattern is the server's name, or matches every {@code prefixWithSeparator + anything} (see the class
     * comment).
     */
    public boolean allowsResourcesOf(String server, String prefixWithSeparator) {
        if (allowsEverything || exactNames.contains(server)) {
            return true;
        }
        for (Glob glob : globs) {
            // a pattern ending in '*' that matches the prefix matches the prefix followed by anything;
            // one ending in a literal cannot match every continuation
            if (glob.endsWithStar() && glob.matches(prefixWithSeparator)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AccessPolicy other && patterns.equals(other.patterns);
    }

    @Override
    public int hashCode() {
        return patterns.hashCode();
    }

    @Override
    public String toString() {
        return "AccessPolicy" + patterns;
    }

    /**
     * A pattern with at least one {@code *}, split at its stars: {@code a*b*c} is the literals
     * {@code [a, b, c]}. With only {@code *} as a wildcard, greedy leftmost matching of the middle literals is
     * exact, so no backtracking is needed.
     */
    private static final class Glob {
        private final String head;
        private final String[] middle;
        private final String tail;

        private Glob(String head, String[] middle, String tail) {
            this.head = head;
            this.middle = middle;
            this.tail = tail;
        }

        static Glob compile(String pattern) {
            int first = pattern.indexOf('*');
            int last = pattern.lastIndexOf('*');
            List<String> middle = new ArrayList<>();
            int from = first + 1;
            while (from <= last) {
                int next = pattern.indexOf('*', from);
                if (next > from) {
                    middle.add(pattern.substring(from, next));
                }
                from = next + 1;
            }
            return new Glob(pattern.substring(0, first), middle.toArray(String[]::new), pattern.substring(last + 1));
        }

        boolean matchesEverything() {
            return head.isEmpty() && middle.length == 0 && tail.isEmpty();
        }

        boolean endsWithStar() {
            return tail.isEmpty();
        }

        boolean matches(String name) {
            if (name.length() < head.length() + tail.length() || !name.startsWith(head) || !name.endsWith(tail)) {
                return false;
            }
            int at = head.length();
            int end = name.length() - tail.length();
            for (String literal : middle) {
                int found = name.indexOf(literal, at);
                if (found < 0 || found + literal.length() > end) {
                    return false;
                }
                at = found + literal.length();
            }
            return true;
        }
    }
}
