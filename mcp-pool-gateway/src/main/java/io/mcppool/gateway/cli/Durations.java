package io.mcppool.gateway.cli;

import io.mcppool.config.ConfigLoader;
import java.time.Duration;
import picocli.CommandLine;

/**
 * Reads {@code --timeout} values with the config file's duration syntax ({@code 250ms}, {@code 5s},
 * {@code 1m30s}); a call's timeout must also be positive and at most a day.
 */
final class Durations implements CommandLine.ITypeConverter<Duration> {
    private static final Duration MAX = Duration.ofDays(1);

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    static Duration parse(String value) {
        Duration d;
        try {
            d = ConfigLoader.parseDuration(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
        if (d.isZero()) {
            throw new CommandLine.TypeConversionException("'" + value + "' must be longer than zero");
        }
        if (d.compareTo(MAX) > 0) {
            throw new CommandLine.TypeConversionException("'" + value + "' is longer than a day");
        }
        return d;
    }
}
