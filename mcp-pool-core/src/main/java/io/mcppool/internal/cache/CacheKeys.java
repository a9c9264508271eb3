package io.mcppool.internal.cache;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.POJONode;
import io.mcppool.protocol.Json;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;

/**
 * The cache key of a call: arguments in a canonical JSON form, so that calls a server cannot tell apart share
 * one entry whatever order the caller put the keys in or however it wrote a number; and the shared cache's
 * Redis key, laid out so that a server's or a tool's entries can be found by pattern.
 */
final class CacheKeys {
    /** The scope of tools configured {@code shared}: one entry for every client. */
    static final String SHARED = "shared";
    /** The scope of calls that name none (a library pool's own callers). */
    static final String POOL = "pool";
    private static final String CLIENT = "client=";

    /** Below this magnitude every integral double is exactly a long. */
    private static final double EXACT_LONG = 0x1p53;

    private CacheKeys() {
    }

    /** The scope part of a key: shared, the caller's scope, or the pool's own. */
    static String scope(boolean shared, String cacheScope) {
        if (shared) {
            return SHARED;
        }
        return cacheScope == null ? POOL : CLIENT + cacheScope;
    }

    /**
     * {@code arguments} as JSON text with the keys of every object sorted, arrays in their order, and every number
     * in one form per value: 1, 1.0, 1e0 and 1.00 are all {@code 1}; 0.5 and 5e-1 are {@code 0.5}.
     */
    static String canonical(JsonNode arguments) {
        StringBuilder sb = new StringBuilder(64);
        write(arguments, sb);
        return sb.toString();
    }

    private static void write(JsonNode node, StringBuilder sb) {
        if (node == null) {
            sb.append("null");
            return;
        }
        switch (node.getNodeType()) {
            case OBJECT -> {
                List<String> names = new ArrayList<>(node.size());
                for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                    names.add(it.next());
                }
                Collections.sort(names);
                sb.append('{');
                for (int i = 0; i < names.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    quote(names.get(i), sb);
                    sb.append(':');
                    write(node.get(names.get(i)), sb);
                }
                sb.append('}');
            }
            case ARRAY -> {
                sb.append('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    write(node.get(i), sb);
                }
                sb.append(']');
            }
            case NUMBER -> number(node, sb);
            case STRING, BINARY -> quote(node.asText(), sb);
            case BOOLEAN -> sb.append(node.booleanValue());
            case POJO -> write(Json.toTree(((POJONode) node).getPojo()), sb);
            case NULL, MISSING -> sb.append("null");
        }
    }

    static void number(JsonNode node, StringBuilder sb) {
        if (node.isInt() || node.isLong() || node.isShort()) {
            sb.append(node.longValue());
            return;
        }
        if (node.isDouble() || node.isFloat()) {
            double d = node.doubleValue();
            if (!Double.isFinite(d)) {
                sb.append(d); // NaN, Infinity: not JSON, but unambiguous (strings are quoted)
                return;
            }
            if (d == Math.rint(d) && Math.abs(d) < EXACT_LONG) {
                sb.append((long) d); // the common case without a BigDecimal
                return;
            }
            // A float's shortest decimal form is its own, not its double's (0.1f is not 0.10000000149...).
            decimal(node.isFloat() ? new BigDecimal(Float.toString(node.floatValue())) : BigDecimal.valueOf(d), sb);
            return;
        }
        decimal(node.decimalValue(), sb); // BigInteger, BigDecimal
    }

    private static void decimal(BigDecimal value, StringBuilder sb) {
        BigDecimal v = value.stripTrailingZeros();
        // Whole numbers in plain digits (1E+2 is 100, as a long would print it); others in BigDecimal's one form
        // for a stripped value, which keeps 1e-300 short.
        sb.append(v.scale() <= 0 ? v.toPlainString() : v.toString());
    }

    private static void quote(String s, StringBuilder sb) {
        sb.append('"');
        JsonStringEncoder.getInstance().quoteAsString(s, sb);
        sb.append('"');
    }

    // ------------------------------------------------------------------ the shared cache's keys

    /** {@code prefix + server + ":" + tool + ":" + scope + ":" + sha256(arguments)}, each part {@link #part escaped}. */
    static String redisKey(String prefix, CacheKey key) {
        return prefix + part(key.server()) + ':' + part(key.tool()) + ':' + part(key.scope()) + ':'
                + sha256(key.arguments());
    }

    /** The SCAN pattern of every key under {@code prefix}, of one server, or of one tool (null: any). */
    static String pattern(String prefix, String server, String tool) {
        StringBuilder sb = new StringBuilder(glob(prefix));
        if (server != null) {
            sb.append(glob(part(server))).append(':');
            if (tool != null) {
                sb.append(glob(part(tool))).append(':');
            }
        }
        return sb.append('*').toString();
    }

    /**
     * A name as one part of a key: {@code %} and {@code :} percent-encoded, so that a server or tool name with a
     * colon cannot make one server's pattern match another's keys.
     */
    static String part(String s) {
        if (s.indexOf(':') < 0 && s.indexOf('%') < 0) {
            return s;
        }
        return s.replace("%", "%25").replace(":", "%3A");
    }

    /** {@code s} with the glob characters of Redis patterns escaped, so it matches only itself. */
    static String glob(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
