package io.mcppool.config;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte sizes: a whole number of bytes, or a number with a unit. {@code KB} and {@code KiB} both mean 1024 bytes
 * (as in the JVM's {@code -Xmx} and Spring's {@code DataSize}): for a message limit nobody means 1000, and
 * reading {@code 16MB} as anything but the 16 MiB default would surprise.
 */
final class Sizes {
    static final String LIKE = "must be a size like 1048576, 512KB, 16MB, 1MiB";

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(b|[kmg]i?b?)?", Pattern.CASE_INSENSITIVE);

    private Sizes() {
    }

    /** Parses {@code text} to whole bytes (rounded down); a {@link BadValue} says what is wrong with it. */
    static BigInteger parse(String text) {
        String s = text.strip();
        if (s.startsWith("-") && SIZE.matcher(s.substring(1)).matches()) {
            throw new BadValue("must not be negative");
        }
        Matcher m = SIZE.matcher(s);
        if (!m.matches()) {
            throw new BadValue(LIKE);
        }
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        int power = switch (unit.charAt(0)) {
            case 'k' -> 1;
            case 'm' -> 2;
            case 'g' -> 3;
            default -> 0;
        };
        return new BigDecimal(m.group(1)).multiply(new BigDecimal(BigInteger.valueOf(1024).pow(power)))
                .setScale(0, RoundingMode.DOWN).toBigIntegerExact();
    }
}
