package io.mcppool.testing;

import io.mcppool.internal.pool.SessionFactory;
import io.mcppool.protocol.JsonRpcRequest;
import io.mcppool.internal.session.McpSession;
import io.mcppool.internal.session.SessionOptions;
import io.mcppool.transport.TransportFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * One endpoint played by the test: each connection a pool opens is a new {@link FakeTransport}, set up by
 * {@link #setup} (how the server behaves from its first message) and kept in order for the test to drive.
 */
public final class FakeServer implements TransportFactory {
    private final String name;
    private final List<FakeTransport> transports = new CopyOnWriteArrayList<>();
    private volatile Consumer<FakeTransport> setup = t -> { };

    public FakeServer(String name) {
        this.name = name;
    }

    /** How each new connection behaves; applies to connections made from now on. */
    public FakeServer setup(Consumer<FakeTransport> setup) {
        this.setup = setup;
        return this;
    }

    @Override
    public FakeTransport create() {
        FakeTransport t = new FakeTransport(name + " #" + (transports.size() + 1));
        setup.accept(t);
        transports.add(t);
        return t;
    }

    /** Sessions over this server's connections, with their deadlines on {@code timer}. */
    public SessionFactory sessions(ScheduledExecutorService timer, Duration connectTimeout) {
        SessionOptions options = new SessionOptions(name, connectTimeout);
        return listener -> new McpSession(create(), options, timer, listener);
    }

    /** Every connection made so far, oldest first. */
    public List<FakeTransport> connections() {
        return List.copyOf(transports);
    }

    /** The connection made last; fails when none was. */
    public FakeTransport last() {
        if (transports.isEmpty()) {
            throw new AssertionError(name + ": no connection was made");
        }
        return transports.get(transports.size() - 1);
    }

    @Override
    public String toString() {
        return name;
    }

    /** The requests of {@code method} over every connection. */
    public List<JsonRpcRequest> requests(String method) {
        return transports.stream().flatMap(t -> t.requests(method).stream()).toList();
    }
}
