package io.mcppool.internal.session;

import io.mcppool.internal.transport.UpstreamLogs;
import io.mcppool.internal.protocol.Implementation;
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
 * @param logs           where the server's log notifications go, limited per minute for the whole endpoint
 */
public record SessionOptions(String server, Duration connectTimeout, List<Root> roots, Implementation clientInfo,
                             UpstreamLogs logs) {
    public static final Implementation CLIENT_INFO = new Implementation("mcp-pool", Version.current());

    public SessionOptions {
        roots = List.copyOf(roots);
        Objects.requireNonNull(logs, "logs");
    }

    public SessionOptions(String server, Duration connectTimeout, List<Root> roots, Implementation clientInfo) {
        this(server, connectTimeout, roots, clientInfo, UpstreamLogs.of(server));
    }

    public SessionOptions(String server, Duration connectTimeout) {
        this(server, connectTimeout, List.of(), CLIENT_INFO);
    }
}
