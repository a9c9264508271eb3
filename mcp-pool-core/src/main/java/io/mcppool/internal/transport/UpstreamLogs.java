package io.mcppool.internal.transport;

import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import io.mcppool.logging.RateLimitedLog;
/**
 * Where what one endpoint's server writes outside the protocol is logged: its stderr, its stdout lines that are
 * not JSON-RPC, and its log notifications. Each is limited to {@code linesPerMinute} for all the endpoint's
 * sessions and processes together, so a pool of many sessions logs no more than one.
 *
 * @param stderr        at INFO on {@code mcp.server.<name>.stderr}
 * @param strayStdout   at WARN on the stdio transport's logger
 * @param notifications at the level each {@code notifications/message} gives, on {@code mcp.server.<name>}
 */
public record UpstreamLogs(RateLimitedLog stderr, RateLimitedLog strayStdout, RateLimitedLog notifications) {

    public static UpstreamLogs of(String server, int linesPerMinute, SkippedLines skipped) {
        return new UpstreamLogs(
                new RateLimitedLog(LoggerFactory.getLogger("mcp.server." + server + ".stderr"), Level.INFO,
                        "lines of stderr", linesPerMinute, RateLimitedLog.MAX_LINE_CHARS,
                        n -> skipped.skipped("stderr", n), System::nanoTime),
                new RateLimitedLog(LoggerFactory.getLogger("io.mcppool.internal.transport.StdioTransport"), Level.WARN,
                        "stdout lines of server '" + server + "' that were not JSON-RPC", linesPerMinute,
                        RateLimitedLog.MAX_LINE_CHARS, n -> skipped.skipped("stdout", n), System::nanoTime),
                new RateLimitedLog(LoggerFactory.getLogger("mcp.server." + server), Level.ERROR,
                        "log notifications", linesPerMinute, RateLimitedLog.MAX_LINE_CHARS,
                        n -> skipped.skipped("log", n), System::nanoTime));
    }

    /** With the default limit and nobody told of skipped lines. */
    public static UpstreamLogs of(String server) {
        return of(server, RateLimitedLog.DEFAULT_LINES_PER_MINUTE, SkippedLines.NONE);
    }

    /** Logs what each log skipped in its current minute: the endpoint is going away. */
    public void close() {
        stderr.close();
        strayStdout.close();
        notifications.close();
    }
}
