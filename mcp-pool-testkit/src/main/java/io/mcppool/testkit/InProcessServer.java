package io.mcppool.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.protocol.Tool;
import io.mcppool.protocol.ToolAnnotations;
import io.mcppool.transport.Transport;
import io.mcppool.transport.TransportFactory;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A testkit server inside the JVM, reached through ordinary {@link Transport}s: no process, no
 * socket. Give its {@link #transportFactory()} to whatever you test (a pool, a session) in place of
 * a stdio or HTTP transport.
 *
 * <pre>{@code
 * InProcessServer server = InProcessServer.builder()
 *         .tool("lookup", schema, ctx -> CallToolResult.text(find(ctx.arguments().path("q").asText())))
 *         .build();
 * TransportFactory factory = server.transportFactory();
 * }</pre>
 *
 * Each transport is one MCP session (its own {@code counter}); all transports share the server's
 * state, as sessions of one HTTP server do, so {@code stats} and {@code record} see every call.
 * Messages travel as encoded JSON (each side gets its own copy, and what cannot be encoded fails
 * here as it would on a wire) and are delivered on a separate thread per direction, in order,
 * never on the sender's stack: a listener may send from inside {@code onMessage} without deadlock.
 * The {@code crash} tool closes the calling transport with a {@link io.mcppool.transport.TransportException}.
 */
public final class InProcessServer {
    private final TestServer server;
    private final AtomicInteger connectionNumbers = new AtomicInteger();
    private final Set<InProcessTransport> open = ConcurrentHashMap.newKeySet();
    private volatile boolean available = true;

    private InProcessServer(TestServer server) {
        this.server = server;
    }

    /** A server with the built-in tools and default options. */
    public static InProcessServer create() {
        return new InProcessServer(TestServer.create());
    }

    public static InProcessServer of(TestServer server) {
        return new InProcessServer(server);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Makes a new, unstarted connection to this server per call. */
    public TransportFactory transportFactory() {
        return this::newTransport;
    }

    public Transport newTransport() {
        return new InProcessTransport(this, connectionNumbers.incrementAndGet());
    }

    public TestServer server() {
        return server;
    }

    /** Connections started and not yet closed. */
    public int openConnections() {
        return open.size();
    }

    /**
     * While false, starting a transport fails as a refused connection would (a
     * {@link io.mcppool.transport.TransportException} with {@code isConnectFailure()}). Open
     * connections are not touched; see {@link #disconnectAll()}.
     */
    public void available(boolean value) {
        available = value;
    }

    /** Closes every open connection with an error, as a server dying would. Returns how many. */
    public int disconnectAll() {
        List<InProcessTransport> all = List.copyOf(open);
        for (InProcessTransport t : all) {
            t.disconnect();
        }
        return all.size();
    }

    boolean isAvailable() {
        return available;
    }

    void opened(InProcessTransport t) {
        open.add(t);
    }

    void closed(InProcessTransport t) {
        open.remove(t);
    }

    /** Same choices as {@link TestServer.Builder}, ending in an in-process server. */
    public static final class Builder {
        private final TestServer.Builder server = TestServer.builder();

        private Builder() {
        }

        public Builder options(TestkitOptions options) {
            server.options(options);
            return this;
        }

        public Builder builtinTools(boolean value) {
            server.builtinTools(value);
            return this;
        }

        public Builder tool(Tool tool, ToolHandler handler) {
            server.tool(tool, handler);
            return this;
        }

        public Builder tool(String name, JsonNode inputSchema, ToolHandler handler) {
            server.tool(name, inputSchema, handler);
            return this;
        }

        public Builder tool(String name, String description, JsonNode inputSchema, ToolHandler handler) {
            server.tool(name, description, inputSchema, handler);
            return this;
        }

        public Builder tool(String name, JsonNode inputSchema, ToolAnnotations annotations, ToolHandler handler) {
            server.tool(name, inputSchema, annotations, handler);
            return this;
        }

        public InProcessServer build() {
            return new InProcessServer(server.build());
        }
    }
}
