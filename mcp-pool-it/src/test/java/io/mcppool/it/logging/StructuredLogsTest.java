package io.mcppool.it.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.mcppool.call.CallOptions;
import io.mcppool.call.CallTimeoutException;
import io.mcppool.McpPool;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.ServerConfig;
import io.mcppool.logging.LoggingEvents;
import io.mcppool.testkit.TestkitHttpServer;
import io.mcppool.testkit.TestkitOptions;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** The logging listener against real servers: the lines, their levels and MDC, and no secrets in any log. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StructuredLogsTest {
    private static final String ENV_SECRET = "env-secret-value-42";
    private static final String HEADER_SECRET = "header-secret-value-77";
    private static final String QUERY_SECRET = "query-secret-value-99";

    /** Everything every logger logs at DEBUG and above while open; the MDC is taken when the line is logged. */
    private static final class Capture implements AutoCloseable {
        private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        private final Level rootLevel = root.getLevel();
        private final List<Logger> quieted = new ArrayList<>();
        private final List<Level> quietedLevels = new ArrayList<>();
        private final ListAppender<ILoggingEvent> appender = new ListAppender<>() {
            @Override
            protected void append(ILoggingEvent e) {
                e.prepareForDeferredProcessing();
                super.append(e);
            }
        };

        Capture() {
            appender.setContext(root.getLoggerContext());
            appender.start();
            root.addAppender(appender);
            root.setLevel(Level.DEBUG);
            // loggers the test config pins to a level: open them up for the duration
            for (String name : List.of("io.mcppool", "mcp.server")) {
                Logger l = (Logger) LoggerFactory.getLogger(name);
                quieted.add(l);
                quietedLevels.add(l.getLevel());
                l.setLevel(Level.DEBUG);
            }
        }

        List<ILoggingEvent> all() {
            synchronized (appender) {
                return List.copyOf(appender.list);
            }
        }

        List<ILoggingEvent> from(String logger) {
            return all().stream().filter(e -> e.getLoggerName().equals(logger)).toList();
        }

        @Override
        public void close() {
            root.detachAppender(appender);
            root.setLevel(rootLevel);
            for (int i = 0; i < quieted.size(); i++) {
                quieted.get(i).setLevel(quietedLevels.get(i));
            }
            appender.stop();
        }
    }

    private static String text(ILoggingEvent e) {
        StringBuilder sb = new StringBuilder(e.getLoggerName()).append(' ').append(e.getFormattedMessage()).append(' ')
                .append(e.getMDCPropertyMap());
        for (var t = e.getThrowableProxy(); t != null; t = t.getCause()) {
            sb.append(' ').append(t.getMessage());
        }
        return sb.toString();
    }

    private static ILoggingEvent only(List<ILoggingEvent> lines, String fragment) {
        List<ILoggingEvent> found = lines.stream().filter(e -> e.getFormattedMessage().contains(fragment)).toList();
        assertThat(found).as("lines containing '%s' in %s", fragment,
                lines.stream().map(ILoggingEvent::getFormattedMessage).toList()).hasSize(1);
        return found.get(0);
    }

    @Test
    void sessionLifecycleAtInfoCallsAtDebugFailuresAtWarnWithMdcAndNoEnvSecret() {
        long pid;
        List<ILoggingEvent> sessions;
        List<ILoggingEvent> calls;
        try (Capture log = new Capture()) {
            try (McpPool pool = McpPool.builder().server(Testkit.stdio("tk", Map.of("MCP_SECRET_TOKEN", ENV_SECRET)))
                    .eventListener(LoggingEvents.create()).build()) {
                pool.callTool("tk", "echo", Map.of("message", "hello"));
                pool.callTool("tk", "fail", Map.of("message", "nope"));
                assertThatThrownBy(() -> pool.callTool("tk", "sleep", Map.of("ms", 5000),
                        CallOptions.builder().timeout(Duration.ofMillis(200)).build()))
                        .isInstanceOf(CallTimeoutException.class);
                pid = pool.callTool("tk", "stats", Map.of()).structuredContent().path("pid").asLong();
            }
            sessions = log.from("mcp.pool.sessions");
            calls = log.from("mcp.pool.calls");
            assertThat(log.all()).as("no line of any logger shows the env value")
                    .noneMatch(e -> text(e).contains(ENV_SECRET));
        }
        ILoggingEvent started = only(sessions, "process " + pid + " started");
        assertThat(started.getLevel()).isEqualTo(Level.INFO);
        assertThat(started.getMDCPropertyMap()).containsEntry("server", "tk").containsEntry("pid", Long.toString(pid))
                .containsEntry("event", "process_started");
        assertThat(started.getMDCPropertyMap().get("endpoint")).startsWith("java ");
        ILoggingEvent opened = only(sessions, "session opened, protocol 2025-11-25");
        assertThat(opened.getLevel()).isEqualTo(Level.INFO);
        ILoggingEvent closed = only(sessions, "session closed: pool_closed");
        assertThat(closed.getLevel()).isEqualTo(Level.INFO);
        ILoggingEvent exited = only(sessions, "process " + pid + " exited");
        assertThat(exited.getLevel()).isEqualTo(Level.INFO);
        assertThat(exited.getFormattedMessage()).endsWith("(stopped by the pool)");
        assertThat(sessions).extracting(ILoggingEvent::getLevel).containsOnly(Level.INFO);

        assertThat(calls).extracting(e -> e.getMDCPropertyMap().get("tool"))
                .containsExactly("echo", "fail", "sleep", "stats");
        assertThat(calls).extracting(ILoggingEvent::getLevel)
                .containsExactly(Level.DEBUG, Level.DEBUG, Level.WARN, Level.DEBUG);
        assertThat(calls).extracting(e -> e.getMDCPropertyMap().get("outcome"))
                .containsExactly("success", "tool_error", "failure", "success");
        assertThat(calls.get(2).getMDCPropertyMap()).containsEntry("error_type", "timeout")
                .containsEntry("server", "tk").containsEntry("method", "tools/call");
        assertThat(Double.parseDouble(calls.get(2).getMDCPropertyMap().get("duration_ms"))).isBetween(150.0, 4000.0);
        // Each call carries its JSON-RPC id; on one session they are distinct.
        assertThat(calls).extracting(e -> e.getMDCPropertyMap().get("request_id")).allMatch(id -> id.matches("[0-9]+"))
                .doesNotHaveDuplicates();
        assertThat(calls.get(0).getFormattedMessage()).startsWith("tools/call echo on server 'tk' (java ")
                .contains("): success in ");
    }

    @Test
    void headerValuesAreNeverLoggedAndTheListenerMasksSecretsInTheUrl() {
        List<ILoggingEvent> all;
        String base;
        try (Capture log = new Capture();
             TestkitHttpServer http = TestkitHttpServer.start(TestkitOptions.defaults())) {
            base = http.url();
            URI url = URI.create(http.url() + "?api_key=" + QUERY_SECRET);
            ServerConfig server = ServerConfig.builder("remote", new EndpointConfig.Http(url,
                    Map.of("Authorization", "Bearer " + HEADER_SECRET, "X-Api-Key", HEADER_SECRET))).build();
            try (McpPool pool = McpPool.builder().server(server).eventListener(LoggingEvents.create()).build()) {
                pool.callTool("remote", "echo", Map.of("message", "hello"));
                assertThat(http.lastHeaders()).containsEntry("authorization", "Bearer " + HEADER_SECRET);
            }
            all = log.all();
        }
        assertThat(all).as("no line of any logger shows a header value").noneMatch(e -> text(e).contains(HEADER_SECRET));
        List<ILoggingEvent> ours = all.stream().filter(e -> e.getLoggerName().startsWith("mcp.pool.")).toList();
        assertThat(ours).isNotEmpty().noneMatch(e -> text(e).contains(QUERY_SECRET));
        assertThat(ours).filteredOn(e -> e.getMDCPropertyMap().containsKey("endpoint"))
                .allSatisfy(e -> assertThat(e.getMDCPropertyMap().get("endpoint")).isEqualTo(base + "?***"));
        // The engine's own lines still show the URL as configured, query included (reported, not fixed here).
        all.stream().filter(e -> !e.getLoggerName().startsWith("mcp.pool.") && text(e).contains(QUERY_SECRET))
                .forEach(e -> System.out.println("engine line with the URL's query: " + e.getLevel() + " "
                        + e.getLoggerName() + " - " + e.getFormattedMessage()));
    }
}
