package io.mcppool.gateway.cli;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Reads {@code --timeout} values the way the config file writes durations: {@code 250ms}, {@code 5s}, {@code 1m30s}. */
final class Durations implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");
    private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:\\.\\d+)?(?:ms|s|m|h))+");

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    static Duration parse(String value) {
        String s = value.strip();
        if (!WHOLE.matcher(s).matches()) {
            throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not a duration; write it like 500ms, 30s, 2m or 1m30s");
        }
        BigDecimal nanos = BigDecimal.ZERO;
        Matcher m = PART.matcher(s);
        while (m.find()) {
            BigDecimal n = new BigDecimal(m.group(1));
            long unit = switch (m.group(2)) {
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            nanos = nanos.add(n.multiply(BigDecimal.valueOf(unit)));
        }
        if (nanos.signum() <= 0) {
            throw new CommandLine.TypeConversionException("'" + value + "' must be longer than zero");
        }
        if (nanos.compareTo(BigDecimal.valueOf(Duration.ofDays(1).toNanos())) > 0) {
            throw new CommandLine.TypeConversionException("'" + value + "' is longer than a day");
        }
        return Duration.ofNanos(nanos.longValue());
    }
}
