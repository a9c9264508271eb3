package io.mcppool.it.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.McpPool;
import io.mcppool.protocol.CallToolResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pool against {@code @modelcontextprotocol/server-memory} over stdio, its graph in a temp
 * file. Writes are sequential: the server loses updates under concurrent writes (REFERENCE.md), so
 * it serves here as a real stateful peer, not as a concurrency check.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MemoryStdioTest {
    private static final String SERVER = "memory";

    @TempDir
    Path tmp;

    private static List<String> entityNames(CallToolResult r) {
        return StreamSupport.stream(r.structuredContent().path("entities").spliterator(), false)
                .map(e -> e.path("name").asText()).toList();
    }

    @Test
    void createdEntitiesCanBeReadAndSearchedAndOutliveTheProcess() throws IOException {
        Path memoryFile = tmp.resolve("memory.jsonl");
        String script = NpmPeers.script(NpmPeers.MEMORY).toString();
        Set<Long> before = ChildProcesses.matching(script);

        try (McpPool pool = Interop.pool(SERVER, NpmPeers.memoryStdio(memoryFile), 1, 1)) {
            assertThat(Interop.names(pool.listTools(SERVER)))
                    .contains("create_entities", "create_relations", "read_graph", "search_nodes");

            CallToolResult created = pool.callTool(SERVER, "create_entities", Map.of("entities", List.of(
                    Map.of("name", "Ada Lovelace", "entityType", "person",
                            "observations", List.of("wrote the first published program")),
                    Map.of("name", "Analytical Engine", "entityType", "machine",
                            "observations", List.of("designed by Charles Babbage")))));
            assertThat(created.failed()).as(created.text()).isFalse();
            assertThat(entityNames(created)).containsExactly("Ada Lovelace", "Analytical Engine");

            CallToolResult related = pool.callTool(SERVER, "create_relations", Map.of("relations", List.of(
                    Map.of("from", "Ada Lovelace", "to", "Analytical Engine", "relationType", "programmed"))));
            assertThat(related.failed()).as(related.text()).isFalse();

            CallToolResult graph = pool.callTool(SERVER, "read_graph", Map.of());
            assertThat(entityNames(graph)).containsExactlyInAnyOrder("Ada Lovelace", "Analytical Engine");
            JsonNode relation = graph.structuredContent().path("relations").path(0);
            assertThat(relation.path("from").asText()).isEqualTo("Ada Lovelace");
            assertThat(relation.path("relationType").asText()).isEqualTo("programmed");

            CallToolResult found = pool.callTool(SERVER, "search_nodes", Map.of("query", "first published"));
            assertThat(entityNames(found)).containsExactly("Ada Lovelace");
            CallToolResult none = pool.callTool(SERVER, "search_nodes", Map.of("query", "no such thing anywhere"));
            assertThat(entityNames(none)).isEmpty();
        }
        assertThat(ChildProcesses.awaitGone(before, Duration.ofSeconds(10), script)).isEmpty();

        // the server really wrote its file, and a new process (a new pool) reads the same graph back
        assertThat(Files.readString(memoryFile)).contains("Ada Lovelace", "Analytical Engine", "programmed");
        try (McpPool again = Interop.pool(SERVER, NpmPeers.memoryStdio(memoryFile), 1, 1)) {
            CallToolResult graph = again.callTool(SERVER, "read_graph", Map.of());
            assertThat(entityNames(graph)).containsExactlyInAnyOrder("Ada Lovelace", "Analytical Engine");
        }
        assertThat(ChildProcesses.awaitGone(before, Duration.ofSeconds(10), script)).isEmpty();
    }
}
