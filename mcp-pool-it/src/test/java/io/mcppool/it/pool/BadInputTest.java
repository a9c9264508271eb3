package io.mcppool.it.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mcppool.call.ConnectFailureException;
import io.mcppool.config.InvalidConfigException;
import io.mcppool.McpPool;
import io.mcppool.call.PoolExhaustedException;
import io.mcppool.call.TransportFailureException;
import io.mcppool.call.UnknownServerException;
import io.mcppool.call.UnknownToolException;
import io.mcppool.config.PoolSettings;
import io.mcppool.config.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Acceptance 7: bad input gets a clear error, and the pool stays usable. */
class BadInputTest {
    private static final PoolSettings ONE = PoolSettings.builder().minSessions(1).maxSessions(1).build();

    @Test
    void garbageOnStdoutIsSkippedAndTheCallSucceeds() {
        try (McpPool mcp = McpPool.builder().server(Servers.testkit("noisy", ONE).build()).build()) {
            assertThat(mcp.callTool("noisy", "garbage", Map.of("lines", 5)).text()).isEqualTo("ok");
            assertThat(mcp.callTool("noisy", "echo", Map.of("message", "still fine")).text()).isEqualTo("still fine");
            assertThat(mcp.snapshot().servers().get(0).endpoints().get(0).sessionsClosed()).isZero();
        }
    }

    @Test
    void oversizeMessageBreaksTheSessionWithAClearErrorAndThePoolRecovers() {
        ServerConfig server = Servers.testkit("big", ONE).maxMessageBytes(64 * 1024).build();
        try (McpPool mcp = McpPool.builder().server(server).build()) {
            assertThat(mcp.callTool("big", "huge", Map.of("bytes", 10_000)).text()).hasSizeGreaterThanOrEqualTo(10_000);
            assertThatThrownBy(() -> mcp.callTool("big", "huge", Map.of("bytes", 200_000)))
                    .isInstanceOf(TransportFailureException.class)
                    .hasMessageContaining("server 'big'")
                    .hasMessageContaining("tool 'huge'")
                    .hasMessageContaining("larger than maxMessageSize (65536 bytes)");
            // a new session replaces the broken one
            assertThat(mcp.callTool("big", "echo", Map.of("message", "recovered")).text()).isEqualTo("recovered");
        }
    }

    @Test
    void serverThatNeverAnswersInitializeFailsAcquireWithinItsTimeout() {
        ServerConfig server = Servers.testkit("mute", PoolSettings.builder().minSessions(0).maxSessions(1)
                        .acquireTimeout(Duration.ofSeconds(2)).build(), "--hang-initialize")
                .connectTimeout(Duration.ofSeconds(10)).build();
        try (McpPool mcp = McpPool.builder().server(server).build()) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> mcp.callTool("mute", "echo", Map.of("message", "x")))
                    .isInstanceOf(PoolExhaustedException.class)
                    .hasMessageContaining("server 'mute'")
                    .hasMessageContaining("no session slot free within 2000 ms");
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(ms).isBetween(1900L, 3000L);
        }
    }

    @Test
    void handshakeTimeoutIsReportedAsTheReason() {
        ServerConfig server = Servers.testkit("mute2", PoolSettings.builder().minSessions(0).maxSessions(1)
                        .acquireTimeout(Duration.ofSeconds(5)).build(), "--hang-initialize")
                .connectTimeout(Duration.ofMillis(800)).build();
        try (McpPool mcp = McpPool.builder().server(server).build()) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> mcp.callTool("mute2", "echo", Map.of("message", "x")))
                    .isInstanceOf(ConnectFailureException.class)
                    .hasMessageContaining("could not open a session")
                    .hasMessageContaining("no answer to initialize within 800 ms");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(4000);
        }
    }

    @Test
    void commandThatDoesNotExistFailsFastNamingIt() {
        ServerConfig server = ServerConfig.builder("ghost", new io.mcppool.config.EndpointConfig.Stdio(
                "/nonexistent/mcp-server", java.util.List.of("--x"))).pool(ONE).build();
        try (McpPool mcp = McpPool.builder().server(server).build()) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> mcp.callTool("ghost", "echo", Map.of()))
                    .isInstanceOf(ConnectFailureException.class)
                    .hasMessageContaining("server 'ghost'")
                    .hasMessageContaining("cannot start '/nonexistent/mcp-server --x'");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2000);
        }
    }

    @Test
    void unknownServerAndUnknownToolAreTypedAndNamed() {
        try (McpPool mcp = McpPool.builder().server(Servers.testkit("tk", ONE).build()).build()) {
            assertThatThrownBy(() -> mcp.callTool("nope", "echo", Map.of()))
                    .isInstanceOf(UnknownServerException.class)
                    .hasMessage("server 'nope': no server by this name; configured: tk");
            // before the tool list is cached: the server's own error is mapped
            assertThatThrownBy(() -> mcp.callTool("tk", "no_such_tool", Map.of()))
                    .isInstanceOf(UnknownToolException.class)
                    .hasMessageContaining("server 'tk'")
                    .hasMessageContaining("tool 'no_such_tool'");
            mcp.listTools("tk");
            // with the list cached: answered from it
            assertThatThrownBy(() -> mcp.callTool("tk", "no_such_tool", Map.of()))
                    .isInstanceOf(UnknownToolException.class)
                    .hasMessageContaining("no such tool; the server lists")
                    .hasMessageContaining("echo");
            assertThat(mcp.callTool("tk", "echo", Map.of("message", "usable")).text()).isEqualTo("usable");
        }
    }

    @Test
    void badConfigFilesFailAtLoadWithPathValueAndWhatIsAllowed(@TempDir Path dir) throws Exception {
        Path wrongType = dir.resolve("wrong-type.yaml");
        Files.writeString(wrongType, """
                servers:
                  files:
                    command: echo
                    pool: { maxSessions: lots }
                """);
        assertThatThrownBy(() -> McpPool.fromConfig(wrongType)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("servers.files.pool.maxSessions")
                .hasMessageContaining("lots")
                .hasMessageContaining("whole number");

        Path negative = dir.resolve("negative.yaml");
        Files.writeString(negative, """
                defaults:
                  pool: { minSessions: -2 }
                servers:
                  files: { command: echo }
                """);
        assertThatThrownBy(() -> McpPool.fromConfig(negative)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("defaults.pool.minSessions")
                .hasMessageContaining("-2");

        Path unknownKey = dir.resolve("unknown.yaml");
        Files.writeString(unknownKey, """
                servers:
                  files:
                    command: echo
                    pool: { maxSesions: 2 }
                """);
        assertThatThrownBy(() -> McpPool.fromConfig(unknownKey)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("servers.files.pool.maxSesions: unknown key")
                .hasMessageContaining("did you mean 'maxSessions'");
    }
}
