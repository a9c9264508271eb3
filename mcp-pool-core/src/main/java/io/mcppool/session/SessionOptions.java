package io.mcppool.session;

import io.mcppool.logging.RateLimitedLog;
import io.mcppool.logging.SkippedLines;
import io.mcppool.protocol.Implementation;
import io.mcppool.protocol.Root;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a session needs beyond its transport.
 *
 * @param server            the server's configured name, for logs and errors
 * @param connectTimeout    how long the handshake may take
 * @param roots             answered to {@code roots/list}; the capability is declared only when there are some
 * @param logLinesPerMinute at most this many of the server's log notifications are written to the log a minute
 * @param skipped           told of log notifications over that limit
 */
public record SessionOptions(String server, Duration connectTimeout, List<Root> roots, Implementation clientInfo,
                             int logLinesPerMinute, SkippedLines skipped) {
    public static final Implementation CLIENT_INFO = new Implementation("mcp-pool", Version.current());

    public SessionOptions {
        roots = List.copyOf(roots);
        Objects.requireNonNull(skipped, "skipped");
    }

    public SessionOptions(String server, Duration connectTimeout, List<Root> roots, Implementation clientInfo) {
        this(server, connectTimeout, roots, clientInfo, RateLimitedLog.DEFAULT_LINES_PER_MINUTE, SkippedLines.NONE);
    }

    public SessionOptions(String server, Duration connectTimeout) {
        this(server, connectTimeout, List.of(), CLIENT_INFO);
    }
}
