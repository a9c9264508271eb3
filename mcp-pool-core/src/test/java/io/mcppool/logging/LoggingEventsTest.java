package io.mcppool.logging;

import io.mcppool.status.HealthStatus;
import io.mcppool.status.BreakerState;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.mcppool.call.ErrorType;
import io.mcppool.events.CallContext;
import io.mcppool.events.CallOutcome;
import io.mcppool.events.SessionCloseReason;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** The logging listener driven hook by hook: lines, levels and MDC. */
class LoggingEventsTest {
    private static final String STDIO = "npx -y @modelcontextprotocol/server-filesystem /srv/data";
    private final LoggingEvents logging = LoggingEvents.create();

    @AfterEach
    void clearMdc() {
        MDC.clear();
    }

    private static CallContext call(String tool, String endpoint) {
        CallContext call = new CallContext("files", "tools/call", tool, System.nanoTime());
        call.endpoint(endpoint);
        return call;
    }

    @Test
    void aSuccessfulCallIsOneDebugLineWithItsFactsInTheMdc() {
        try (LogCapture log = LogCapture.all(Level.DEBUG)) {
            CallContext call = call("read_file", STDIO);
            call.putMeta("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
            logging.callStarted(call);
            logging.endpointPicked(call, STDIO);
            logging.acquireStarted(call);
            logging.acquireEnded(call, 1000, true);
            call.sent(42, "sess-1");
            logging.callEnded(call, CallOutcome.SUCCESS, null, TimeUnit.MICROSECONDS.toNanos(3250));
            ILoggingEvent line = log.only();
            assertThat(line.getLevel()).isEqualTo(Level.DEBUG);
            assertThat(line.getLoggerName()).isEqualTo("mcp.pool.calls");
            assertThat(line.getFormattedMessage())
                    .isEqualTo("tools/call read_file on server 'files' (" + STDIO + "): success in 3.3 ms");
            assertThat(line.getMDCPropertyMap()).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                    Map.entry("event", "call"),
                    Map.entry("server", "files"),
                    Map.entry("endpoint", STDIO),
                    Map.entry("method", "tools/call"),
                    Map.entry("tool", "read_file"),
                    Map.entry("outcome", "success"),
                    Map.entry("duration_ms", "3.3"),
                    Map.entry("request_id", "42"),
                    Map.entry("session_id", "sess-1"),
                    Map.entry("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"),
                    Map.entry("span_id", "00f067aa0ba902b7")));
        }
    }

    @Test
    void aToolErrorIsDebugAndOtherFailuresAreWarn() {
        try (LogCapture log = LogCapture.all(Level.DEBUG)) {
            logging.callEnded(call("fail", STDIO), CallOutcome.TOOL_ERROR, ErrorType.TOOL_ERROR, 1_000_000);
            logging.callEnded(call("sleep", STDIO), CallOutcome.FAILURE, ErrorType.TIMEOUT, 200_000_000);
            logging.callEnded(call("sleep", STDIO), CallOutcome.FAILURE, ErrorType.CANCELLED, 5_000_000);
            logging.callEnded(call("read_file", null), CallOutcome.FAILURE, ErrorType.POOL_EXHAUSTED, 5_000_000_000L);
            List<ILoggingEvent> lines = log.events();
            assertThat(lines).extracting(ILoggingEvent::getLevel)
                    .containsExactly(Level.DEBUG, Level.WARN, Level.DEBUG, Level.WARN);
            assertThat(lines).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                    "tools/call fail on server 'files' (" + STDIO + "): tool_error in 1.0 ms",
                    "tools/call sleep on server 'files' (" + STDIO + "): failure (timeout) in 200.0 ms",
                    "tools/call sleep on server 'files' (" + STDIO + "): failure (cancelled) in 5.0 ms",
                    "tools/call read_file on server 'files': failure (pool_exhausted) in 5000.0 ms");
            assertThat(lines.get(0).getMDCPropertyMap()).containsEntry("outcome", "tool_error")
                    .containsEntry("error_type", "tool_error");
            assertThat(lines.get(1).getMDCPropertyMap()).containsEntry("outcome", "failure")
                    .containsEntry("error_type", "timeout");
            assertThat(lines.get(3).getMDCPropertyMap()).doesNotContainKey("endpoint");
        }
    }

    @Test
    void atInfoOnlyFailuresOfCallsAreLogged() {
        try (LogCapture log = LogCapture.all(Level.INFO)) {
            logging.callEnded(call("read_file", STDIO), CallOutcome.SUCCESS, null, 1);
            logging.callEnded(call("fail", STDIO), CallOutcome.TOOL_ERROR, ErrorType.TOOL_ERROR, 1);
            logging.retryScheduled(call("read_file", STDIO), 2, Duration.ofMillis(100), ErrorType.TRANSPORT_FAILURE);
            logging.cacheHit("files", "read_file");
            logging.callEnded(call("read_file", STDIO), CallOutcome.FAILURE, ErrorType.TRANSPORT_FAILURE, 1);
            assertThat(log.only().getLevel()).isEqualTo(Level.WARN);
        }
    }

    @Test
    void theFailureLevelIsAChoice() {
        LoggingEvents quiet = LoggingEvents.builder().failureLevel(org.slf4j.event.Level.DEBUG).build();
        try (LogCapture log = LogCapture.all(Level.INFO)) {
            quiet.callEnded(call("read_file", STDIO), CallOutcome.FAILURE, ErrorType.TIMEOUT, 1);
            assertThat(log.events()).isEmpty();
        }
    }

    @Test
    void retriesAndCacheAnswersAreDebugAndTrace() {
        try (LogCapture log = LogCapture.all(Level.TRACE)) {
            logging.retryScheduled(call("read_file", STDIO), 2, Duration.ofMillis(100), ErrorType.TRANSPORT_FAILURE);
            logging.cacheHit("files", "read_file");
            logging.cacheMiss("files", "read_file");
            assertThat(log.events()).extracting(ILoggingEvent::getLevel).containsExactly(Level.DEBUG, Level.TRACE,
                    Level.TRACE);
            assertThat(log.messages()).containsExactly(
                    "tools/call read_file on server 'files': attempt 2 in 100 ms after transport_failure",
                    "read_file on server 'files': result cache hit",
                    "read_file on server 'files': result cache miss");
            assertThat(log.events().get(0).getMDCPropertyMap()).containsEntry("event", "retry")
                    .containsEntry("error_type", "transport_failure").containsEntry("tool", "read_file");
        }
    }

    @Test
    void sessionAndProcessLifecycleIsOneLineEachAtInfoAndCrashesAtWarn() {
        try (LogCapture log = LogCapture.all(Level.DEBUG)) {
            logging.processStarted("files", STDIO, 4242);
            logging.sessionOpened("files", STDIO, "2025-11-25");
            logging.sessionClosed("files", STDIO, SessionCloseReason.BROKEN);
            logging.processExited("files", STDIO, 4242, 3, false);
            logging.processRestarted("files", STDIO, 4343, 1);
            logging.sessionClosed("files", STDIO, SessionCloseReason.POOL_CLOSED);
            logging.processExited("files", STDIO, 4343, -1, true);
            logging.sessionOpenFailed("files", STDIO, new RuntimeException("cannot start 'npx': No such file"));
            List<ILoggingEvent> lines = log.events();
            assertThat(lines).extracting(ILoggingEvent::getLoggerName).containsOnly("mcp.pool.sessions");
            assertThat(lines).extracting(ILoggingEvent::getLevel).containsExactly(Level.INFO, Level.INFO, Level.INFO,
                    Level.WARN, Level.INFO, Level.INFO, Level.INFO, Level.WARN);
            String at = "server 'files' (" + STDIO + "): ";
            assertThat(log.messages()).containsExactly(
                    at + "process 4242 started",
                    at + "session opened, protocol 2025-11-25",
                    at + "session closed: broken",
                    at + "process 4242 exited with code 3 on its own",
                    at + "process restarted as 4343 (restart 1)",
                    at + "session closed: pool_closed",
                    at + "process 4343 exited with code unknown (stopped by the pool)",
                    at + "opening a session failed: cannot start 'npx': No such file");
            assertThat(lines).allSatisfy(l -> assertThat(l.getMDCPropertyMap())
                    .containsEntry("server", "files").containsEntry("endpoint", STDIO));
            assertThat(lines).extracting(l -> l.getMDCPropertyMap().get("event")).containsExactly("process_started",
                    "session_opened", "session_closed", "process_exited", "process_restarted", "session_closed",
                    "process_exited", "session_open_failed");
            assertThat(lines.get(0).getMDCPropertyMap()).containsEntry("pid", "4242");
            assertThat(lines.get(1).getMDCPropertyMap()).doesNotContainKey("pid");
        }
    }

    @Test
    void breakerHealthAndReloadsGoToTheStateLogger() {
        try (LogCapture log = LogCapture.all(Level.DEBUG)) {
            logging.breakerStateChanged("files", STDIO, BreakerState.CLOSED, BreakerState.OPEN);
            logging.breakerStateChanged("files", STDIO, BreakerState.OPEN, BreakerState.HALF_OPEN);
            logging.healthChanged("files", STDIO, HealthStatus.HEALTHY, HealthStatus.UNHEALTHY, "3 pings failed");
            logging.healthChanged("files", STDIO, HealthStatus.UNHEALTHY, HealthStatus.HEALTHY, null);
            logging.configReloaded(List.of("search"), List.of(), List.of("files"));
            assertThat(log.events()).extracting(ILoggingEvent::getLevel).containsExactly(Level.WARN, Level.INFO,
                    Level.WARN, Level.INFO, Level.INFO);
            assertThat(log.events()).extracting(ILoggingEvent::getLoggerName).containsOnly("mcp.pool.state");
            assertThat(log.messages()).containsExactly(
                    "server 'files' (" + STDIO + "): circuit breaker closed -> open",
                    "server 'files' (" + STDIO + "): circuit breaker open -> half_open",
                    "server 'files' (" + STDIO + "): health healthy -> unhealthy: 3 pings failed",
                    "server 'files' (" + STDIO + "): health unhealthy -> healthy",
                    "config reloaded: added [search], removed [], changed [files]");
        }
    }

    @Test
    void theCallersOwnMdcIsLeftAsItWas() {
        MDC.put("server", "the app's own");
        MDC.put("user", "alice");
        try (LogCapture log = LogCapture.all(Level.DEBUG)) {
            logging.callEnded(call("read_file", STDIO), CallOutcome.SUCCESS, null, 1);
            logging.sessionOpened("files", STDIO, "2025-11-25");
            assertThat(log.events()).allSatisfy(l -> assertThat(l.getMDCPropertyMap())
                    .containsEntry("server", "files").containsEntry("user", "alice"));
        }
        assertThat(MDC.getCopyOfContextMap()).containsExactlyInAnyOrderEntriesOf(
                Map.of("server", "the app's own", "user", "alice"));
    }

    @Test
    void mdcKeysCanBePrefixedAndLoggersRenamed() {
        LoggingEvents custom = LoggingEvents.builder().mdcPrefix("mcp.").loggerPrefix("app.mcp").build();
        try (LogCapture log = new LogCapture(Level.DEBUG, "app.mcp.calls")) {
            custom.callEnded(call("read_file", STDIO), CallOutcome.SUCCESS, null, 1);
            assertThat(log.only().getMDCPropertyMap()).containsEntry("mcp.server", "files")
                    .containsEntry("mcp.tool", "read_file").doesNotContainKey("server");
        }
    }

    @Test
    void secretsInEndpointLabelsAndFailureMessagesAreMasked() {
        String url = "https://bot:hunter2@mcp.example.com/mcp?api_key=sk-live-0123456789abcdef";
        String stdio = "server --token ghp_0123456789abcdefghijABCDEFGHIJ --port 3000";
        try (LogCapture log = LogCapture.all(Level.DEBUG)) {
            logging.sessionOpened("remote", url, "2025-11-25");
            logging.callEnded(call("read_file", stdio), CallOutcome.SUCCESS, null, 1);
            logging.sessionOpenFailed("remote", url, new RuntimeException("cannot connect to " + url + ": refused"));
            logging.healthChanged("remote", url, HealthStatus.HEALTHY, HealthStatus.UNHEALTHY, "HTTP 401 with Authorization: Bearer abcdef123456");
            for (ILoggingEvent line : log.events()) {
                String all = line.getFormattedMessage() + " " + line.getMDCPropertyMap();
                assertThat(all).doesNotContain("hunter2", "sk-live", "ghp_0123", "abcdef123456");
            }
            assertThat(log.events().get(0).getMDCPropertyMap()).containsEntry("endpoint",
                    "https://***@mcp.example.com/mcp?***");
            assertThat(log.events().get(1).getMDCPropertyMap()).containsEntry("endpoint",
                    "server --token *** --port 3000");
        }
    }

    @Test
    void disabledLevelsCostNoMdcWork() {
        try (LogCapture log = LogCapture.all(Level.ERROR)) {
            logging.callEnded(call("read_file", STDIO), CallOutcome.FAILURE, ErrorType.TIMEOUT, 1);
            logging.sessionOpened("files", STDIO, "2025-11-25");
            logging.processExited("files", STDIO, 1, 1, false);
            assertThat(log.events()).isEmpty();
            assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
        }
    }
}
