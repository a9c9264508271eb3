package io.mcppool.gateway.auth;

import java.util.List;

/**
 * What one client may use: a list of patterns over aggregate names ({@code files__read_file}), where
 * {@code *} matches any run of characters. A tool or prompt is visible and callable when its aggregate name
 * matches a pattern; a server's resources when {@code <prefix><separator>*} (or a wider pattern) is allowed.
 * Nothing matches an empty list: a client sees nothing it is not allowed.
 */
public final class AccessPolicy {
    public static final AccessPolicy ALL = of(List.of("*"));
    public static final AccessPolicy NONE = of(List.of());

    private final List<String> patterns;

    private AccessPolicy(List<String> patterns) {
        this.patterns = List.copyOf(patterns);
    }

    public static AccessPolicy of(List<String> patterns) {
        return new AccessPolicy(patterns);
    }

    public List<String> patterns() {
        return patterns;
    }

    /** Whether the tool or prompt with this aggregate name may be listed and used. */
    public boolean allows(String aggregateName) {
        throw new UnsupportedOperationException("to be written");
    }

    /**
     * Whether the server's resources may be listed and read: {@code prefixWithSeparator} is the server's
     * {@code <prefix><separator>} ("" for a server without prefix), {@code server} its configured name.
     */
    public boolean allowsResourcesOf(String server, String prefixWithSeparator) {
        throw new UnsupportedOperationException("to be written");
    }
}
