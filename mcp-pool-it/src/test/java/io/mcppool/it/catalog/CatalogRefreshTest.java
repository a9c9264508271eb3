package io.mcppool.it.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.mcppool.McpPool;
import io.mcppool.catalog.ToolCatalog;
import io.mcppool.config.SupervisionSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Changes the catalog learns of without a notice: on its refresh interval, and from a restarted server. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CatalogRefreshTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /**
     * The testkit announces every change it makes, so both servers here lose their notices on the way in:
     * only the one with {@code catalogRefresh} learns of the new tool by itself.
     */
    @Test
    void theRefreshIntervalPicksUpAChangeThatWasNotAnnounced() throws Exception {
        try (McpPool pool = McpPool.builder()
                .server(Testkit.server("refreshed", Testkit.withoutListChangedNotices("refreshed", Testkit.stdio()))
                        .catalogRefresh(Duration.ofMillis(300)).build())
                .server(Testkit.server("unrefreshed", Testkit.withoutListChangedNotices("unrefreshed", Testkit.stdio()))
                        .build())
                .build()) {
            ToolCatalog catalog = pool.catalog();
            catalog.loaded("refreshed").get(30, TimeUnit.SECONDS);
            catalog.loaded("unrefreshed").get(30, TimeUnit.SECONDS);

            pool.callTool("refreshed", "notify_tools_changed", Map.of());
            pool.callTool("unrefreshed", "notify_tools_changed", Map.of());
            await().atMost(WAIT).until(() -> catalog.tool("refreshed", "extra_1").isPresent());
            pool.callTool("refreshed", "notify_tools_changed", Map.of());
            await().atMost(WAIT).until(() -> catalog.tool("refreshed", "extra_2").isPresent());

            // Several intervals later the other still has its first list; its server had the tool all along.
            assertThat(catalog.tool("unrefreshed", "extra_1")).isEmpty();
            catalog.refresh("unrefreshed").get(30, TimeUnit.SECONDS);
            assertThat(catalog.tool("unrefreshed", "extra_1")).isPresent();
        }
    }

    /** A restarted process is a new server: it has lost the tool added at run time, and the catalog sees that. */
    @Test
    void aRestartedServerIsListedAgain() throws Exception {
        try (McpPool pool = McpPool.builder().server(Testkit.server("restarts", Testkit.stdio())
                .supervision(SupervisionSettings.DEFAULTS).build()).build()) {
            ToolCatalog catalog = pool.catalog();
            catalog.loaded("restarts").get(30, TimeUnit.SECONDS);
            long pid = Testkit.stats(pool, "restarts").path("pid").asLong();
            pool.callTool("restarts", "notify_tools_changed", Map.of());
            await().atMost(WAIT).until(() -> catalog.tool("restarts", "extra_1").isPresent());
            List<ToolCatalog.Kind> told = new CopyOnWriteArrayList<>();
            pool.addEventListener(new io.mcppool.events.PoolEvents() {
                @Override
                public void catalogChanged(String server, io.mcppool.catalog.ToolCatalog.Kind kind) {
                    told.add(kind);
                }
            });

            assertThatThrownBy(() -> pool.callTool("restarts", "crash", Map.of()));
            await().atMost(WAIT).until(() -> catalog.tool("restarts", "extra_1").isEmpty());

            assertThat(Testkit.stats(pool, "restarts").path("pid").asLong()).as("a new process").isNotEqualTo(pid);
            assertThat(catalog.tools("restarts")).hasSize(15);
            await().atMost(WAIT).until(() -> !told.isEmpty());
            assertThat(told).containsExactly(ToolCatalog.Kind.TOOLS);
        }
    }
}
