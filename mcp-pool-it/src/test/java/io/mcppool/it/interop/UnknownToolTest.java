package io.mcppool.it.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.mcppool.McpPool;
import io.mcppool.call.UnknownToolException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A misspelt tool fails the same way from the first call on (issue 11, finding 8). The TypeScript SDK's
 * servers answer an unknown tool with an {@code isError} result, so before the pool's first listing of the
 * server ended, a misspelt call came back as a tool error, and as {@link UnknownToolException} after.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UnknownToolTest {

    @Test
    void aMisspeltToolIsUnknownFromTheFirstCallOn() {
        // Against server-everything over stdio, the first call made the moment the pool starts.
        try (McpPool pool = Interop.pool("everything", NpmPeers.everythingStdio(), 1, 1)) {
            Throwable first = catchThrowable(() -> pool.callTool("everything", "ecoh", Map.of("message", "hi")));
            assertThat(first).as("the first call, made before the catalog listed the server")
                    .isInstanceOf(UnknownToolException.class)
                    .hasMessageContaining("server 'everything'")
                    .hasMessageContaining("tool 'ecoh'");
            pool.catalog().loaded("everything").copy().orTimeout(30, TimeUnit.SECONDS).join();
            Throwable later = catchThrowable(() -> pool.callTool("everything", "ecoh", Map.of("message", "hi")));
            assertThat(later).as("a call once the catalog knows the tools").isInstanceOf(UnknownToolException.class);
            assertThat(pool.callTool("everything", "echo", Map.of("message", "hi")).text()).isEqualTo("Echo: hi");
        }
    }

    @Test
    void aKnownToolThatReturnsAnErrorStaysAToolError() {
        // The check must not turn a real tool error of a call sent before the first listing into "unknown tool".
        try (McpPool pool = Interop.pool("kit", Interop.testkitStdio(), 1, 1)) {
            var result = pool.callTool("kit", "fail", Map.of("message", "boom"));
            assertThat(result.failed()).isTrue();
            assertThat(result.text()).contains("boom");
        }
    }
}
