package io.mcppool.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** How the scenarios write their options and tables: durations, latencies, rates, ratios, the machine. */
public final class BenchText {
    private BenchText() {
    }

    /** One {@code --name value} (or {@code --name=value}) of a scenario's command line. */
    public record Option(String name, String value) {
    }

    /** A scenario's arguments as options, in order; each needs a value. */
    public static List<Option> options(String[] args) {
        List<Option> out = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                out.add(new Option(a.substring(0, eq), a.substring(eq + 1)));
            } else if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + " needs a value");
            } else {
                out.add(new Option(a, args[++i]));
            }
        }
        return out;
    }

    /** A whole number of at least 1. */
    public static int positive(String option, String v) {
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": '" + v + "' is not a number");
        }
        if (n < 1) {
            throw new IllegalArgumentException(option + " must be at least 1, got " + v);
        }
        return n;
    }

    public static Duration positive(String option, Duration d) {
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(option + " must be positive");
        }
        return d;
    }

    /** {@code 10s}, {@code 500ms}, {@code 2m}; a bare number is seconds. */
    public static Duration duration(String option, String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        try {
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            if (s.endsWith("s")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 1000));
            }
            if (s.endsWith("m")) {
                return Duration.ofSeconds(Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 60));
            }
            return Duration.ofMillis(Math.round(Double.parseDouble(s) * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": '" + v + "' is not a duration (like 500ms, 10s, 2m)");
        }
    }

    /** {@code 3s}, {@code 250ms}. */
    public static String human(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    public static String ratioText(double r) {
        if (r >= 100) {
            return String.format(Locale.ROOT, "%,.0f×", r);
        }
        if (r >= 10) {
            return String.format(Locale.ROOT, "%.1f×", r);
        }
        return String.format(Locale.ROOT, "%.2f×", r);
    }

    public static String rate(double perSecond) {
        if (perSecond >= 100) {
            return String.format(Locale.ROOT, "%,.0f", perSecond);
        }
        if (perSecond >= 10) {
            return String.format(Locale.ROOT, "%.1f", perSecond);
        }
        return String.format(Locale.ROOT, "%.2f", perSecond);
    }

    /** A duration in nanoseconds with three significant digits or so; "–" when negative (nothing measured). */
    public static String latency(long nanos) {
        if (nanos < 0) {
            return "–";
        }
        double us = nanos / 1e3;
        if (us < 100) {
            return String.format(Locale.ROOT, "%.1f µs", us);
        }
        if (us < 1000) {
            return String.format(Locale.ROOT, "%.0f µs", us);
        }
        double ms = us / 1e3;
        if (ms < 10) {
            return String.format(Locale.ROOT, "%.2f ms", ms);
        }
        if (ms < 1000) {
            return String.format(Locale.ROOT, "%.0f ms", ms);
        }
        return String.format(Locale.ROOT, "%.2f s", ms / 1e3);
    }

    public static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    public static String machine() {
        Runtime rt = Runtime.getRuntime();
        String cpu = cpuModel().map(m -> ", " + m).orElse("");
        return String.format(Locale.ROOT, "Machine: %d cores%s, %s %s; JDK %s (%s %s); client heap max %d MiB.%n",
                rt.availableProcessors(), cpu, System.getProperty("os.name"), System.getProperty("os.arch"),
                System.getProperty("java.runtime.version"), System.getProperty("java.vm.name"),
                System.getProperty("java.vm.vendor"), rt.maxMemory() / (1024 * 1024));
    }

    private static Optional<String> cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The load average of the last 1, 5 and 15 minutes, from {@code /proc/loadavg}; "unknown" elsewhere. */
    public static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + ", " + f[1] + ", " + f[2] + " (1, 5, 15 min)";
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    public static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max / 2 - 2) + " ... " + s.substring(s.length() - max / 2 + 3);
    }
}
