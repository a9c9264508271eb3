package io.mcppool.config;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks what looks like a secret in text that the pool shows: logs, traces, the gateway's status report and page,
 * metric labels, the CLI's output, config problems. This class is the one place that decides what a secret
 * looks like; everything that shows a label or a message passes it through here.
 *
 * <p>The events name an endpoint by its label: the URL of a Streamable HTTP server, or the command
 * line of a stdio server. Both can carry secrets: {@code https://user:pw@host/mcp?api_key=...},
 * {@code mysql://root:pw@db/app}, or {@code server --token ghp_...}. {@link #text} masks:
 * <ul>
 *   <li>the user info and the query of URLs of any scheme are replaced by {@code ***}
 *       ({@code https://***@host/mcp?***}, {@code mysql://***@db/app});</li>
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
 *
 * <p>Text is redacted <em>before</em> it is shortened ({@link #shorten}, {@link #args}): a cut through
 * {@code mysql://root:pw@db} would leave {@code mysql://root:p}, which no longer looks like a URL with a
 * password, and would show the start of the password.
 */
public final class Redaction {
    /** What replaces a secret. */
    public static final String MASK = "***";
    /** What marks a cut. */
    public static final String ELLIPSIS = "...";

    /** A URL of any scheme ({@code mysql://}, {@code mongodb+srv://}, {@code jdbc:postgresql://} from its second part). */
    private static final Pattern URL = Pattern.compile("(?i)\\b[a-z][a-z0-9+.-]*://[^\\s'\"<>]+");
    private static final String SECRET_WORD =
            "(?:token|secret|passw(?:or)?d|pwd|api[-_]?key|apikey|access[-_]?key|private[-_]?key|credential|auth)";
    private static final String ASSIGNED_WORD =
            "(?:token|secret|passw(?:or)?d|pwd|api[-_]?key|apikey|access[-_]?key|private[-_]?key|credential|auth[-_]?token)";
    /** {@code --token X}, {@code --api-key=X}, {@code -password X}. */
    private static final Pattern FLAG = Pattern.compile(
            "(?i)(?<![\\w-])(--?[a-z0-9_.-]*" + SECRET_WORD + "[a-z0-9_.-]*)(=|\\s+)(?!-)([^\\s'\"]+)");
    /** {@code GITHUB_TOKEN=X}, {@code spring.datasource.password=X}. */
    private static final Pattern ASSIGNMENT = Pattern.compile(
            "(?i)(?<![\\w-])((?:[a-z_][a-z0-9_.]*)?" + SECRET_WORD + "[a-z0-9_.]*)(\\s*=\\s*)([^\\s,;'\"}]+)");
    /**
     * {@code apiKey: X}, {@code password: X}. Not a dotted path ({@code gateway.auth.jwt.secret: must be ...} is a
     * config problem, not a secret) and not the bare word {@code auth} ({@code needs auth: add ...}).
     */
    private static final Pattern COLON_ASSIGNMENT = Pattern.compile(
            "(?i)(?<![\\w.-])((?:[a-z_][a-z0-9_]*)?" + ASSIGNED_WORD + "[a-z0-9_]*)(?![\\w.])(\\s*:\\s*)([^\\s,;'\"}]+)");
    /** A flag whose value is the next argument: {@code --password}, {@code -api-key}. */
    private static final Pattern SECRET_FLAG = Pattern.compile(
            "(?i)--?[a-z0-9_.-]*" + SECRET_WORD + "[a-z0-9_.-]*");
    private static final Pattern SCHEME = Pattern.compile("(?i)\\b(bearer|basic|token)\\s+[A-Za-z0-9._~+/=-]{6,}");
    private static final Pattern SCHEME_WORD = Pattern.compile("(?i)bearer|basic|token");
    private static final Pattern KNOWN_TOKENS = Pattern.compile(
            "\\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|sk-[A-Za-z0-9_-]{16,}"
                    + "|xox[abprs]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30,})");

    private static final String TRAILING = ")]},;:.!";
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
        for (Pattern assignment : List.of(ASSIGNMENT, COLON_ASSIGNMENT)) {
            s = assignment.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(3).equals(MASK)
                    || SCHEME_WORD.matcher(m.group(3)).matches() ? m.group() : m.group(1) + m.group(2) + MASK));
        }
        s = KNOWN_TOKENS.matcher(s).replaceAll(MASK);
        return s;
    }

    /**
     * A command's arguments, each made safe to show: {@link #text} of each, and the argument after a flag that names
     * a secret ({@code --password}, then {@code hunter2}) masked whole, which {@link #text} of one argument cannot see.
     */
    public static List<String> args(List<String> args) {
        List<String> out = new ArrayList<>(args.size());
        boolean valueOfSecretFlag = false;
        for (String arg : args) {
            if (valueOfSecretFlag && !arg.startsWith("-")) {
                out.add(MASK);
                valueOfSecretFlag = false;
                continue;
            }
            out.add(text(arg));
            valueOfSecretFlag = SECRET_FLAG.matcher(arg).matches();
        }
        return out;
    }

    /**
     * {@code text} redacted and then cut to at most {@code max} characters (an ellipsis marks a cut). A very long
     * text is first cut, without regard to secrets, to a few times {@code max} at a word boundary (what is cut
     * away is never shown, and a word is never split before it is redacted), so redacting stays cheap.
     */
    public static String shorten(String text, int max) {
        if (text == null) {
            return null;
        }
        String s = text(cutAtWord(text, Math.max(max * 4, 256)));
        return s.length() <= max ? s : s.substring(0, Math.max(0, max - ELLIPSIS.length())) + ELLIPSIS;
    }

    /**
     * {@code text} cut to at most {@code max} characters (and an ellipsis), not redacted: at the last whitespace
     * before the cut, so no word (no URL, no flag value) is split before it is redacted. Text without whitespace
     * is cut where it must be: {@link #shorten} shows at most a quarter of it, far from that cut.
     */
    public static String cutAtWord(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        int end = max;
        while (end > 0 && !Character.isWhitespace(text.charAt(end))) {
            end--;
        }
        return text.substring(0, end > 0 ? end : max) + ELLIPSIS;
    }

    private static String urls(String text) {
        Matcher m = URL.matcher(text);
        if (!m.find()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int last = 0;
        do {
            // Punctuation that ends the token ("(https://h/mcp?k=v):") belongs to the text around the URL.
            String u = m.group();
            int end = u.length();
            while (end > 0 && TRAILING.indexOf(u.charAt(end - 1)) >= 0) {
                end--;
            }
            out.append(text, last, m.start()).append(url(u.substring(0, end))).append(u, end, u.length());
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
        int firstAt = url.indexOf('@', schemeEnd);
        if (url.lastIndexOf('@', authorityEnd - 1) < schemeEnd && firstAt > 0
                && url.substring(schemeEnd, firstAt).indexOf(':') >= 0) {
            // A password with an unescaped / ? or # in it (mysql://root:pa/ss@db): the user info runs to the '@'.
            authorityEnd = firstAt + 1;
            while (authorityEnd < url.length() && "/?#".indexOf(url.charAt(authorityEnd)) < 0) {
                authorityEnd++;
            }
        }
        String authority = url.substring(schemeEnd, authorityEnd);
        int at = authority.lastIndexOf('@');
        if (at >= 0 && !authority.substring(0, at).contains(MASK)) { // masked already: redis://:***@host stays
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
