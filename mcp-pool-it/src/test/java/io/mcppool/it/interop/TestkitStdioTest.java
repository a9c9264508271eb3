package io.mcppool.it.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.mcppool.call.CallOptions;
import io.mcppool.McpPool;
import io.mcppool.call.ToolErrorException;
import io.mcppool.call.UnknownToolException;
import io.mcppool.it.interop.Interop.ProgressLog;
import io.mcppool.protocol.CallToolResult;
import io.mcppool.protocol.Content;
import io.mcppool.protocol.GetPromptResult;
import io.mcppool.protocol.Progress;
import io.mcppool.protocol.Prompt;
import io.mcppool.protocol.ReadResourceResult;
import io.mcppool.protocol.Resource;
import io.mcppool.protocol.Tool;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The pool against the testkit server run as a child JVM over stdio. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TestkitStdioTest {
    private static final String SERVER = "tk";
    /** The testkit's built-in tools, as its README resource lists them. */
    private static final List<String> BUILTINS = List.of("echo", "add", "sleep", "fail", "crash", "counter",
            "counter_get", "record", "garbage", "huge", "stats", "roots", "ping_client", "notify_tools_changed", "log");
    private static final String TESTKIT_MAIN = "io.mcppool.testkit.TestkitServer";

    private static Set<Long> before;
    private static McpPool pool;

    @BeforeAll
    static void startPool() {
        before = ChildProcesses.matching(TESTKIT_MAIN, "--stdio");
        pool = Interop.pool(SERVER, Interop.testkitStdio(), 1, 2);
    }

    @AfterAll
    static void closePool() {
        if (pool != null) {
            pool.close();
        }
        // bounded wait: StdioCloseAfterCallTest is the one that insists on "gone when close() returns"
        assertThat(ChildProcesses.awaitGone(before, Duration.ofSeconds(10), TESTKIT_MAIN, "--stdio"))
                .as("testkit server processes still running after pool.close()").isEmpty();
    }

    @Test
    void listsTheBuiltInTools() {
        List<Tool> tools = pool.listTools(SERVER);
        assertThat(Interop.names(tools)).containsExactlyElementsOf(BUILTINS);
        Tool add = tools.stream().filter(t -> t.name().equals("add")).findFirst().orElseThrow();
        assertThat(add.inputSchema().path("required")).extracting(n -> n.asText()).containsExactly("a", "b");
        assertThat(add.outputSchema().path("properties").has("sum")).isTrue();
    }

    @Test
    void echoReturnsTheMessage() {
        CallToolResult r = pool.callTool(SERVER, "echo", Map.of("message", "hello over stdio"));
        assertThat(r.failed()).isFalse();
        assertThat(r.text()).isEqualTo("hello over stdio");
        // a payload with characters that must be escaped on a newline-delimited wire comes back unchanged
        String tricky = "line one\nline two\t\"quoted\" \\ üñí©ødé ✓ \u2028";
        assertThat(pool.callTool(SERVER, "echo", Map.of("message", tricky)).text()).isEqualTo(tricky);
    }

    @Test
    void addReturnsStructuredContent() {
        CallToolResult r = pool.callTool(SERVER, "add", Map.of("a", 2, "b", 3));
        assertThat(r.text()).isEqualTo("5");
        assertThat(r.structuredContent()).isNotNull();
        assertThat(r.structuredContent().path("sum").asLong()).isEqualTo(5);

        CallToolResult decimals = pool.callTool(SERVER, "add", Map.of("a", 0.1, "b", 0.2));
        assertThat(decimals.text()).isEqualTo("0.3");
        assertThat(decimals.structuredContent().path("sum").asDouble()).isEqualTo(0.3);
    }

    @Test
    void toolErrorIsAResultUnlessFailOnToolError() {
        CallToolResult r = pool.callTool(SERVER, "fail", Map.of("message", "broken on purpose"));
        assertThat(r.failed()).isTrue();
        assertThat(r.text()).isEqualTo("broken on purpose");

        CallOptions strict = CallOptions.builder().failOnToolError(true).build();
        assertThatThrownBy(() -> pool.callTool(SERVER, "fail", Map.of("message", "broken again"), strict))
                .isInstanceOfSatisfying(ToolErrorException.class, e -> {
                    assertThat(e.result().failed()).isTrue();
                    assertThat(e.result().text()).isEqualTo("broken again");
                    assertThat(e.server()).hasValue(SERVER);
                    assertThat(e.tool()).hasValue("fail");
                    assertThat(e.getMessage()).contains("broken again");
                });
        // the session is fine afterwards: a tool error says nothing about the server's health
        assertThat(pool.callTool(SERVER, "echo", Map.of("message", "still here")).text()).isEqualTo("still here");
    }

    @Test
    void unknownToolIsTyped() {
        assertThatThrownBy(() -> pool.callTool(SERVER, "no_such_tool", Map.of()))
                .isInstanceOfSatisfying(UnknownToolException.class, e -> {
                    assertThat(e.tool()).hasValue("no_such_tool");
                    assertThat(e.server()).hasValue(SERVER);
                });
    }

    @Test
    void progressArrivesInOrderBeforeTheResult() {
        ProgressLog progress = new ProgressLog();
        CallToolResult r = pool.callTool(SERVER, "sleep", Map.of("ms", 300, "steps", 6),
                CallOptions.builder().onProgress(progress).timeout(Duration.ofSeconds(20)).build());
        assertThat(r.text()).isEqualTo("slept 300ms");
        // stdio is one ordered stream and the server sends every notification before the result
        assertThat(progress.values()).containsExactly(1.0, 2.0, 3.0, 4.0, 5.0, 6.0);
        assertThat(progress.all()).extracting(Progress::total).containsOnly(6.0);
        assertThat(progress.all()).extracting(Progress::message)
                .containsExactlyElementsOf(IntStream.rangeClosed(1, 6).mapToObj(i -> "step " + i + " of 6").toList());
    }

    @Test
    void noProgressListenerMeansNoProgressToken() {
        CallToolResult r = pool.callTool(SERVER, "stats", Map.of());
        assertThat(r.structuredContent().path("thisCall").path("meta").has("progressToken")).isFalse();
        ProgressLog progress = new ProgressLog();
        CallToolResult withListener = pool.callTool(SERVER, "stats", Map.of(),
                CallOptions.builder().onProgress(progress).build());
        assertThat(withListener.structuredContent().path("thisCall").path("meta").has("progressToken")).isTrue();
    }

    @Test
    void resourcesRoundTrip() {
        List<Resource> resources = pool.listResources(SERVER);
        assertThat(resources).extracting(Resource::uri).containsExactly("testkit://readme", "testkit://hello");
        assertThat(resources).extracting(Resource::mimeType).containsExactly("text/markdown", "text/plain");

        ReadResourceResult hello = pool.readResource(SERVER, "testkit://hello");
        assertThat(hello.contents()).hasSize(1);
        assertThat(hello.contents().get(0).uri()).isEqualTo("testkit://hello");
        assertThat(hello.contents().get(0).text()).isEqualTo("Hello from mcp-pool-testkit");

        ReadResourceResult readme = pool.readResource(SERVER, "testkit://readme");
        assertThat(readme.contents().get(0).text()).startsWith("# mcp-pool testkit server");
    }

    @Test
    void promptsRoundTrip() {
        List<Prompt> prompts = pool.listPrompts(SERVER);
        assertThat(prompts).extracting(Prompt::name).containsExactly("greeting");
        assertThat(prompts.get(0).arguments()).extracting(Prompt.PromptArgument::name).containsExactly("name");

        GetPromptResult prompt = pool.getPrompt(SERVER, "greeting", Map.of("name", "Ada"));
        assertThat(prompt.description()).isEqualTo("A greeting for Ada");
        assertThat(prompt.messages()).hasSize(1);
        assertThat(prompt.messages().get(0).role()).isEqualTo("user");
        assertThat(prompt.messages().get(0).content()).isInstanceOfSatisfying(Content.Text.class,
                t -> assertThat(t.text()).isEqualTo("Please greet Ada warmly."));
    }

    /**
     * 1000 filler tools plus the built-ins, 50 per page: {@code listTools} follows every cursor.
     * With {@code --stderr-noise} the server writes one stderr line per request, which the pool logs
     * to {@code mcp.server.<name>.stderr}: that counts the {@code tools/list} requests it saw.
     */
    @Test
    void listToolsFollowsEveryPage() {
        String name = "tk-paged";
        Set<Long> beforePaged = ChildProcesses.matching(TESTKIT_MAIN, "--extra-tools");
        try (LogCapture stderr = LogCapture.serverStderr(name);
             McpPool paged = Interop.pool(name, Interop.testkitStdio("--extra-tools", "1000", "--tools-page-size", "50",
                     "--stderr-noise"), 1, 1)) {
            List<Tool> tools = paged.listTools(name);

            assertThat(tools).hasSize(1000 + BUILTINS.size());
            List<String> names = Interop.names(tools);
            assertThat(new HashSet<>(names)).as("no tool listed twice").hasSize(names.size());
            assertThat(names.subList(0, BUILTINS.size())).containsExactlyElementsOf(BUILTINS);
            assertThat(names.subList(BUILTINS.size(), names.size())).containsExactlyElementsOf(
                    IntStream.rangeClosed(1, 1000).mapToObj(i -> String.format("tool_%04d", i)).toList());
            int pages = (1000 + BUILTINS.size() + 49) / 50;
            // stderr is read on its own thread: wait (bounded) until every line is in
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(stderr.count(" tools/list")).isGreaterThanOrEqualTo(pages));
            assertThat(pages).isGreaterThanOrEqualTo(20);

            // a filler tool from the last page is callable
            assertThat(paged.callTool(name, "tool_1000", Map.of()).text()).isEqualTo("tool_1000");
            assertThat(paged.snapshot().servers().get(0).toolCount()).isEqualTo(1000 + BUILTINS.size());
        }
        assertThat(ChildProcesses.awaitGone(beforePaged, Duration.ofSeconds(10), TESTKIT_MAIN, "--extra-tools"))
                .as("the paging testkit server is still running after close()").isEmpty();
    }
}
