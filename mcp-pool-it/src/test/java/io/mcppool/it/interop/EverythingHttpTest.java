package io.mcppool.it.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mcppool.call.CallOptions;
import io.mcppool.McpPool;
import io.mcppool.config.EndpointConfig;
import io.mcppool.it.interop.Interop.ProgressLog;
import io.mcppool.protocol.CallToolResult;
import io.mcppool.protocol.Progress;
import io.mcppool.protocol.Tool;
import java.io.IOException;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pool against {@code @modelcontextprotocol/server-everything}'s Streamable HTTP transport
 * ({@code node dist/index.js streamableHttp}, port from {@code PORT}), kept on 127.0.0.1 by
 * {@link LoopbackNode}'s preloaded guard. One server process for the class, one pool per test.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EverythingHttpTest {
    private static final String SERVER = "everything-http";
    private static final Pattern SESSION_INITIALIZED = Pattern.compile("Session initialized with ID: (\\S+)");

    private static LoopbackNode node;

    @BeforeAll
    static void startServer() {
        node = LoopbackNode.everythingHttp();
    }

    @AfterAll
    static void stopServer() {
        if (node != null) {
            node.close();
            assertThat(node.isAlive()).isFalse();
        }
    }

    private static McpPool pool() {
        return Interop.pool(SERVER, new EndpointConfig.Http(node.uri("/mcp")), 1, 1);
    }

    private static List<String> sessionIds(String log) {
        Matcher m = SESSION_INITIALIZED.matcher(log);
        List<String> ids = new java.util.ArrayList<>();
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }

    @Test
    void listensOnLoopbackOnly() {
        assertThat(node.accepts(InetAddress.getLoopbackAddress())).isTrue();
        Optional<InetAddress> other = LoopbackNode.nonLoopbackAddress();
        other.ifPresent(address -> assertThat(node.accepts(address))
                .as("server-everything must not be reachable on %s", address).isFalse());
    }

    @Test
    void listToolsEchoAndGetSum() {
        try (McpPool pool = pool()) {
            List<Tool> tools = pool.listTools(SERVER);
            assertThat(Interop.names(tools)).contains("echo", "get-sum", "trigger-long-running-operation");
            assertThat(pool.callTool(SERVER, "echo", Map.of("message", "over streamable http")).text())
                    .isEqualTo("Echo: over streamable http");
            assertThat(pool.callTool(SERVER, "get-sum", Map.of("a", 1.5, "b", 2)).text())
                    .isEqualTo("The sum of 1.5 and 2 is 3.5.");
        }
    }

    @Test
    void progressArrivesOverSse() {
        try (McpPool pool = pool()) {
            ProgressLog progress = new ProgressLog();
            CallToolResult r = pool.callTool(SERVER, "trigger-long-running-operation",
                    Map.of("duration", 1, "steps", 4),
                    CallOptions.builder().onProgress(progress).timeout(Duration.ofSeconds(20)).build());
            assertThat(r.text()).isEqualTo("Long running operation completed. Duration: 1 seconds, Steps: 4.");
            assertThat(progress.values()).containsExactly(1.0, 2.0, 3.0, 4.0);
            assertThat(progress.all()).extracting(Progress::total).containsOnly(4.0);
        }
    }

    /**
     * The reference server never expires a session by itself, so make it forget one honestly: end
     * the process and start a new one on the same port. The old session id is then unknown, which
     * it answers with HTTP 400 "No valid session ID provided" (checked first with a plain request);
     * the pool's next call must still succeed, through a new {@code initialize}.
     */
    @Test
    void restartedServerMeansANewSessionTransparently() throws IOException, InterruptedException {
        try (McpPool pool = pool()) {
            assertThat(pool.callTool(SERVER, "echo", Map.of("message", "before restart")).text())
                    .isEqualTo("Echo: before restart");
            List<String> before = sessionIds(node.log());
            assertThat(before).as("sessions the first process initialized").isNotEmpty();
            String oldSession = before.get(before.size() - 1);
            // The catalog's listings must not be what meets the stopped server (their failures count too).
            Interop.quiet(pool, SERVER);

            node.restart();
            assertThat(sessionIds(node.log())).as("the new process knows no session yet").isEmpty();

            // what the pool is about to meet: the old id is unknown to the new process
            HttpResponse<String> probe = rawPost(oldSession,
                    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{}}");
            assertThat(probe.statusCode()).isEqualTo(400);
            assertThat(probe.body()).contains("No valid session ID provided");

            CallToolResult after = pool.callTool(SERVER, "echo", Map.of("message", "after restart"));
            assertThat(after.text()).isEqualTo("Echo: after restart");
            List<String> afterIds = sessionIds(node.log());
            assertThat(afterIds).as("sessions the restarted process initialized").hasSize(1);
            assertThat(afterIds.get(0)).isNotEqualTo(oldSession);

            // the new session keeps working, progress included
            ProgressLog progress = new ProgressLog();
            pool.callTool(SERVER, "trigger-long-running-operation", Map.of("duration", 0.3, "steps", 2),
                    CallOptions.builder().onProgress(progress).build());
            assertThat(progress.values()).containsExactly(1.0, 2.0);
        }
    }

    /**
     * Plain sequential calls must not fail. Regression test: the transport used to close an SSE
     * response body as soon as the awaited response arrived; the JDK client then raced closing that
     * connection with handing it back to its pool, and about 1 call in 250 failed with "connection
     * closed locally". The transport now reads each stream to its end (the server ends it right
     * after the response).
     */
    @Test
    @DisplayName("a thousand sequential Streamable HTTP calls all succeed")
    void aThousandSequentialCallsAllSucceed() {
        try (McpPool pool = pool()) {
            List<String> failures = new java.util.ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                try {
                    String text = pool.callTool(SERVER, "echo", Map.of("message", "seq " + i)).text();
                    if (!text.equals("Echo: seq " + i)) {
                        failures.add("call " + i + " answered '" + text + "'");
                    }
                } catch (RuntimeException e) {
                    failures.add("call " + i + ": " + e);
                }
            }
            assertThat(failures).as("failed calls out of 1000 sequential echo calls").isEmpty();
        }
    }

    @Test
    void closeEndsTheSessionWithDelete() {
        String id;
        try (McpPool pool = pool()) {
            assertThat(pool.callTool(SERVER, "echo", Map.of("message", "x")).text()).isEqualTo("Echo: x");
            // Close after the catalog's background listing: once, in CI, a close racing it sent no DELETE
            // (not reproduced since; see the issue note).
            Interop.quiet(pool, SERVER);
            List<String> ids = sessionIds(node.log());
            id = ids.get(ids.size() - 1);
        }
        // the server logs the DELETE it received (asynchronously to its stdout file)
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(node.log()).contains("Received session termination request for session " + id));
    }

    private static HttpResponse<String> rawPost(String sessionId, String body) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            HttpRequest request = HttpRequest.newBuilder(node.uri("/mcp"))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json, text/event-stream")
                    .header("Mcp-Session-Id", sessionId)
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } finally {
            client.shutdownNow();
        }
    }
}
