package io.mcppool.stats;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * The thresholds of the status rule of {@link PoolStats#healthSummary()}. The rule, from endpoint to pool:
 *
 * <p><b>An endpoint is unhealthy</b> when any of these holds:
 * <ol>
 *   <li>its health check reports {@code unhealthy} (event {@code healthChanged});</li>
 *   <li>its circuit breaker is {@code open} or {@code forced_open} (event {@code breakerStateChanged});</li>
 *   <li>it has no open session and the last attempt to open one failed;</li>
 *   <li>its error rate over the window is at least {@link #unhealthyErrorRate()}, over at least
 *       {@link #minCalls()} calls.</li>
 * </ol>
 * <b>Otherwise it is degraded</b> when any of these holds:
 * <ol>
 *   <li>its health check reports {@code degraded};</li>
 *   <li>its breaker is in any state other than {@code closed}, {@code disabled} and the open ones
 *       (typically {@code half_open});</li>
 *   <li>its error rate over the window is at least {@link #degradedErrorRate()}, over at least
 *       {@link #minCalls()} calls;</li>
 *   <li>its saturation (in-flight requests over the most slots its pool may open) is at least
 *       {@link #degradedSaturation()};</li>
 *   <li>it has open sessions but the last attempt to open another one failed;</li>
 *   <li>its server process exited unexpectedly at least {@link #crashLoopExits()} times within
 *       {@link #crashLoopPeriod()} (a crash loop).</li>
 * </ol>
 * <b>Otherwise it is healthy.</b> A health status of {@code unknown} (no health check has reported yet)
 * and a breaker never reported (taken as {@code closed}) count as fine.
 *
 * <p><b>A server</b> is unhealthy when all of its endpoints are, or when its own error rate (all its calls,
 * including those that failed before an endpoint was picked) reaches {@link #unhealthyErrorRate()};
 * degraded when any endpoint is not healthy or its error rate reaches {@link #degradedErrorRate()};
 * healthy otherwise.
 *
 * <p><b>The pool (overall)</b> is the worst status of its required servers; a server listed in
 * {@link #optionalServers()} lowers the overall status at most to degraded. A pool with no servers is
 * unhealthy (it can serve nothing).
 *
 * <p>The error rate counts calls that failed with an exception, except those the caller caused
 * ({@code cancelled}, {@code invalid_request}); tool errors ({@code isError} results) are not errors of the
 * server. See {@link WindowStats#errorRate()}.
 *
 * @param degradedErrorRate  0..1; default 0.10
 * @param unhealthyErrorRate 0..1; default 0.50
 * @param minCalls           fewer calls in the window than this never change a status by error rate; default 10
 * @param degradedSaturation 0..1; default 0.90
 * @param crashLoopExits     unexpected process exits within {@code crashLoopPeriod} that make a crash loop; default 3
 * @param crashLoopPeriod    default 60 s
 * @param optionalServers    servers that cannot make the whole pool unhealthy; default none
 */
public record HealthRules(double degradedErrorRate, double unhealthyErrorRate, int minCalls, double degradedSaturation,
                          int crashLoopExits, Duration crashLoopPeriod, Set<String> optionalServers) {

    public static final HealthRules DEFAULTS = new HealthRules(0.10, 0.50, 10, 0.90, 3, Duration.ofSeconds(60), Set.of());

    public HealthRules {
        Objects.requireNonNull(crashLoopPeriod, "crashLoopPeriod");
        optionalServers = Set.copyOf(Objects.requireNonNull(optionalServers, "optionalServers"));
        requireFraction("degradedErrorRate", degradedErrorRate);
        requireFraction("unhealthyErrorRate", unhealthyErrorRate);
        requireFraction("degradedSaturation", degradedSaturation);
        if (minCalls < 1 || crashLoopExits < 1 || crashLoopPeriod.isNegative() || crashLoopPeriod.isZero()) {
            throw new IllegalArgumentException("minCalls and crashLoopExits must be at least 1 and crashLoopPeriod"
                    + " positive; got minCalls=" + minCalls + ", crashLoopExits=" + crashLoopExits
                    + ", crashLoopPeriod=" + crashLoopPeriod);
        }
    }

    private static void requireFraction(String name, double v) {
        if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException(name + " is a fraction between 0 and 1 (0.1 = 10%); got " + v);
        }
    }

    public HealthRules withErrorRates(double degraded, double unhealthy) {
        return new HealthRules(degraded, unhealthy, minCalls, degradedSaturation, crashLoopExits, crashLoopPeriod,
                optionalServers);
    }

    public HealthRules withMinCalls(int v) {
        return new HealthRules(degradedErrorRate, unhealthyErrorRate, v, degradedSaturation, crashLoopExits,
                crashLoopPeriod, optionalServers);
    }

    public HealthRules withDegradedSaturation(double v) {
        return new HealthRules(degradedErrorRate, unhealthyErrorRate, minCalls, v, crashLoopExits, crashLoopPeriod,
                optionalServers);
    }

    public HealthRules withCrashLoop(int exits, Duration period) {
        return new HealthRules(degradedErrorRate, unhealthyErrorRate, minCalls, degradedSaturation, exits, period,
                optionalServers);
    }

    public HealthRules withOptionalServers(Set<String> v) {
        return new HealthRules(degradedErrorRate, unhealthyErrorRate, minCalls, degradedSaturation, crashLoopExits,
                crashLoopPeriod, v);
    }
}
