package io.mcppool.it.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.McpPool;
import io.mcppool.call.UnknownToolException;
import io.mcppool.catalog.CatalogEntry;
import io.mcppool.catalog.ToolCatalog;
import io.mcppool.protocol.Tool;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The catalog against testkit servers run as child JVMs over stdio. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CatalogTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** The testkit's built-in tools. */
    private static final int BUILTINS = 15;

    @Test
    void aThousandToolsInPagesOfFiftyAreAllInTheCatalogFromOneListing() throws Exception {
        try (Testkit.Stderr stderr = new Testkit.Stderr("paged");
             McpPool pool = McpPool.builder().server(Testkit.server("paged", Testkit.stdio("--extra-tools", "1000",
                     "--tools-page-size", "50", "--stderr-noise")).build()).build()) {
            pool.catalog().loaded("paged").get(30, TimeUnit.SECONDS);

            List<Tool> tools = pool.catalog().tools("paged");
            assertThat(tools).hasSize(1000 + BUILTINS);
            assertThat(new HashSet<>(tools.stream().map(Tool::name).toList())).hasSize(1000 + BUILTINS);
            assertThat(pool.catalog().tool("paged", "tool_1000")).isPresent();
            assertThat(pool.listTools("paged")).as("answered from the catalog").isSameAs(tools);
            assertThat(pool.snapshot().servers().get(0).toolCount()).isEqualTo(1000 + BUILTINS);

            // A tools/call after the listing: once the server's line for it is in, every earlier line is too.
            Testkit.stats(pool, "paged");
            await().atMost(WAIT).until(() -> stderr.requests("tools/call") == 1);
            int pages = (1000 + BUILTINS + 49) / 50;
            assertThat(stderr.requests("tools/list")).as("every page served once: one listing, none for listTools")
                    .isEqualTo(pages);
            assertThat(stderr.requests("resources/list")).isEqualTo(1);
            assertThat(stderr.requests("resources/templates/list")).isEqualTo(1);
            assertThat(stderr.requests("prompts/list")).isEqualTo(1);
        }
    }

    @Test
    void aToolAddedAtRunTimeIsInTheCatalogAndListenersAreToldOncePerChange() throws Exception {
        try (McpPool pool = McpPool.builder().server(Testkit.server("tk", Testkit.stdio()).build()).build()) {
            ToolCatalog catalog = pool.catalog();
            catalog.loaded("tk").get(30, TimeUnit.SECONDS);
            long pid = Testkit.stats(pool, "tk").path("pid").asLong();
            assertThat(catalog.tool("tk", "extra_1")).isEmpty();
            List<String> told = new CopyOnWriteArrayList<>();
            pool.addEventListener(new io.mcppool.events.PoolEvents() {
                @Override
                public void catalogChanged(String server, io.mcppool.catalog.ToolCatalog.Kind kind) {
                    told.add(server + " " + kind);
                }
            });

            assertThat(pool.callTool("tk", "notify_tools_changed", Map.of()).text()).isEqualTo("added extra_1");
            // at once: a listing under way (started by the notice, which came before the result) lets the call through
            assertThat(pool.callTool("tk", "extra_1", Map.of()).text()).isEqualTo("extra_1");
            await().atMost(WAIT).until(() -> catalog.tool("tk", "extra_1").isPresent());
            assertThat(catalog.resolveTool("tk__extra_1").map(CatalogEntry::name)).hasValue("extra_1");
            await().atMost(WAIT).until(() -> told.size() == 1);
            assertThat(told).containsExactly("tk TOOLS");

            catalog.refresh("tk").get(30, TimeUnit.SECONDS); // the same lists again: nobody is told
            pool.callTool("tk", "notify_tools_changed", Map.of());
            await().atMost(WAIT).until(() -> catalog.tool("tk", "extra_2").isPresent());
            await().atMost(WAIT).until(() -> told.size() >= 2);
            assertThat(told).containsExactly("tk TOOLS", "tk TOOLS");

            JsonNode stats = Testkit.stats(pool, "tk");
            assertThat(stats.path("pid").asLong()).as("no restart").isEqualTo(pid);
            assertThat(stats.path("sessions").asInt()).isEqualTo(1);
        }
    }

    @Test
    void anUnknownToolFailsFromTheCatalogWithoutReachingTheServer() throws Exception {
        try (Testkit.Stderr stderr = new Testkit.Stderr("tk-unknown");
             McpPool pool = McpPool.builder().server(Testkit.server("tk-unknown", Testkit.stdio("--stderr-noise")).build())
                     .build()) {
            pool.catalog().loaded("tk-unknown").get(30, TimeUnit.SECONDS);

            assertThatThrownBy(() -> pool.callTool("tk-unknown", "no_such_tool", Map.of()))
                    .isInstanceOfSatisfying(UnknownToolException.class, e -> {
                        assertThat(e.server()).hasValue("tk-unknown");
                        assertThat(e.tool()).hasValue("no_such_tool");
                        assertThat(e.getMessage()).contains("no such tool; the server lists " + BUILTINS + " tool(s)")
                                .contains("echo");
                    });

            JsonNode stats = Testkit.stats(pool, "tk-unknown");
            assertThat(stats.path("executions").has("no_such_tool")).isFalse();
            // The testkit's stats count only tools it knows; its stderr line per request shows every tools/call:
            // the stats call's line is in, and it is the only one.
            await().atMost(WAIT).until(() -> stderr.requests("tools/call") >= 1);
            assertThat(stderr.requests("tools/call")).isEqualTo(1);
        }
    }

    @Test
    void namesClaimedByTwoServersWithoutPrefixesResolveToNeither() throws Exception {
        try (McpPool pool = McpPool.builder()
                .server(Testkit.server("a", Testkit.stdio()).prefix("").build())
                .server(Testkit.server("b", Testkit.stdio("--extra-tools", "1")).prefix("").build())
                .build()) {
            ToolCatalog catalog = pool.catalog();
            catalog.loaded("a").get(30, TimeUnit.SECONDS);
            catalog.loaded("b").get(30, TimeUnit.SECONDS);

            Map<String, List<String>> clashes = catalog.clashes();
            assertThat(clashes).containsEntry("echo", List.of("a", "b"))
                    .containsEntry("greeting", List.of("a", "b")) // the testkit's prompt
                    .containsEntry("testkit://readme", List.of("a", "b"));
            assertThat(clashes).hasSize(BUILTINS + 1 + 2);
            assertThat(catalog.resolveTool("echo")).isEmpty();
            assertThat(catalog.resolvePrompt("greeting")).isEmpty();
            assertThat(catalog.resolveResource("testkit://hello")).isEmpty();
            assertThat(catalog.resolveTool("tool_0001").map(CatalogEntry::server)).as("only b has it").hasValue("b");
            assertThat(catalog.namespacedName("a", "echo")).isEqualTo("echo");
        }
    }

    @Test
    void prefixesTellTheSameToolsApart() throws Exception {
        try (McpPool pool = McpPool.builder()
                .server(Testkit.server("a", Testkit.stdio()).build()) // prefix: the server's name
                .server(Testkit.server("b", Testkit.stdio()).prefix("bee").trusted(true).build())
                .build()) {
            ToolCatalog catalog = pool.catalog();
            catalog.loaded("a").get(30, TimeUnit.SECONDS);
            catalog.loaded("b").get(30, TimeUnit.SECONDS);

            // Tool and prompt names are namespaced; resource URIs are the servers' own and still clash.
            assertThat(catalog.clashes()).containsOnlyKeys("testkit://readme", "testkit://hello");
            CatalogEntry a = catalog.resolveTool("a__echo").orElseThrow();
            assertThat(a.server()).isEqualTo("a");
            assertThat(a.name()).isEqualTo("echo");
            assertThat(a.trusted()).isFalse();
            assertThat(a.tool().orElseThrow().annotations().readOnlyHint()).isTrue();
            CatalogEntry b = catalog.resolveTool("bee__echo").orElseThrow();
            assertThat(b.server()).isEqualTo("b");
            assertThat(b.trusted()).isTrue();
            assertThat(catalog.trusted("b")).isTrue();
            assertThat(catalog.resolvePrompt("bee__greeting").map(CatalogEntry::server)).hasValue("b");
            assertThat(catalog.namespacedName("b", "echo")).isEqualTo("bee__echo");
            assertThat(catalog.resolveTool("echo")).isEmpty();
        }
    }
}
