package io.mcppool.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The environment a stdio server starts with. Not the parent's whole environment: a gateway's environment holds
 * its own credentials (the JWT secret, the operators' API keys) and whatever else its host put there, and any
 * stdio server a client can reach may show its environment to that client (the reference server's
 * {@code get-env} tool does). So a child gets, in this order, each overriding the one before:
 * <ol>
 *   <li>the parent's values of {@link #DEFAULT_INHERITED} (what a program needs to find its files, user, terminal,
 *       locale and time zone);</li>
 *   <li>the parent's variables its {@code inheritEnv} opts in: a name ({@code GITHUB_TOKEN}), a prefix pattern
 *       ({@code AWS_*}) or {@code *} (everything);</li>
 *   <li>its own {@code env:} block.</li>
 * </ol>
 * A variable the gateway's own credentials come from ({@link EndpointConfig.Stdio#withheld()}) is never passed by
 * the default list or a pattern, only when {@code inheritEnv} names it exactly (the config loader warns then).
 * Values that start with {@code ()} (a shell's exported functions) are passed only when named exactly too.
 */
public final class ChildEnvironment {
    /** What every stdio server inherits unless withheld: docs/configuration.md, {@code servers.NAME.inheritEnv}. */
    public static final List<String> DEFAULT_INHERITED = isWindows()
            ? List.of("PATH", "PATHEXT", "SYSTEMROOT", "SYSTEMDRIVE", "COMSPEC", "TEMP", "TMP", "USERPROFILE", "USERNAME",
                    "HOMEDRIVE", "HOMEPATH", "APPDATA", "LOCALAPPDATA", "PROGRAMFILES", "PROCESSOR_ARCHITECTURE")
            : List.of("HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR");

    private static final Pattern ENTRY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*\\*?|\\*");

    private ChildEnvironment() {
    }

    /** Whether {@code entry} is an {@code inheritEnv} entry: a variable name, or a name prefix followed by {@code *}. */
    public static boolean isEntry(String entry) {
        return entry != null && ENTRY.matcher(entry).matches();
    }

    /** The whole environment of a child started with {@code config} by a process whose environment is {@code parent}. */
    public static Map<String, String> of(EndpointConfig.Stdio config, Map<String, String> parent) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : DEFAULT_INHERITED) {
            String value = parent.get(name);
            if (passable(name, value, config)) {
                out.put(name, value);
            }
        }
        for (String entry : config.inheritEnv()) {
            if (!entry.endsWith("*")) {
                String value = parent.get(entry);
                if (value != null) {
                    out.put(entry, value); // named exactly: the operator's explicit choice, withheld or not
                }
                continue;
            }
            String prefix = entry.substring(0, entry.length() - 1);
            parent.forEach((name, value) -> {
                if (name.startsWith(prefix) && passable(name, value, config)) {
                    out.put(name, value);
                }
            });
        }
        out.putAll(config.env());
        return out;
    }

    private static boolean passable(String name, String value, EndpointConfig.Stdio config) {
        return value != null && !value.startsWith("()") && !config.withheld().contains(name);
    }

    private static boolean isWindows() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    }
}
