package io.mcppool.session;

import io.mcppool.protocol.Implementation;
import io.mcppool.protocol.Root;
import java.time.Duration;
import java.util.List;

/**
 * What a session needs beyond its transport.
 *
 * @param server         the server's configured name, for logs and errors
 * @param connectTimeout how long the handshake may take
 * @param roots          answered to {@code roots/list}; the capability is declared only when there are some
 */
public record SessionOptions(String server, Duration connectTimeout, List<Root> roots, Implementation clientInfo) {
    public static final Implementation CLIENT_INFO = new Implementation("mcp-pool", Version.current());

    public SessionOptions {
        roots = List.copyOf(roots);
    }

    public SessionOptions(String server, Duration connectTimeout) {
        this(server, connectTimeout, List.of(), CLIENT_INFO);
    }
}
