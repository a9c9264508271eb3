package io.mcppool.config;

import java.util.Locale;

/** How a server with several endpoints (replicas) picks one for each call. */
public enum BalanceStrategy {
    /** Each endpoint in turn. The default. */
    ROUND_ROBIN,
    /** In turn, each endpoint as often as its {@code weight}. */
    WEIGHTED_ROUND_ROBIN,
    /** The endpoint with the fewest requests in flight. */
    LEAST_OUTSTANDING,
    /** Power of two choices on a decaying average of each endpoint's latency. */
    LATENCY,
    /** Uniformly at random. */
    RANDOM,
    /** The lowest {@code tier} that has an available endpoint, in turn by weight within it; higher tiers are failover. */
    PRIORITY,
    /** The call's affinity key on a hash ring: one key keeps one endpoint, and only a leaving endpoint's keys move. */
    CONSISTENT_HASH;

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
