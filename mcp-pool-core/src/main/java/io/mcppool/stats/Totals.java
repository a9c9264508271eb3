package io.mcppool.stats;

/** Calls that ended since the stats were attached or last {@linkplain PoolStats#reset() reset}, by outcome. */
public record Totals(long calls, long successes, long toolErrors, long failures) {
}
