package io.mcppool.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as operators write them: {@code 250ms}, {@code 5s}, {@code 1.5s}, {@code 10m}, {@code 1h}, {@code 1d},
 * and sums such as {@code 1h30m}. A bare {@code 0} is zero; any other bare number is refused, because
 * whether {@code 30} means seconds or milliseconds is exactly the guess that causes outages.
 */
final class Durations {
    /** Longer than any sensible timeout, and far from overflowing the nanoseconds the pool computes with. */
    static final Duration MAX = Duration.ofDays(365);
    static final String LIKE = "must be a duration like 250ms, 5s, 10m, 1h";

    private static final Pattern NUMBER = Pattern.compile("\\d+(?:\\.\\d+)?");
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");
    private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(MAX.toNanos());

    private Durations() {
    }

    /** Parses {@code text}; a {@link BadValue} says what is wrong with it. */
    static Duration parse(String text) {
        String s = text.strip();
        if (s.startsWith("-")) {
            String rest = s.substring(1);
            if (NUMBER.matcher(rest).matches() || sum(rest) != null) {
                throw new BadValue("must not be negative");
            }
            throw new BadValue(LIKE);
        }
        if (NUMBER.matcher(s).matches()) {
            BigDecimal n = new BigDecimal(s);
            if (n.signum() == 0) {
                return Duration.ZERO;
            }
            throw new BadValue("a bare number is not a duration",
                    "add a unit, e.g. " + n.stripTrailingZeros().toPlainString() + "s");
        }
        BigDecimal nanos = sum(s);
        if (nanos == null) {
            throw new BadValue(LIKE);
        }
        if (nanos.compareTo(MAX_NANOS) > 0) {
            throw new BadValue("must be at most 365d");
        }
        return Duration.ofNanos(nanos.setScale(0, RoundingMode.DOWN).longValueExact());
    }

    /** The nanoseconds in a sequence of number-unit parts, or null if {@code s} is not one. */
    private static BigDecimal sum(String s) {
        if (s.isEmpty()) {
            return null;
        }
        Matcher m = PART.matcher(s);
        BigDecimal total = BigDecimal.ZERO;
        int pos = 0;
        while (pos < s.length()) {
            m.region(pos, s.length());
            if (!m.lookingAt()) {
                return null;
            }
            total = total.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unitNanos(m.group(2)))));
            pos = m.end();
        }
        return total;
    }

    private static long unitNanos(String unit) {
        return switch (unit) {
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            case "d" -> 86_400_000_000_000L;
            default -> throw new IllegalArgumentException(unit);
        };
    }
}
