package io.mcppool.it.catalog;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.McpPool;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.PoolSettings;
import io.mcppool.config.ServerConfig;
import io.mcppool.protocol.JsonRpcMessage;
import io.mcppool.protocol.JsonRpcNotification;
import io.mcppool.testkit.TestkitCommand;
import io.mcppool.internal.transport.StdioTransport;
import io.mcppool.transport.Transport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.LoggerFactory;

/** Testkit stdio servers for the catalog tests, and ways to watch what they were sent. */
final class Testkit {
    private Testkit() {
    }

    static EndpointConfig.Stdio stdio(String... args) {
        List<String> cmd = TestkitCommand.stdio(args);
        return new EndpointConfig.Stdio(cmd.get(0), cmd.subList(1, cmd.size()), Map.of(), Optional.empty(),
                Duration.ofSeconds(2));
    }

    /** One session, so every listing and call of a test goes to one process. */
    static ServerConfig.Builder server(String name, EndpointConfig endpoint) {
        return ServerConfig.builder(name, endpoint)
                .callTimeout(Duration.ofSeconds(20))
                .connectTimeout(Duration.ofSeconds(30))
                .pool(PoolSettings.builder().minSessions(1).maxSessions(1).build());
    }

    static JsonNode stats(McpPool pool, String server) {
        return pool.callTool(server, "stats", Map.of()).structuredContent();
    }

    /**
     * A testkit server whose {@code notifications/<kind>/list_changed} are lost on the way, as from a server
     * that changes its lists without saying so (the testkit always says so). Everything else passes unchanged.
     */
    static EndpointConfig.Custom withoutListChangedNotices(String server, EndpointConfig.Stdio stdio) {
        return new EndpointConfig.Custom("testkit without list_changed", () -> new NoticeDropping(
                new StdioTransport(server, stdio, ServerConfig.DEFAULT_MAX_MESSAGE_BYTES)));
    }

    private record NoticeDropping(Transport inner) implements Transport {
        @Override
        public void start(Listener listener) {
            inner.start(new Listener() {
                @Override
                public void onMessage(JsonRpcMessage message) {
                    if (!(message instanceof JsonRpcNotification n && n.method().endsWith("/list_changed"))) {
                        listener.onMessage(message);
                    }
                }

                @Override
                public void onClosed(Throwable cause) {
                    listener.onClosed(cause);
                }
            });
        }

        @Override
        public CompletableFuture<Void> send(JsonRpcMessage message) {
            return inner.send(message);
        }

        @Override
        public void protocolVersionNegotiated(String version) {
            inner.protocolVersionNegotiated(version);
        }

        @Override
        public String describe() {
            return inner.describe();
        }

        @Override
        public boolean isOpen() {
            return inner.isOpen();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    /**
     * The stderr lines of a pool's stdio server, which the pool logs to {@code mcp.server.<server>.stderr}: with
     * {@code --stderr-noise} the testkit writes one per request it receives ({@code ... request <id> <method>}),
     * so a test can count what the server was sent.
     */
    static final class Stderr implements AutoCloseable {
        private final Logger logger;
        private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

        Stderr(String server) {
            logger = (Logger) LoggerFactory.getLogger("mcp.server." + server + ".stderr");
            appender.setContext(logger.getLoggerContext());
            appender.start();
            logger.addAppender(appender);
            logger.setLevel(Level.INFO);
            logger.setAdditive(false);
        }

        /** Requests of {@code method} the server received so far. */
        long requests(String method) {
            synchronized (appender) { // AppenderBase appends under the appender's monitor
                return appender.list.stream().filter(e -> e.getFormattedMessage().endsWith(" " + method)).count();
            }
        }

        @Override
        public void close() {
            logger.detachAppender(appender);
            appender.stop();
            logger.setLevel(null);
            logger.setAdditive(true);
        }
    }
}
