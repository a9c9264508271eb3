package io.mcppool.it.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.mcppool.call.CallOptions;
import io.mcppool.call.CallTimeoutException;
import io.mcppool.call.ErrorType;
import io.mcppool.McpPool;
import io.mcppool.call.UnknownToolException;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.PoolSettings;
import io.mcppool.config.ServerConfig;
import io.mcppool.events.CallContext;
import io.mcppool.events.CallOutcome;
import io.mcppool.events.PoolEvents;
import io.mcppool.events.SessionCloseReason;
import io.mcppool.testkit.TestkitCommand;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The event stream: what each step of a call and of a session's life reports, against a real server. */
class PoolEventsTest {

    /** Records every hook as one line, in order. */
    static final class Recorder implements PoolEvents {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        public void callStarted(CallContext call) {
            lines.add("start " + call.method() + " " + call.toolOrNull());
        }

        @Override
        public void acquireEnded(CallContext call, long waitedNanos, boolean acquired) {
            lines.add("acquired " + acquired + " " + call.toolOrNull());
        }

        @Override
        public void endpointPicked(CallContext call, String endpoint) {
            lines.add("picked " + call.toolOrNull());
        }

        @Override
        public void callEnded(CallContext call, CallOutcome outcome, ErrorType errorType, long durationNanos) {
            lines.add("end " + call.method() + " " + call.toolOrNull() + " " + outcome.tagValue() + " "
                    + (errorType == null ? "-" : errorType.tagValue()));
        }

        @Override
        public void sessionOpened(String server, String endpoint, String protocolVersion) {
            lines.add("session opened " + server + " " + protocolVersion);
        }

        @Override
        public void sessionClosed(String server, String endpoint, SessionCloseReason reason) {
            lines.add("session closed " + server + " " + reason.tagValue());
        }

        @Override
        public void processStarted(String server, String endpoint, long pid) {
            lines.add("process started " + server);
        }

        @Override
        public void processExited(String server, String endpoint, long pid, int exitCode, boolean expected) {
            lines.add("process exited " + server + (expected ? " expected" : " unexpected"));
        }

        List<String> matching(String prefix) {
            return lines.stream().filter(l -> l.startsWith(prefix)).toList();
        }
    }

    private static ServerConfig testkit(String name) {
        List<String> cmd = TestkitCommand.stdio();
        return ServerConfig.builder(name, new EndpointConfig.Stdio(cmd.get(0), cmd.subList(1, cmd.size()), Map.of(),
                        Optional.empty(), Duration.ofSeconds(2)))
                .pool(PoolSettings.builder().minSessions(1).maxSessions(1).build()).build();
    }

    @Test
    void callsReportTheirOutcomeAndErrorTypeBeforeTheCallerSeesThem() {
        Recorder events = new Recorder();
        try (McpPool pool = McpPool.builder().server(testkit("tk")).eventListener(events).build()) {
            pool.callTool("tk", "echo", Map.of("message", "a"));
            // exact at return: callEnded is reported before the caller gets the result
            assertThat(events.matching("end ")).containsExactly("end tools/call echo success -");
            pool.callTool("tk", "fail", Map.of("message", "nope"));
            assertThatThrownBy(() -> pool.callTool("tk", "sleep", Map.of("ms", 5000),
                    CallOptions.builder().timeout(Duration.ofMillis(200)).build())).isInstanceOf(CallTimeoutException.class);
            assertThatThrownBy(() -> pool.callTool("tk", "no_such_tool", Map.of())).isInstanceOf(UnknownToolException.class);
            pool.listTools("tk");
            assertThat(events.matching("end ")).containsExactly(
                    "end tools/call echo success -",
                    "end tools/call fail tool_error tool_error",
                    "end tools/call sleep failure timeout",
                    "end tools/call no_such_tool failure invalid_request",
                    "end tools/list null success -");
            assertThat(events.matching("start tools/call")).hasSize(4);
            assertThat(events.matching("acquired true echo")).hasSize(1);
            // hooks of one call come in order
            List<String> echo = events.lines.stream().filter(l -> l.endsWith(" echo") || l.contains(" echo ")).toList();
            assertThat(echo).containsExactly("start tools/call echo", "picked echo", "acquired true echo",
                    "end tools/call echo success -");
        }
    }

    @Test
    void sessionAndProcessLifecycleIsReportedWithReasons() {
        Recorder events = new Recorder();
        McpPool pool = McpPool.builder().server(testkit("life")).eventListener(events).build();
        try {
            pool.callTool("life", "echo", Map.of("message", "x"));
            assertThat(events.matching("session opened")).containsExactly("session opened life 2025-11-25");
            assertThat(events.matching("process started")).containsExactly("process started life");
            // the server crashes: the session is reported broken and the exit unexpected; a new one replaces it
            assertThatThrownBy(() -> pool.callTool("life", "crash", Map.of("exitCode", 3)));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(events.matching("session opened")).hasSize(2));
            assertThat(events.matching("session closed")).containsExactly("session closed life broken");
            assertThat(events.matching("process exited")).containsExactly("process exited life unexpected");
        } finally {
            pool.close();
        }
        // The pool may have been opening one more session when it closed (on a loaded machine, the replacement and
        // the catalog's listing can each ask for one): every session and process it ends at close is reported as
        // such, and every process started is reported exited, the crashed one alone as unexpected.
        List<String> closed = events.matching("session closed");
        assertThat(closed).hasSize(events.matching("session opened").size()).first().isEqualTo("session closed life broken");
        assertThat(closed.subList(1, closed.size())).isNotEmpty().allMatch("session closed life pool_closed"::equals);
        List<String> exited = events.matching("process exited");
        assertThat(exited).hasSize(events.matching("process started").size())
                .first().isEqualTo("process exited life unexpected");
        assertThat(exited.subList(1, exited.size())).isNotEmpty().allMatch("process exited life expected"::equals);
    }

    @Test
    void aProcessWhoseHandshakeFailsIsReportedStartedAndExited() {
        Recorder events = new Recorder();
        List<String> cmd = TestkitCommand.stdio("--hang-initialize");
        ServerConfig mute = ServerConfig.builder("mute", new EndpointConfig.Stdio(cmd.get(0), cmd.subList(1, cmd.size()),
                        Map.of(), Optional.empty(), Duration.ofSeconds(2)))
                .connectTimeout(Duration.ofMillis(500))
                .pool(PoolSettings.builder().minSessions(1).maxSessions(1).build()).build();
        McpPool pool = McpPool.builder().server(mute).eventListener(events).build();
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(events.matching("process exited")).isNotEmpty());
        } finally {
            pool.close();
        }
        // A listener that pairs exits with starts (a gauge of live processes) must see the start of a process that
        // never finished its handshake, before its exit.
        List<String> lifecycle = events.lines.stream().filter(l -> l.startsWith("process ")).toList();
        assertThat(lifecycle).isNotEmpty();
        int live = 0;
        for (String line : lifecycle) {
            live += line.startsWith("process started") ? 1 : -1;
            assertThat(live).as("processes started minus exited, along %s", lifecycle).isGreaterThanOrEqualTo(0);
        }
        assertThat(live).as("every process started is reported exited: %s", lifecycle).isZero();
        assertThat(events.matching("session opened")).isEmpty();
    }

    @Test
    void aListenerAddedToARunningPoolSeesLaterCalls() {
        try (McpPool pool = McpPool.builder().server(testkit("late")).build()) {
            pool.callTool("late", "echo", Map.of("message", "before"));
            Recorder events = new Recorder();
            pool.addEventListener(events);
            pool.callTool("late", "echo", Map.of("message", "after"));
            assertThat(events.matching("end ")).containsExactly("end tools/call echo success -");
            assertThat(pool.removeEventListener(events)).isTrue();
            pool.callTool("late", "echo", Map.of("message", "gone"));
            assertThat(events.matching("end ")).hasSize(1);
        }
    }
}
