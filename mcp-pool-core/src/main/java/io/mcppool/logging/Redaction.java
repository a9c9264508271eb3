package io.mcppool.logging;

import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks what looks like a secret in text that the pool shows in logs and traces.
 *
 * <p>The events name an endpoint by its label: the URL of a Streamable HTTP server, or the command
 * line of a stdio server. Both can carry secrets: {@code https://user:pw@host/mcp?api_key=...}, or
 * {@code server --token ghp_...}. Before a label or a failure message reaches a log line or a span,
 * the listeners in this package and in {@code io.mcppool.tracing} pass it through {@link #text}:
 * <ul>
 *   <li>the user info and the query of URLs are replaced by {@code ***}
 *       ({@code https://***@host/mcp?***});</li>
 *   <li>the value after a flag whose name mentions a token, secret, password, key, credential or auth
 *       ({@code --token X}, {@code --api-key=X}) becomes {@code ***};</li>
 *   <li>so does the value of an assignment to such a name ({@code GITHUB_TOKEN=X});</li>
 *   <li>{@code Bearer X} and {@code Basic X} become {@code Bearer ***};</li>
 *   <li>well-known token shapes (GitHub {@code ghp_}, OpenAI-style {@code sk-}, Slack {@code xox?-},
 *       AWS {@code AKIA}, Google {@code AIza}) become {@code ***}.</li>
 * </ul>
 * This is a safety net, not a guarantee: a secret passed as a bare positional argument cannot be
 * recognised. Header values and environment variables are never in a label; they must simply never
 * be logged, and nothing in these listeners logs a configuration.
 */
public final class Redaction {
    /** What replaces a secret. */
    public static final String MASK = "***";

    private static final Pattern URL = Pattern.compile("(?i)\\b(?:https?|wss?)://[^\\s'\"<>]+");
    private static final String SECRET_WORD =
            "(?:token|secret|passw(?:or)?d|pwd|api[-_]?key|apikey|access[-_]?key|private[-_]?key|credential|auth)";
    /** {@code --token X}, {@code --api-key=X}, {@code -password X}. */
    private static final Pattern FLAG = Pattern.compile(
            "(?i)(?<![\\w-])(--?[a-z0-9_.-]*" + SECRET_WORD + "[a-z0-9_.-]*)(=|\\s+)(?!-)([^\\s'\"]+)");
    /** {@code GITHUB_TOKEN=X}, {@code apiKey: X}. */
    private static final Pattern ASSIGNMENT = Pattern.compile(
            "(?i)(?<![\\w-])((?:[a-z_][a-z0-9_.]*)?" + SECRET_WORD + "[a-z0-9_.]*)(\\s*[=:]\\s*)([^\\s,;'\"}]+)");
    private static final Pattern SCHEME = Pattern.compile("(?i)\\b(bearer|basic|token)\\s+[A-Za-z0-9._~+/=-]{6,}");
    private static final Pattern SCHEME_WORD = Pattern.compile("(?i)bearer|basic|token");
    private static final Pattern KNOWN_TOKENS = Pattern.compile(
            "\\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|sk-[A-Za-z0-9_-]{16,}"
                    + "|xox[abprs]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30,})");

    private static final int CACHE_MAX = 1024;
    private static final ConcurrentHashMap<String, String> LABELS = new ConcurrentHashMap<>();

    private Redaction() {
    }

    /**
     * An endpoint label made safe to show. Labels are few and repeat on every call, so the answer is
     * cached (up to 1024 labels): on the hot path this is one map lookup.
     */
    public static String endpoint(String label) {
        if (label == null) {
            return null;
        }
        String cached = LABELS.get(label);
        if (cached != null) {
            return cached;
        }
        String safe = text(label);
        if (LABELS.size() < CACHE_MAX) {
            LABELS.putIfAbsent(label, safe);
        }
        return safe;
    }

    /** {@code text} with what looks like a secret replaced by {@value #MASK}. Null stays null. */
    public static String text(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String s = urls(text);
        s = SCHEME.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + " " + MASK));
        s = FLAG.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + m.group(2) + MASK));
        s = ASSIGNMENT.matcher(s).replaceAll(m -> Matcher.quoteReplacement(
                m.group(3).equals(MASK) || SCHEME_WORD.matcher(m.group(3)).matches() ? m.group() : m.group(1) + m.group(2) + MASK));
        s = KNOWN_TOKENS.matcher(s).replaceAll(MASK);
        return s;
    }

    private static String urls(String text) {
        Matcher m = URL.matcher(text);
        if (!m.find()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int last = 0;
        do {
            out.append(text, last, m.start()).append(url(m.group()));
            last = m.end();
        } while (m.find());
        return out.append(text, last, text.length()).toString();
    }

    /** One URL without its user info, query and fragment. */
    static String url(String url) {
        int schemeEnd = url.indexOf("://") + 3;
        int authorityEnd = schemeEnd;
        while (authorityEnd < url.length() && "/?#".indexOf(url.charAt(authorityEnd)) < 0) {
            authorityEnd++;
        }
        String authority = url.substring(schemeEnd, authorityEnd);
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            authority = MASK + "@" + authority.substring(at + 1);
        }
        String rest = url.substring(authorityEnd);
        int query = indexOfAny(rest, '?', '#');
        if (query >= 0) {
            rest = rest.substring(0, query) + (rest.charAt(query) == '?' ? "?" + MASK : "");
        }
        return url.substring(0, schemeEnd) + authority + rest;
    }

    private static int indexOfAny(String s, char a, char b) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == a || c == b) {
                return i;
            }
        }
        return -1;
    }
}
