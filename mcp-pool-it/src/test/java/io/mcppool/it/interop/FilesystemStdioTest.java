package io.mcppool.it.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mcppool.call.CallOptions;
import io.mcppool.McpPool;
import io.mcppool.call.ToolErrorException;
import io.mcppool.protocol.CallToolResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pool against {@code @modelcontextprotocol/server-filesystem} over stdio, with a temp folder
 * as its one allowed directory. The pool declares no roots, so the server keeps its arguments.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FilesystemStdioTest {
    private static final String SERVER = "files";

    @TempDir
    Path tmp;

    @Test
    void listsAllowedDirectoriesReadsAFileAndListsADirectory() throws IOException {
        Path allowed = Files.createDirectory(tmp.resolve("allowed")).toRealPath();
        Files.writeString(allowed.resolve("hello.txt"), "Hello from the interop test\nsecond line ✓\n");
        Files.createDirectory(allowed.resolve("sub"));
        Path outside = Files.writeString(tmp.resolve("secret.txt"), "not for the server").toRealPath();
        Set<Long> before = ChildProcesses.matching(allowed.toString());

        try (McpPool pool = Interop.pool(SERVER, NpmPeers.filesystemStdio(allowed), 1, 1)) {
            assertThat(Interop.names(pool.listTools(SERVER)))
                    .contains("list_allowed_directories", "read_text_file", "list_directory");

            CallToolResult dirs = pool.callTool(SERVER, "list_allowed_directories", Map.of());
            assertThat(dirs.text().lines()).containsExactly("Allowed directories:", allowed.toString());

            CallToolResult read = pool.callTool(SERVER, "read_text_file",
                    Map.of("path", allowed.resolve("hello.txt").toString()));
            assertThat(read.failed()).as(read.text()).isFalse();
            assertThat(read.text()).isEqualTo("Hello from the interop test\nsecond line ✓\n");

            CallToolResult list = pool.callTool(SERVER, "list_directory", Map.of("path", allowed.toString()));
            assertThat(list.text().lines()).containsExactlyInAnyOrder("[FILE] hello.txt", "[DIR] sub");

            // outside the allowed directory: the tool reports an error (a result, or a typed exception on request)
            CallToolResult denied = pool.callTool(SERVER, "read_text_file", Map.of("path", outside.toString()));
            assertThat(denied.failed()).isTrue();
            assertThat(denied.text()).doesNotContain("not for the server");
            assertThatThrownBy(() -> pool.callTool(SERVER, "read_text_file", Map.of("path", outside.toString()),
                    CallOptions.builder().failOnToolError(true).build()))
                    .isInstanceOf(ToolErrorException.class);
        }
        assertThat(ChildProcesses.awaitGone(before, Duration.ofSeconds(10), allowed.toString())).isEmpty();
    }
}
