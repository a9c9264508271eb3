package io.mcppool.internal.catalog;

import java.util.regex.Pattern;

/**
 * A resource template as a matcher of concrete URIs. RFC 6570 level 1 ({@code {var}}) is matched exactly: a
 * variable stands for one or more characters that simple string expansion can produce, so none of the
 * reserved characters ({@code :/?#[]@!$&'()*+,;=}) and any percent-encoded one. From the first expression
 * that is not level 1 (an operator such as {@code {+path}} or {@code {/seg*}}, a modifier, a list of
 * variables, or an unclosed brace) on, anything matches: such a template is matched on what comes before.
 */
final class UriTemplate {
    /** What one level-1 variable may expand to. */
    private static final String VARIABLE = "[^:/?#\\[\\]@!$&'()*+,;=]+";

    private final String template;
    /** The literal text before the first expression: a cheap test before the pattern runs. */
    private final String literalPrefix;
    private final Pattern pattern;
    /** Whether the pattern must match the whole URI, or only its start (the template has a higher-level expression). */
    private final boolean whole;

    private UriTemplate(String template, String literalPrefix, Pattern pattern, boolean whole) {
        this.template = template;
        this.literalPrefix = literalPrefix;
        this.pattern = pattern;
        this.whole = whole;
    }

    static UriTemplate compile(String template) {
        StringBuilder regex = new StringBuilder();
        String literalPrefix = null;
        boolean whole = true;
        int i = 0;
        while (i < template.length()) {
            int open = template.indexOf('{', i);
            String literal = open < 0 ? template.substring(i) : template.substring(i, open);
            if (!literal.isEmpty()) {
                regex.append(Pattern.quote(literal));
            }
            if (literalPrefix == null) {
                literalPrefix = literal;
            }
            if (open < 0) {
                break;
            }
            int close = template.indexOf('}', open + 1);
            if (close < 0 || !isLevelOne(template, open + 1, close)) {
                whole = false;
                break;
            }
            regex.append(VARIABLE);
            i = close + 1;
        }
        return new UriTemplate(template, literalPrefix == null ? "" : literalPrefix, Pattern.compile(regex.toString()),
                whole);
    }

    /** A variable name alone: letters, digits, {@code _}, dots between them and percent-encoded octets. */
    private static boolean isLevelOne(String s, int from, int to) {
        if (from == to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            boolean nameChar = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
                    || c == '%' || c == '.' && i > from && i < to - 1;
            if (!nameChar) {
                return false;
            }
        }
        return true;
    }

    boolean matches(String uri) {
        if (!uri.startsWith(literalPrefix)) {
            return false;
        }
        var m = pattern.matcher(uri);
        return whole ? m.matches() : m.lookingAt();
    }

    String template() {
        return template;
    }

    @Override
    public String toString() {
        return template;
    }
}
