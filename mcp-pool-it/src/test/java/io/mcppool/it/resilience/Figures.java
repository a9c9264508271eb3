package io.mcppool.it.resilience;

import io.mcppool.config.EndpointConfig;
import io.mcppool.testkit.TestkitCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Small helpers of the resilience tests: testkit endpoints, percentiles, and the figures table they print. */
final class Figures {
    private final String title;
    private final Map<String, Object> rows = new LinkedHashMap<>();

    Figures(String title) {
        this.title = title;
    }

    Figures put(String figure, Object value) {
        rows.put(figure, value);
        return this;
    }

    /** Prints the figures as a Markdown table on stdout, for the build log. */
    void print() {
        StringBuilder sb = new StringBuilder("\n").append(title).append("\n\n| figure | value |\n|---|---|\n");
        rows.forEach((k, v) -> sb.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        System.out.println(sb);
    }

    static EndpointConfig.Stdio testkitStdio(String... args) {
        List<String> cmd = TestkitCommand.stdio(args);
        return new EndpointConfig.Stdio(cmd.get(0), cmd.subList(1, cmd.size()), Map.of(), Optional.empty(),
                Duration.ofSeconds(2));
    }

    /** Live processes below this JVM whose command line holds {@code label} as one argument. */
    static List<ProcessHandle> processesLabelled(String label) {
        return ProcessHandle.current().descendants()
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().arguments().map(a -> List.of(a).contains(label)).orElse(false))
                .toList();
    }

    /** The {@code p}-th percentile (0 to 100, nearest rank) of {@code nanos}. */
    static long percentile(List<Long> nanos, double p) {
        if (nanos.isEmpty()) {
            throw new IllegalArgumentException("no samples");
        }
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    static String micros(long nanos) {
        return String.format(Locale.ROOT, "%.1f µs", nanos / 1e3);
    }

    static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.0f ms", nanos / 1e6);
    }
}
