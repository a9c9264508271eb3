package io.mcppool.it.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.mcppool.McpPool;
import io.mcppool.call.McpPoolException;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.PoolSettings;
import io.mcppool.config.ServerConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A stdio server that exits at start says why on its stderr; "exited with code 1" alone leaves the user
 * guessing (issue 11, finding 8). The last lines of its stderr go into the error, bounded and redacted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExitDiagnosticsTest {

    private static McpPool pool(String script) {
        EndpointConfig.Stdio stdio = new EndpointConfig.Stdio("sh", List.of("-c", script), Map.of(), Optional.empty(),
                Duration.ofSeconds(2));
        return McpPool.builder().server(ServerConfig.builder("broken", stdio)
                .pool(PoolSettings.builder().minSessions(0).maxSessions(1).acquireTimeout(Duration.ofSeconds(10)).build())
                .build()).build();
    }

    @Test
    void theErrorOfAServerThatExitsAtStartCarriesTheTailOfItsStderr() {
        String script = "echo 'starting up' >&2; echo 'config: API_TOKEN=hunter2-very-secret' >&2; "
                + "echo 'fatal: cannot open /etc/app.conf: No such file or directory' >&2; exit 3";
        try (McpPool mcp = pool(script)) {
            Throwable failure = catchThrowable(() -> mcp.callTool("broken", "echo", Map.of("message", "x")));
            assertThat(failure).isInstanceOf(McpPoolException.class);
            assertThat(failure.getMessage())
                    .contains("exited with code 3")
                    .contains("fatal: cannot open /etc/app.conf: No such file or directory")
                    .contains("starting up")
                    .doesNotContain("hunter2");
        }
    }

    @Test
    void theTailIsBounded() {
        // 500 long lines: the error keeps the last few, each cut short.
        String script = "i=0; while [ $i -lt 500 ]; do printf 'line %s %0300d\\n' $i 0 >&2; i=$((i+1)); done; exit 1";
        try (McpPool mcp = pool(script)) {
            Throwable failure = catchThrowable(() -> mcp.callTool("broken", "echo", Map.of("message", "x")));
            assertThat(failure.getMessage()).contains("line 499").doesNotContain("line 470 ")
                    .hasSizeLessThan(20_000);
        }
    }
}
