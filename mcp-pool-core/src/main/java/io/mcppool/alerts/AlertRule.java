package io.mcppool.alerts;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * What to watch and when to fire. Immutable; start from a factory and refine with the {@code with}-style
 * methods:
 *
 * <pre>{@code
 * AlertRule.utilizationAbove(0.80).clearAtOrBelow(0.60)     // hysteresis: fires above 80%, clears at 60% or below
 * AlertRule.errorRateAbove(0.20).minCalls(20).forServers("github")
 * AlertRule.breakerOpen()
 * AlertRule.endpointUnhealthy()
 * AlertRule.crashLoop(3, Duration.ofMinutes(1)).named("files-crashing")
 * }</pre>
 *
 * <table>
 *   <caption>When each kind fires and clears</caption>
 *   <tr><th>kind</th><th>per</th><th>value</th><th>fires when</th><th>clears when</th></tr>
 *   <tr><td>utilization</td><td>endpoint</td><td>saturation</td><td>value &gt; threshold</td>
 *       <td>value &lt;= clearAt (default: the threshold)</td></tr>
 *   <tr><td>error rate</td><td>server</td><td>error rate over the stats' window</td>
 *       <td>calls in the window &gt;= minCalls and value &gt; threshold</td>
 *       <td>value &lt;= clearAt (default: the threshold); an emptied window has rate 0</td></tr>
 *   <tr><td>breaker open</td><td>endpoint</td><td>1 or 0</td><td>state {@code open} or {@code forced_open}</td>
 *       <td>state neither open nor {@code half_open} (a half-open breaker is still failing over)</td></tr>
 *   <tr><td>endpoint unhealthy</td><td>endpoint</td><td>1 or 0</td><td>status unhealthy by the health rule</td>
 *       <td>status degraded or healthy</td></tr>
 *   <tr><td>crash loop</td><td>endpoint</td><td>unexpected exits within the period</td><td>value &gt;= exits</td>
 *       <td>value &lt; exits (older exits leave the period)</td></tr>
 * </table>
 */
public final class AlertRule {
    /** {@link #errorRateAbove}'s default: a rate over fewer calls says little. */
    public static final int DEFAULT_MIN_CALLS = 10;

    private final AlertKind kind;
    private final String name;
    private final double threshold;
    private final double clearAt;
    private final int minCalls;
    private final Duration period;
    private final Set<String> servers;

    private AlertRule(AlertKind kind, String name, double threshold, double clearAt, int minCalls, Duration period,
                      Set<String> servers) {
        this.kind = kind;
        this.name = Objects.requireNonNull(name, "name");
        this.threshold = threshold;
        this.clearAt = clearAt;
        this.minCalls = minCalls;
        this.period = period;
        this.servers = Set.copyOf(servers);
    }

    private static double fraction(String what, double v) {
        if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException(what + " is a fraction between 0 and 1 (0.8 = 80%); got " + v);
        }
        return v;
    }

    /** An endpoint's saturation (in-flight over the most slots its pool may open) is above {@code fraction}. */
    public static AlertRule utilizationAbove(double fraction) {
        fraction("the utilization threshold", fraction);
        return new AlertRule(AlertKind.UTILIZATION, AlertKind.UTILIZATION.tagValue(), fraction, fraction, 0, null,
                Set.of());
    }

    /**
     * A server's error rate over the stats' window ({@link io.mcppool.stats.WindowStats#errorRate()}) is above
     * {@code fraction}, over at least {@value #DEFAULT_MIN_CALLS} calls (see {@link #minCalls(int)}).
     */
    public static AlertRule errorRateAbove(double fraction) {
        fraction("the error rate threshold", fraction);
        return new AlertRule(AlertKind.ERROR_RATE, AlertKind.ERROR_RATE.tagValue(), fraction, fraction,
                DEFAULT_MIN_CALLS, null, Set.of());
    }

    /** An endpoint's circuit breaker is open. */
    public static AlertRule breakerOpen() {
        return new AlertRule(AlertKind.BREAKER_OPEN, AlertKind.BREAKER_OPEN.tagValue(), 1, 1, 0, null, Set.of());
    }

    /** An endpoint is unhealthy by the status rule of {@link io.mcppool.stats.HealthRules}. */
    public static AlertRule endpointUnhealthy() {
        return new AlertRule(AlertKind.ENDPOINT_UNHEALTHY, AlertKind.ENDPOINT_UNHEALTHY.tagValue(), 1, 1, 0, null,
                Set.of());
    }

    /** An endpoint's server process exited unexpectedly at least {@code exits} times within {@code within}. */
    public static AlertRule crashLoop(int exits, Duration within) {
        if (exits < 1 || within == null || within.isNegative() || within.isZero()) {
            throw new IllegalArgumentException("a crash loop needs at least 1 exit within a positive period; got "
                    + exits + " within " + within);
        }
        return new AlertRule(AlertKind.CRASH_LOOP, AlertKind.CRASH_LOOP.tagValue(), exits, exits, 0, within, Set.of());
    }

    /** The name alerts of this rule carry; defaults to the kind ({@code utilization}, {@code error_rate}, ...). */
    public AlertRule named(String v) {
        return new AlertRule(kind, v, threshold, clearAt, minCalls, period, servers);
    }

    /**
     * Hysteresis for utilization and error rate: once firing, the alert clears only when the value falls to
     * {@code fraction} or below (default: the threshold itself). Must not be above the threshold.
     */
    public AlertRule clearAtOrBelow(double fraction) {
        if (kind != AlertKind.UTILIZATION && kind != AlertKind.ERROR_RATE) {
            throw new IllegalStateException("only utilization and error rate rules have a clearing threshold; this is "
                    + kind.tagValue());
        }
        fraction("the clearing threshold", fraction);
        if (fraction > threshold) {
            throw new IllegalArgumentException("the clearing threshold " + fraction + " is above the threshold "
                    + threshold);
        }
        return new AlertRule(kind, name, threshold, fraction, minCalls, period, servers);
    }

    /** Error rate only: the fewest calls in the window for the rule to fire. */
    public AlertRule minCalls(int v) {
        if (kind != AlertKind.ERROR_RATE) {
            throw new IllegalStateException("only error rate rules count calls; this is " + kind.tagValue());
        }
        if (v < 1) {
            throw new IllegalArgumentException("minCalls must be at least 1; got " + v);
        }
        return new AlertRule(kind, name, threshold, clearAt, v, period, servers);
    }

    /** Watches only these servers (default: all). */
    public AlertRule forServers(String... names) {
        return new AlertRule(kind, name, threshold, clearAt, minCalls, period, Set.of(names));
    }

    public AlertKind kind() {
        return kind;
    }

    public String name() {
        return name;
    }

    public double threshold() {
        return threshold;
    }

    public double clearAt() {
        return clearAt;
    }

    public int minCalls() {
        return minCalls;
    }

    /** Crash loop only; null otherwise. */
    public Duration period() {
        return period;
    }

    /** Empty: all servers. */
    public Set<String> servers() {
        return servers;
    }

    boolean appliesTo(String server) {
        return servers.isEmpty() || servers.contains(server);
    }

    @Override
    public String toString() {
        return "AlertRule(" + name + ": " + kind.tagValue() + " threshold " + threshold
                + (clearAt != threshold ? " clear at " + clearAt : "")
                + (kind == AlertKind.ERROR_RATE ? " minCalls " + minCalls : "")
                + (period != null ? " within " + period : "")
                + (servers.isEmpty() ? "" : " servers " + servers) + ")";
    }
}
