package io.mcppool.it.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.call.CallOptions;
import io.mcppool.McpPool;
import io.mcppool.call.ToolErrorException;
import io.mcppool.config.EndpointConfig;
import io.mcppool.it.interop.Interop.ProgressLog;
import io.mcppool.protocol.CallToolResult;
import io.mcppool.protocol.Content;
import io.mcppool.protocol.Progress;
import io.mcppool.protocol.Prompt;
import io.mcppool.protocol.Resource;
import io.mcppool.protocol.Tool;
import io.mcppool.testkit.TestkitHttpServer;
import io.mcppool.testkit.TestkitOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The pool against the testkit server over Streamable HTTP (in-process, 127.0.0.1). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TestkitHttpTest {
    private static final String SERVER = "tk-http";

    private static McpPool pool(TestkitHttpServer http, int minSessions, int maxSessions) {
        return Interop.pool(SERVER, new EndpointConfig.Http(http.uri()), minSessions, maxSessions);
    }

    /** What the server side saw, through the testkit's {@code stats} tool (runs on the session the pool picks). */
    private static JsonNode stats(McpPool pool) {
        return pool.callTool(SERVER, "stats", Map.of()).structuredContent();
    }

    private static int initializedSessions(TestkitHttpServer http) {
        return http.server().stats().path("sessions").asInt();
    }

    @Test
    void basicCallsOverHttp() {
        try (TestkitHttpServer http = TestkitHttpServer.start(TestkitOptions.defaults());
             McpPool pool = pool(http, 1, 2)) {
            assertThat(http.url()).startsWith("http://127.0.0.1:");

            List<Tool> tools = pool.listTools(SERVER);
            assertThat(Interop.names(tools)).contains("echo", "add", "sleep", "fail", "stats");

            assertThat(pool.callTool(SERVER, "echo", Map.of("message", "hello over http")).text())
                    .isEqualTo("hello over http");

            CallToolResult sum = pool.callTool(SERVER, "add", Map.of("a", 40, "b", 2));
            assertThat(sum.text()).isEqualTo("42");
            assertThat(sum.structuredContent().path("sum").asLong()).isEqualTo(42);

            CallToolResult failed = pool.callTool(SERVER, "fail", Map.of("message", "nope"));
            assertThat(failed.failed()).isTrue();
            assertThat(failed.text()).isEqualTo("nope");
            assertThatThrownBy(() -> pool.callTool(SERVER, "fail", Map.of("message", "nope again"),
                    CallOptions.builder().failOnToolError(true).build()))
                    .isInstanceOfSatisfying(ToolErrorException.class,
                            e -> assertThat(e.result().text()).isEqualTo("nope again"));

            assertThat(pool.listResources(SERVER)).extracting(Resource::uri).contains("testkit://hello");
            assertThat(pool.readResource(SERVER, "testkit://hello").contents().get(0).text())
                    .isEqualTo("Hello from mcp-pool-testkit");
            assertThat(pool.listPrompts(SERVER)).extracting(Prompt::name).containsExactly("greeting");
            assertThat(pool.getPrompt(SERVER, "greeting", Map.of("name", "Grace")).messages().get(0).content())
                    .isInstanceOfSatisfying(Content.Text.class,
                            t -> assertThat(t.text()).isEqualTo("Please greet Grace warmly."));
            assertThat(pool.ping(SERVER)).isPositive();

            // the requests carried the session id and the negotiated version the spec asks for
            JsonNode headers = stats(pool).path("thisCall").path("headers");
            assertThat(headers.path("mcp-session-id").asText()).isNotBlank();
            assertThat(headers.path("mcp-protocol-version").asText()).isNotBlank();
        }
    }

    @Test
    void progressArrivesOverSse() {
        try (TestkitHttpServer http = TestkitHttpServer.start(TestkitOptions.defaults());
             McpPool pool = pool(http, 1, 1)) {
            ProgressLog progress = new ProgressLog();
            CallToolResult r = pool.callTool(SERVER, "sleep", Map.of("ms", 250, "steps", 5),
                    CallOptions.builder().onProgress(progress).build());
            assertThat(r.text()).isEqualTo("slept 250ms");
            // one SSE stream carries the notifications and then the result, in order
            assertThat(progress.values()).containsExactly(1.0, 2.0, 3.0, 4.0, 5.0);
            assertThat(progress.all()).extracting(Progress::total).containsOnly(5.0);
            assertThat(progress.all().get(4).message()).isEqualTo("step 5 of 5");
        }
    }

    @Test
    void listToolsFollowsEveryPageOverHttp() {
        TestkitOptions paged = TestkitOptions.builder().extraTools(1000).toolsPageSize(50).build();
        try (TestkitHttpServer http = TestkitHttpServer.start(paged);
             McpPool pool = pool(http, 0, 1)) {
            long requestsBefore = http.requestCount();
            List<Tool> tools = pool.listTools(SERVER);
            int builtins = http.server().tools().size() - 1000;
            assertThat(builtins).isPositive();
            assertThat(tools).hasSize(1000 + builtins);
            List<String> names = Interop.names(tools);
            assertThat(new HashSet<>(names)).hasSize(names.size());
            assertThat(names).contains("tool_0001", "tool_0500", "tool_1000");
            assertThat(names).isEqualTo(Interop.names(http.server().tools()));
            // every page is one POST (plus initialize, initialized and perhaps the GET stream)
            assertThat(http.requestCount() - requestsBefore).isGreaterThanOrEqualTo((1000 + builtins + 49) / 50);
        }
    }

    @Test
    void expiredSessionIsReinitializedTransparently() {
        try (TestkitHttpServer http = TestkitHttpServer.start(TestkitOptions.defaults());
             McpPool pool = pool(http, 1, 1)) {
            assertExpiryIsTransparent(http, pool);
        }
    }

    /** The reference TypeScript server answers an unknown session with 400, not the spec's 404. */
    @Test
    void expiredSessionIsReinitializedTransparentlyWhenTheServerSays400() {
        try (TestkitHttpServer http = TestkitHttpServer.start(TestkitOptions.defaults())
                .unknownSessionReply(TestkitHttpServer.UnknownSessionReply.BAD_REQUEST);
             McpPool pool = pool(http, 1, 1)) {
            assertExpiryIsTransparent(http, pool);
        }
    }

    private static void assertExpiryIsTransparent(TestkitHttpServer http, McpPool pool) {
        assertThat(pool.callTool(SERVER, "echo", Map.of("message", "before")).text()).isEqualTo("before");
        String firstSession = stats(pool).path("sessionId").asText();
        assertThat(firstSession).isNotBlank();
        assertThat(initializedSessions(http)).isEqualTo(1);

        assertThat(http.expireAllSessions()).isEqualTo(1);

        // no exception, no retry by the caller: the pool starts a new session and sends the call again
        assertThat(pool.callTool(SERVER, "echo", Map.of("message", "after")).text()).isEqualTo("after");
        String secondSession = stats(pool).path("sessionId").asText();
        assertThat(secondSession).isNotBlank().isNotEqualTo(firstSession);
        assertThat(initializedSessions(http)).as("initialize requests the server answered").isEqualTo(2);
        assertThat(http.sessionCount()).isEqualTo(1);
        assertThat(http.server().stats().path("executions").path("echo").asInt())
                .as("the echo that met the expired session ran once, after re-initializing").isEqualTo(2);

        // and again: expiry is not a one-off
        http.expireAllSessions();
        assertThat(pool.callTool(SERVER, "add", Map.of("a", 1, "b", 1)).text()).isEqualTo("2");
        assertThat(initializedSessions(http)).isEqualTo(3);
    }

    /**
     * Calls made while the pool re-initializes an expired session wait for the new session instead of
     * going out without an {@code Mcp-Session-Id} (which the server, like the reference server,
     * refuses with 400). Regression test: before the fix the calls sent during the handshake failed.
     * The server's {@code slowStart} delays the new initialize's answer so the window is wide and the
     * test deterministic.
     */
    @Test
    @DisplayName("calls made while an expired HTTP session is re-initialized wait for the new session")
    void callsMadeWhileReinitializingWaitForTheNewSession() throws Exception {
        TestkitOptions slowInitialize = TestkitOptions.builder().slowStart(Duration.ofMillis(1500)).build();
        try (TestkitHttpServer http = TestkitHttpServer.start(slowInitialize);
             McpPool pool = pool(http, 1, 1)) {
            assertThat(pool.callTool(SERVER, "echo", Map.of("message", "warm")).text()).isEqualTo("warm");
            assertThat(http.expireAllSessions()).isEqualTo(1);

            // the first call meets the expired session and starts a new initialize...
            CompletableFuture<CallToolResult> first = pool.callToolAsync(SERVER, "echo", Map.of("message", "first"));
            // ...which the server has received (it registers the session before answering, 1.5 s later)
            await().atMost(Duration.ofSeconds(10)).until(() -> http.sessionCount() == 1);
            // calls made now, while the handshake is pending
            List<CompletableFuture<CallToolResult>> during = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                during.add(pool.callToolAsync(SERVER, "echo", Map.of("message", "during " + i)));
            }

            List<String> failures = new ArrayList<>();
            collect(first, "first", failures);
            for (int i = 0; i < during.size(); i++) {
                collect(during.get(i), "during " + i, failures);
            }
            assertThat(failures).as("calls that failed around the re-initialization").isEmpty();
            assertThat(initializedSessions(http)).as("initialize requests the server answered").isEqualTo(2);
        }
    }

    private static void collect(CompletableFuture<CallToolResult> call, String expected, List<String> failures)
            throws InterruptedException, TimeoutException {
        try {
            String text = call.get(30, TimeUnit.SECONDS).text();
            if (!text.equals(expected)) {
                failures.add("'" + expected + "' answered '" + text + "'");
            }
        } catch (ExecutionException e) {
            failures.add("'" + expected + "': " + e.getCause());
        }
    }

    /**
     * A {@code tools/list_changed} that belongs to no request reaches a client only on its GET
     * stream. Another client adds a tool; the pool's cached list must pick it up, both on the first
     * session and on the one that replaced it after expiry (the GET stream must follow the new id).
     */
    @Test
    void listChangedReachesThePoolOnItsGetStreamBeforeAndAfterExpiry() {
        try (TestkitHttpServer http = TestkitHttpServer.start(TestkitOptions.defaults());
             McpPool pool = pool(http, 1, 1);
             McpPool other = Interop.pool("other", new EndpointConfig.Http(http.uri()), 1, 1)) {
            assertThat(Interop.names(pool.listTools(SERVER))).noneMatch(n -> n.startsWith("extra_"));
            awaitToolAddedByOtherClientIsSeen(pool, other);

            http.expireAllSessions();
            assertThat(pool.callTool(SERVER, "echo", Map.of("message", "re-initialized")).text())
                    .isEqualTo("re-initialized");
            awaitToolAddedByOtherClientIsSeen(pool, other);
        }
    }

    /** Has {@code other} add tools (one per poll: its GET stream may not be open yet) until {@code pool} lists one. */
    private static void awaitToolAddedByOtherClientIsSeen(McpPool pool, McpPool other) {
        List<String> added = new ArrayList<>();
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            added.add(other.callTool("other", "notify_tools_changed", Map.of()).text().replace("added ", ""));
            assertThat(Interop.names(pool.listTools(SERVER))).containsAnyElementsOf(added);
        });
    }

    @Test
    void closeDeletesEverySession() {
        try (TestkitHttpServer http = TestkitHttpServer.start(TestkitOptions.defaults())) {
            McpPool pool = pool(http, 2, 2);
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> http.sessionCount() == 2);
                assertThat(pool.callTool(SERVER, "echo", Map.of("message", "x")).text()).isEqualTo("x");
            } finally {
                pool.close();
            }
            assertThat(http.sessionCount()).as("sessions the server still holds after close()").isZero();
            assertThat(http.lastHeaders()).containsKey("mcp-session-id");
            assertThat(http.server().stats().path("openSessions").asInt()).isZero();
        }
    }
}
