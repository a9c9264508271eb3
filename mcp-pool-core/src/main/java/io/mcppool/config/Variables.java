package io.mcppool.config;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code ${VAR}} and {@code ${VAR:-default}} in string values, taken from the environment given to the loader.
 * <code>$${</code> writes a literal <code>${</code>. A bare {@code $VAR} is left alone, so shell snippets in args survive.
 */
final class Variables {
    static final String JAVA = "MCP_POOL_JAVA";
    static final String CLASSPATH = "MCP_POOL_CLASSPATH";

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    /**
     * How deep defaults may hold references ({@code ${A:-${B:-x}}} is 2 deep). Real files nest two or three; each
     * level is a recursion here and a scan of the rest of the text, so without a bound a long enough value would
     * end the load with a StackOverflowError instead of a message.
     */
    static final int MAX_NESTING = 10;

    private final Map<String, String> values;

    Variables(Map<String, String> env) {
        values = new HashMap<>();
        // Built-ins let a config start a server on the very JVM (and classpath) that runs the pool,
        // which is how the built-in test servers are launched; a caller's own value still wins.
        values.put(JAVA, runningJava());
        values.put(CLASSPATH, System.getProperty("java.class.path", ""));
        values.putAll(env);
    }

    private static String runningJava() {
        return ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** {@code text} with every reference replaced; a {@link BadValue} names what could not be. */
    String expand(String text) {
        if (text.indexOf('$') < 0) {
            return text;
        }
        Set<String> missing = new LinkedHashSet<>();
        String out = expand(text, missing, 0);
        if (!missing.isEmpty()) {
            String names = String.join(", ", missing);
            String first = missing.iterator().next();
            throw new BadValue((missing.size() == 1 ? "environment variable " + names + " is not set"
                    : "environment variables " + names + " are not set"),
                    "set it, or give a default: ${" + first + ":-value}");
        }
        return out;
    }

    private String expand(String text, Set<String> missing, int depth) {
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '$' && text.startsWith("$${", i)) {
                out.append("${");
                i += 3;
            } else if (c == '$' && text.startsWith("${", i)) {
                int end = closingBrace(text, i + 2);
                if (end < 0) {
                    throw new BadValue("has a ${ without its closing }", "write ${NAME} or ${NAME:-default}; $${ for a literal ${");
                }
                if (depth == MAX_NESTING) {
                    throw new BadValue("has ${…} references nested more than " + MAX_NESTING + " deep",
                            "nest defaults at most " + MAX_NESTING + " deep: ${A:-${B:-value}}");
                }
                out.append(resolve(text.substring(i + 2, end), missing, depth + 1));
                i = end + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private String resolve(String body, Set<String> missing, int depth) {
        int sep = body.indexOf(":-");
        String name = sep < 0 ? body : body.substring(0, sep);
        if (!NAME.matcher(name).matches()) {
            throw new BadValue("has ${" + body + "}, which does not name a variable",
                    "write ${NAME} or ${NAME:-default} with letters, digits and _ in NAME");
        }
        String value = values.get(name);
        if (sep >= 0 && (value == null || value.isEmpty())) {
            return expand(body.substring(sep + 2), missing, depth);
        }
        if (value == null) {
            missing.add(name);
            return "";
        }
        return value;
    }

    /**
     * The names {@code text} refers to, defaults' references included ({@code ${A:-${B}}} names A and B), without
     * expanding anything. A malformed reference ends the scan: it is reported where the value is read.
     */
    static Set<String> references(String text) {
        Set<String> names = new LinkedHashSet<>();
        collect(text, names);
        return names;
    }

    private static void collect(String text, Set<String> names) {
        int i = 0;
        while (i < text.length()) {
            if (text.startsWith("$${", i)) {
                i += 3;
            } else if (text.startsWith("${", i)) {
                int end = closingBrace(text, i + 2);
                if (end < 0) {
                    return;
                }
                String body = text.substring(i + 2, end);
                int sep = body.indexOf(":-");
                String name = sep < 0 ? body : body.substring(0, sep);
                if (NAME.matcher(name).matches()) {
                    names.add(name);
                }
                if (sep >= 0) {
                    collect(body.substring(sep + 2), names);
                }
                i = end + 1;
            } else {
                i++;
            }
        }
    }

    /** Index of the brace closing a reference whose body starts at {@code from}, allowing nested references. */
    private static int closingBrace(String text, int from) {
        int depth = 0;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '{') {
                depth++;
            } else if (c == '}') {
                if (depth == 0) {
                    return i;
                }
                depth--;
            }
        }
        return -1;
    }
}
