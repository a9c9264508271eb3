package io.mcppool.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One place in the config tree, read with its path in hand. Each typed read returns empty both when the
 * value is absent and when it is wrong; in the second case it has already recorded a problem
 * ({@code path: what is wrong; got value; what is allowed}) and the caller carries on, so one load reports
 * every problem. YAML, TOML, JSON and environment variables type the same value differently, so every
 * read starts from the scalar's text: {@code 4}, {@code "4"} and {@code 4} from an env var all read as 4.
 */
final class ConfigNode {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);
    private static final Pattern WHOLE = Pattern.compile("[+-]?\\d+");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?");
    private static final int SHOWN_MAX = 120;

    private final JsonNode value;
    private final String path;
    private final Problems problems;
    private final Variables variables;

    ConfigNode(JsonNode value, String path, Problems problems, Variables variables) {
        this.value = value;
        this.path = path;
        this.problems = problems;
        this.variables = variables;
    }

    String path() {
        return path;
    }

    /** Absent and explicit null ({@code key:} in YAML) mean the same: not set here. */
    boolean absent() {
        return value == null || value.isMissingNode() || value.isNull();
    }

    boolean isMap() {
        return value != null && value.isObject();
    }

    boolean isList() {
        return value != null && value.isArray();
    }

    ConfigNode field(String key) {
        return new ConfigNode(isMap() ? value.get(key) : null, ConfigPath.child(path, key), problems, variables);
    }

    boolean has(String key) {
        return !field(key).absent();
    }

    /** The entries of a map in file order; if this is not a map, records that it must be {@code what}. */
    Map<String, ConfigNode> entries(String what) {
        Map<String, ConfigNode> out = new LinkedHashMap<>();
        if (absent()) {
            return out;
        }
        if (!isMap()) {
            problem(what);
            return out;
        }
        for (Iterator<String> it = value.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            out.put(key, field(key));
        }
        return out;
    }

    /** The elements of a list; if this is not a list, records that it must be {@code what}. */
    Optional<List<ConfigNode>> elements(String what) {
        if (absent()) {
            return Optional.empty();
        }
        if (!value.isArray()) {
            problem(what);
            return Optional.empty();
        }
        List<ConfigNode> out = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            out.add(new ConfigNode(value.get(i), ConfigPath.index(path, i), problems, variables));
        }
        return Optional.of(out);
    }

    /**
     * Records a problem for every key of this map that {@code keys} does not allow: unknown keys with the
     * closest allowed one, keys reserved for a later version, keys known to belong elsewhere.
     */
    void checkKeys(Keys.KeySet keys) {
        if (!isMap()) {
            return;
        }
        for (Iterator<String> it = value.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            String at = ConfigPath.child(path, key);
            if (keys.allowed().contains(key)) {
                continue;
            }
            if (keys.later().contains(key)) {
                problems.add(at, "not supported by this version of mcp-pool yet");
            } else if (keys.ignored().contains(key)) {
                LOG.debug("{}: ignored; '{}' is a setting of MCP hosts that means nothing to a pool", at, key);
            } else if (keys.refused().containsKey(Keys.normalize(key))) {
                problems.add(at, keys.refused().get(Keys.normalize(key)));
            } else {
                Optional<String> near = Keys.suggest(key, keys.allowed());
                if (near.isEmpty() && keys.moved().containsKey(Keys.normalize(key))) {
                    near = Optional.of(keys.moved().get(Keys.normalize(key)));
                }
                problems.add(at, "unknown key" + near.map(n -> "; did you mean '" + n + "'?").orElse(";")
                        + " allowed: " + String.join(", ", keys.allowed()));
            }
        }
    }

    // ---- typed reads -------------------------------------------------------------------------------------

    /** The value as text, variables expanded; numbers and booleans are accepted as their text. */
    Optional<String> string() {
        return scalar("must be a string").map(Scalar::text);
    }

    /** Like {@link #string()}, but blank text is a problem too. */
    Optional<String> nonBlankString() {
        Optional<Scalar> s = scalar("must be a string");
        if (s.isPresent() && s.get().text().isBlank()) {
            problem("must not be empty", s.get());
            return Optional.empty();
        }
        return s.map(Scalar::text);
    }

    Optional<Integer> integer(int min, int max) {
        String rule = "must be a whole number from " + min + " to " + max;
        Optional<Scalar> s = scalar(rule);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        return whole(s.get().text().strip(), s.get(), rule, null, min, max);
    }

    /** {@code text} as a whole number from {@code min} to {@code max}; otherwise the rule (and hint, if malformed). */
    private Optional<Integer> whole(String text, Scalar s, String rule, String hint, int min, int max) {
        if (!WHOLE.matcher(text).matches()) {
            problem(rule, s, hint);
            return Optional.empty();
        }
        BigInteger n = new BigInteger(text);
        if (n.compareTo(BigInteger.valueOf(min)) < 0 || n.compareTo(BigInteger.valueOf(max)) > 0) {
            problem(rule, s);
            return Optional.empty();
        }
        return Optional.of(n.intValueExact());
    }

    Optional<Boolean> bool() {
        Optional<Scalar> s = scalar("must be true or false");
        if (s.isEmpty()) {
            return Optional.empty();
        }
        String text = s.get().text().strip().toLowerCase(Locale.ROOT);
        if (text.equals("true") || text.equals("false")) {
            return Optional.of(text.equals("true"));
        }
        problem("must be true or false", s.get());
        return Optional.empty();
    }

    /** A duration; zero is allowed only where the field says zero disables it. */
    Optional<Duration> duration(boolean zeroAllowed) {
        Optional<Scalar> s = scalar(Durations.LIKE);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        try {
            Duration d = Durations.parse(s.get().text());
            if (d.isZero() && !zeroAllowed) {
                problem("must be greater than zero", s.get());
                return Optional.empty();
            }
            return Optional.of(d);
        } catch (BadValue e) {
            problem(e.whatIsWrong(), s.get(), e.allowed());
            return Optional.empty();
        }
    }

    /** A duration of at least {@code min}, which {@code minText} writes the way a config file would. */
    Optional<Duration> duration(Duration min, String minText) {
        Optional<Duration> d = duration(true);
        if (d.isPresent() && d.get().compareTo(min) < 0) {
            problem("must be at least " + minText, scalar(Durations.LIKE).orElseThrow());
            return Optional.empty();
        }
        return d;
    }

    /** A whole percentage from {@code min} to {@code max}: {@code 50} or {@code 50%}. */
    Optional<Integer> percent(int min, int max) {
        String rule = "must be a whole percentage from " + min + " to " + max;
        Optional<Scalar> s = scalar(rule);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        String text = s.get().text().strip();
        if (text.endsWith("%")) {
            text = text.substring(0, text.length() - 1).strip();
        }
        return whole(text, s.get(), rule, "e.g. 50 or 50%", min, max);
    }

    /**
     * A fraction from 0 to 1: {@code 0.2}, or a percentage from 0% to 100%: {@code 20%}. A bare number above 1
     * is refused with the two ways to write what was probably meant, since {@code 20} is most likely 20%.
     */
    Optional<Double> fraction() {
        String rule = "must be a fraction from 0 to 1, or a percentage from 0% to 100%";
        Optional<Scalar> s = scalar(rule);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        String text = s.get().text().strip();
        boolean percent = text.endsWith("%");
        String number = percent ? text.substring(0, text.length() - 1).strip() : text;
        BigDecimal n;
        try {
            n = number.isEmpty() || !DECIMAL.matcher(number).matches() ? null : new BigDecimal(number);
        } catch (NumberFormatException e) {
            n = null;
        }
        if (n == null) {
            problem(rule, s.get(), "e.g. 0.2 or 20%");
            return Optional.empty();
        }
        BigDecimal max = percent ? BigDecimal.valueOf(100) : BigDecimal.ONE;
        if (n.signum() < 0 || n.compareTo(max) > 0) {
            String hint = !percent && n.compareTo(BigDecimal.valueOf(100)) <= 0 && n.signum() > 0
                    ? "write " + n.movePointLeft(2).stripTrailingZeros().toPlainString() + " or "
                            + n.stripTrailingZeros().toPlainString() + "%"
                    : null;
            problem(rule, s.get(), hint);
            return Optional.empty();
        }
        return Optional.of((percent ? n.movePointLeft(2) : n).doubleValue());
    }

    /** A size in bytes that fits an int, at least {@code min}. */
    Optional<Integer> size(int min) {
        return bytes(min, Integer.MAX_VALUE, "2GiB less one byte").map(Long::intValue);
    }

    /** A size in bytes from {@code min} to {@code max}, which {@code maxText} writes the way a person would. */
    Optional<Long> bytes(long min, long max, String maxText) {
        Optional<Scalar> s = scalar(Sizes.LIKE);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        try {
            BigInteger bytes = Sizes.parse(s.get().text());
            if (bytes.compareTo(BigInteger.valueOf(min)) < 0) {
                problem("must be at least " + min + " bytes", s.get());
                return Optional.empty();
            }
            if (bytes.compareTo(BigInteger.valueOf(max)) > 0) {
                problem("must be at most " + max + " bytes (" + maxText + ")", s.get());
                return Optional.empty();
            }
            return Optional.of(bytes.longValueExact());
        } catch (BadValue e) {
            problem(e.whatIsWrong(), s.get(), e.allowed());
            return Optional.empty();
        }
    }

    /**
     * A credential: non-blank text, variables expanded. No problem about it shows the value, since a mistake
     * in one is as secret as the rest of it; a missing variable is shown by its reference, which is no secret.
     */
    Optional<String> secret() {
        if (absent()) {
            return Optional.empty();
        }
        if (value.isContainerNode()) {
            problem("must be a string");
            return Optional.empty();
        }
        if (!value.isTextual()) {
            problemWithoutValue("must be a string; quote it");
            return Optional.empty();
        }
        try {
            String text = variables.expand(value.textValue());
            if (text.isBlank()) {
                problemWithoutValue("must not be empty" + (isLiteral() ? "" : "; got it from "
                        + quoted(value.textValue())));
                return Optional.empty();
            }
            return Optional.of(text);
        } catch (BadValue e) {
            problems.add(path, e.whatIsWrong() + (e.allowed() == null ? "" : "; " + e.allowed()));
            return Optional.empty();
        }
    }

    /** The variables this text refers to ({@code ${NAME}}), without expanding them; none for anything but text. */
    java.util.Set<String> references() {
        return value != null && value.isTextual() ? Variables.references(value.textValue()) : java.util.Set.of();
    }

    /** Whether this is text written in the file as it is, without a {@code ${VAR}} reference. */
    boolean isLiteral() {
        return value != null && value.isTextual() && !value.textValue().contains("${");
    }

    /**
     * Non-blank text turned into a {@code T} by {@code parser}, which throws {@link BadValue} to refuse it.
     *
     * @param rule what the value must be, for a map or list where text was expected
     */
    <T> Optional<T> parsed(String rule, Function<String, T> parser) {
        Optional<Scalar> s = scalar(rule);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        if (s.get().text().isBlank()) {
            problem("must not be empty", s.get());
            return Optional.empty();
        }
        try {
            return Optional.of(parser.apply(s.get().text().strip()));
        } catch (BadValue e) {
            problem(e.whatIsWrong(), s.get(), e.allowed());
            return Optional.empty();
        }
    }

    /** The {@code timeout} of MCP hosts' files: there a bare number is milliseconds. */
    Optional<Duration> millisOrDuration() {
        Optional<Scalar> s = scalar(Durations.LIKE);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        String text = s.get().text().strip();
        if (!WHOLE.matcher(text).matches() || text.startsWith("-")) {
            return duration(false);
        }
        BigInteger ms = new BigInteger(text);
        if (ms.signum() == 0) {
            problem("must be greater than zero", s.get());
            return Optional.empty();
        }
        if (ms.compareTo(BigInteger.valueOf(Durations.MAX.toMillis())) > 0) {
            problem("must be at most 365d", s.get());
            return Optional.empty();
        }
        return Optional.of(Duration.ofMillis(ms.longValueExact()));
    }

    /** One of {@code choices}, compared ignoring case, {@code -} and {@code _}. */
    <E> Optional<E> oneOf(Map<String, E> choices) {
        String rule = "must be one of " + String.join(", ", choices.keySet());
        Optional<Scalar> s = scalar(rule);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        for (Map.Entry<String, E> c : choices.entrySet()) {
            if (Keys.normalize(c.getKey()).equals(Keys.normalize(s.get().text().strip()))) {
                return Optional.of(c.getValue());
            }
        }
        problem(rule, s.get());
        return Optional.empty();
    }

    Optional<List<String>> stringList() {
        Optional<List<ConfigNode>> elements = elements("must be a list of strings");
        if (elements.isEmpty()) {
            return Optional.empty();
        }
        List<String> out = new ArrayList<>();
        boolean ok = true;
        for (ConfigNode e : elements.get()) {
            Optional<String> s = e.absent() ? e.nullIsWrong("must be a string") : e.string();
            ok &= s.isPresent();
            s.ifPresent(out::add);
        }
        return ok ? Optional.of(out) : Optional.empty();
    }

    Optional<Map<String, String>> stringMap(String what) {
        if (absent()) {
            return Optional.empty();
        }
        if (!isMap()) {
            problem("must be " + what);
            return Optional.empty();
        }
        Map<String, String> out = new LinkedHashMap<>();
        boolean ok = true;
        for (Map.Entry<String, ConfigNode> e : entries(what).entrySet()) {
            ConfigNode v = e.getValue();
            if (e.getKey().isBlank()) {
                v.problem("a name must not be empty");
                ok = false;
                continue;
            }
            Optional<String> s = v.absent() ? v.nullIsWrong("must be a string") : v.string();
            ok &= s.isPresent();
            s.ifPresent(x -> out.put(e.getKey(), x));
        }
        return ok ? Optional.of(out) : Optional.empty();
    }

    /** For places where null cannot mean "not set": an element of a list, a value of a map. */
    <T> Optional<T> nullIsWrong(String rule) {
        problems.add(path, rule + "; got null");
        return Optional.empty();
    }

    // ---- problems ----------------------------------------------------------------------------------------

    /** Records {@code path: whatIsWrong; got <this value>}. */
    void problem(String whatIsWrong) {
        problems.add(path, whatIsWrong + "; got " + shown(value));
    }

    /** Records {@code path: whatIsWrong; got <this value>; allowed}. */
    void problem(String whatIsWrong, String allowed) {
        problems.add(path, whatIsWrong + "; got " + shown(value) + "; " + allowed);
    }

    /** Records {@code path: whatIsWrong} with no value: for problems about the shape, not one value. */
    void problemWithoutValue(String whatIsWrong) {
        problems.add(path, whatIsWrong);
    }

    private void problem(String whatIsWrong, Scalar s) {
        problem(whatIsWrong, s, null);
    }

    private void problem(String whatIsWrong, Scalar s, String allowed) {
        problems.add(path, whatIsWrong + "; got " + s.shown() + (allowed == null ? "" : "; " + allowed));
    }

    /**
     * A scalar's text with variables expanded, and how to show it in a problem. The expanded value is shown
     * with the text it came from, since either may be where the mistake is.
     */
    private record Scalar(String text, String shown) {
    }

    private Optional<Scalar> scalar(String rule) {
        if (absent()) {
            return Optional.empty();
        }
        if (value.isContainerNode()) {
            problem(rule);
            return Optional.empty();
        }
        if (!value.isTextual()) {
            return Optional.of(new Scalar(value.asText(), value.asText()));
        }
        String raw = value.textValue();
        try {
            String text = variables.expand(raw);
            String shown = text.equals(raw) ? quoted(text) : quoted(text) + " (from " + quoted(raw) + ")";
            return Optional.of(new Scalar(text, shown));
        } catch (BadValue e) {
            problems.add(path, e.whatIsWrong() + "; got " + quoted(raw) + (e.allowed() == null ? "" : "; " + e.allowed()));
            return Optional.empty();
        }
    }

    static String shown(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return "null";
        }
        if (node.isObject()) {
            return node.isEmpty() ? "an empty map" : "a map";
        }
        if (node.isArray()) {
            return node.isEmpty() ? "an empty list" : "a list";
        }
        return node.isTextual() ? quoted(node.textValue()) : node.asText();
    }

    /** The value as a problem shows it: redacted (it may be a connection URL with a password), then cut. */
    private static String quoted(String text) {
        String q = new TextNode(io.mcppool.config.Redaction.text(text)).toString();
        return q.length() <= SHOWN_MAX ? q : q.substring(0, SHOWN_MAX - 4) + "…\"";
    }
}
