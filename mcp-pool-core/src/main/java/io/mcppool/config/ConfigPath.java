package io.mcppool.config;

import com.fasterxml.jackson.databind.node.TextNode;
import java.util.regex.Pattern;

/** Paths into the config tree as problems show them: {@code servers.files.pool.maxSessions}, {@code args[2]}. */
final class ConfigPath {
    static final String TOP = "";

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_-]+");

    private ConfigPath() {
    }

    static String child(String parent, String key) {
        // Keys such as "my server" or "a.b" would make a dotted path ambiguous, so they are quoted.
        String segment = PLAIN.matcher(key).matches() ? key : "[" + new TextNode(key) + "]";
        if (parent.isEmpty()) {
            return segment.startsWith("[") ? segment : key;
        }
        return segment.startsWith("[") ? parent + segment : parent + "." + segment;
    }

    static String index(String parent, int index) {
        return parent + "[" + index + "]";
    }

    /** Whether {@code path} is {@code ancestor} or lies inside it. */
    static boolean within(String path, String ancestor) {
        return path.equals(ancestor) || path.startsWith(ancestor + ".") || path.startsWith(ancestor + "[");
    }

    static String display(String path) {
        return path.isEmpty() ? "(top level)" : path;
    }
}
