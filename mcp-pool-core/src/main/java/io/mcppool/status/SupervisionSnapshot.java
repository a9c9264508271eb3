package io.mcppool.status;

/**
 * How an endpoint's server process has been supervised: restarts after crashes and whether it is in a crash loop.
 *
 * @param restarts      processes started after a crash
 * @param crashes       crashes seen
 * @param lastExitCode  the last crashed process's exit code, -1 if unknown or none
 * @param crashLoop     whether the endpoint is in a crash loop
 * @param recentCrashes crashes within the crash-loop window
 */
public record SupervisionSnapshot(long restarts, long crashes, int lastExitCode, boolean crashLoop, int recentCrashes) {
}
