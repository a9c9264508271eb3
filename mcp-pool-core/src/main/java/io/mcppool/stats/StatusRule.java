package io.mcppool.stats;

import io.mcppool.status.HealthStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The status rule of {@link HealthRules}, applied. Pure functions of their inputs. */
final class StatusRule {
    private StatusRule() {
    }

    record Verdict(HealthStatus status, List<String> reasons) {
        static final Verdict HEALTHY = new Verdict(HealthStatus.HEALTHY, List.of());
    }

    static boolean breakerOpen(String state) {
        return "open".equals(state) || "forced_open".equals(state);
    }

    static boolean breakerFine(String state) {
        return state == null || "closed".equals(state) || "disabled".equals(state);
    }

    /**
     * @param pool           null when unknown
     * @param noSessionKnown without a pool: events say no session is open
     */
    static Verdict endpoint(HealthRules rules, Duration window, EndpointMetrics.Pool pool, boolean noSessionKnown,
                            boolean openFailing, String lastOpenFailure, WindowStats w, String breaker, String health,
                            String healthReason, int recentCrashes) {
        List<String> unhealthy = new ArrayList<>();
        List<String> degraded = new ArrayList<>();
        String hr = healthReason == null || healthReason.isBlank() ? "" : ": " + healthReason;
        if ("unhealthy".equals(health)) {
            unhealthy.add("health check reports unhealthy" + hr);
        } else if ("degraded".equals(health)) {
            degraded.add("health check reports degraded" + hr);
        }
        if (breakerOpen(breaker)) {
            unhealthy.add("circuit breaker is " + breaker);
        } else if (!breakerFine(breaker)) {
            degraded.add("circuit breaker is " + breaker);
        }
        boolean lastOpenFailed = pool != null ? pool.lastOpenFailure() != null : openFailing;
        boolean noSession = pool != null ? pool.sessions() == 0 : noSessionKnown;
        String failure = pool != null && pool.lastOpenFailure() != null ? pool.lastOpenFailure() : lastOpenFailure;
        if (lastOpenFailed) {
            if (noSession) {
                unhealthy.add("no open session; the last attempt to open one failed: " + failure);
            } else {
                degraded.add("the last attempt to open a session failed: " + failure);
            }
        }
        errorRate(rules, window, w, unhealthy, degraded);
        if (pool != null && pool.saturation() >= rules.degradedSaturation() && pool.inFlight() > 0) {
            degraded.add("saturation " + percent(pool.saturation()) + " >= " + percent(rules.degradedSaturation())
                    + " (" + pool.inFlight() + " of " + (pool.maxCapacity() > 0 ? pool.maxCapacity() : pool.capacity())
                    + " slots in flight)");
        }
        if (recentCrashes >= rules.crashLoopExits()) {
            degraded.add("crash loop: " + recentCrashes + " unexpected process exits within "
                    + seconds(rules.crashLoopPeriod()));
        }
        return verdict(unhealthy, degraded);
    }

    private static void errorRate(HealthRules rules, Duration window, WindowStats w, List<String> unhealthy,
                                  List<String> degraded) {
        if (w.calls() < rules.minCalls()) {
            return;
        }
        String figures = " over the last " + seconds(window) + " (" + w.errors() + " of " + w.calls() + " calls)";
        if (w.errorRate() >= rules.unhealthyErrorRate()) {
            unhealthy.add("error rate " + percent(w.errorRate()) + " >= " + percent(rules.unhealthyErrorRate()) + figures);
        } else if (w.errorRate() >= rules.degradedErrorRate()) {
            degraded.add("error rate " + percent(w.errorRate()) + " >= " + percent(rules.degradedErrorRate()) + figures);
        }
    }

    private static Verdict verdict(List<String> unhealthy, List<String> degraded) {
        if (!unhealthy.isEmpty()) {
            List<String> all = new ArrayList<>(unhealthy);
            all.addAll(degraded);
            return new Verdict(HealthStatus.UNHEALTHY, List.copyOf(all));
        }
        if (!degraded.isEmpty()) {
            return new Verdict(HealthStatus.DEGRADED, List.copyOf(degraded));
        }
        return Verdict.HEALTHY;
    }

    record Labelled(String endpoint, Verdict verdict) {
    }

    static Verdict server(HealthRules rules, Duration window, List<Labelled> endpoints, WindowStats w) {
        List<String> unhealthy = new ArrayList<>();
        List<String> degraded = new ArrayList<>();
        boolean prefix = endpoints.size() > 1;
        long bad = endpoints.stream().filter(e -> e.verdict().status() == HealthStatus.UNHEALTHY).count();
        Set<String> endpointReasons = new LinkedHashSet<>();
        for (Labelled e : endpoints) {
            for (String r : e.verdict().reasons()) {
                endpointReasons.add(prefix ? "endpoint '" + e.endpoint() + "': " + r : r);
            }
        }
        if (!endpoints.isEmpty() && bad == endpoints.size()) {
            if (prefix) {
                unhealthy.add("all " + endpoints.size() + " endpoints are unhealthy");
            }
            unhealthy.addAll(endpointReasons);
        } else if (endpoints.stream().anyMatch(e -> e.verdict().status() != HealthStatus.HEALTHY)) {
            if (prefix && bad > 0) {
                degraded.add(bad + " of " + endpoints.size() + " endpoints are unhealthy");
            }
            degraded.addAll(endpointReasons);
        }
        List<String> rateUnhealthy = new ArrayList<>();
        List<String> rateDegraded = new ArrayList<>();
        errorRate(rules, window, w, rateUnhealthy, rateDegraded);
        for (String r : rateUnhealthy) {
            if (!endpointReasons.contains(r)) {
                unhealthy.add(r);
            }
        }
        for (String r : rateDegraded) {
            if (!endpointReasons.contains(r)) {
                degraded.add(r);
            }
        }
        return verdict(unhealthy, degraded);
    }

    record Named(String server, boolean required, Verdict verdict) {
    }

    static Verdict overall(List<Named> servers) {
        if (servers.isEmpty()) {
            return new Verdict(HealthStatus.UNHEALTHY, List.of("no servers configured"));
        }
        HealthStatus status = HealthStatus.HEALTHY;
        List<String> reasons = new ArrayList<>();
        for (Named s : servers) {
            HealthStatus st = s.verdict().status();
            if (st == HealthStatus.HEALTHY) {
                continue;
            }
            if (s.required()) {
                status = status.worst(st);
                reasons.add("server '" + s.server() + "' is " + st.tagValue());
            } else {
                status = status.worst(HealthStatus.DEGRADED);
                reasons.add("optional server '" + s.server() + "' is " + st.tagValue());
            }
        }
        return new Verdict(status, List.copyOf(reasons));
    }

    static String percent(double fraction) {
        double p = Math.round(fraction * 1000) / 10.0; // one decimal at most: 10.7%, 90%
        return (p == Math.rint(p) ? String.format(Locale.ROOT, "%.0f", p) : String.format(Locale.ROOT, "%.1f", p)) + "%";
    }

    static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }
}
