package io.mcppool.stats;

import java.util.Map;

/**
 * Calls that ended within the recent window ({@link StatsOptions#window()}), and the slot acquisitions
 * made in it.
 *
 * @param calls         every call through the pool's API (tools/call, the list methods, reads, prompts, ping)
 * @param successes     results without {@code isError}
 * @param toolErrors    results with {@code isError}: the tool ran and reported a failure
 * @param failures      calls that ended with an exception (any {@link io.mcppool.call.ErrorType} but {@code tool_error})
 * @param errors        the failures that count against the server: all but {@code cancelled} (the caller gave
 *                      up) and {@code invalid_request} (the caller asked for something wrong)
 * @param errorRate     {@code errors / calls}; 0 without calls
 * @param toolErrorRate {@code toolErrors / calls}; 0 without calls
 * @param errorsByType  calls that did not succeed, by {@link io.mcppool.call.ErrorType#tagValue()} (tool errors
 *                      included); only types that occurred, in the enum's order
 * @param acquires      attempts to get a session slot (one per call that reached a pool; one more when a
 *                      session died between the lease and the send)
 * @param warmAcquires  acquires that got a slot within {@link StatsOptions#warmThreshold()}: an open session
 *                      had a free slot. Misses waited for a session to open, a slot to free up or a
 *                      validation ping, or failed.
 * @param warmHitRatio  {@code warmAcquires / acquires}; absent (null) without acquires
 * @param latency       durations of the calls; absent (null) without calls
 */
public record WindowStats(long calls, long successes, long toolErrors, long failures, long errors, double errorRate,
                          double toolErrorRate, Map<String, Long> errorsByType, long acquires, long warmAcquires,
                          Double warmHitRatio, Latency latency) {
}
