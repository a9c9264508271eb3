package io.mcppool.it.gateway.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.gateway.Gateway;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official TypeScript SDK client ({@code @modelcontextprotocol/sdk}, {@code Client} over
 * {@code StreamableHTTPClientTransport}) against the gateway, from {@code interop/ts-sdk-client.mjs} run once
 * on the default {@code node}: it lists tools, calls one with progress, aborts one, reads what the upstream
 * saw and ends its session. Each test asserts one part of the JSON summary the script prints.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TypeScriptSdkTest {
    @TempDir
    static Path dir;
    static Gateway gateway;
    static Exec.Result run;
    static JsonNode summary;

    @BeforeAll
    static void runTheScript() {
        gateway = Peers.testkitGateway();
        List<String> cmd = List.of(Peers.node(), Peers.resource("/interop/ts-sdk-client.mjs").toString(),
                gateway.mcpUri().toString());
        run = Exec.run(cmd, Map.of("MCP_SDK_DIR", Peers.packageDir(Peers.SDK).toString(), "HOME", dir.toString()),
                dir, Duration.ofSeconds(120));
        String last = run.stdout().strip();
        last = last.substring(last.lastIndexOf('\n') + 1);
        summary = CurlTest.json(last);
    }

    @AfterAll
    static void stopGateway() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void theScriptRanToItsEnd() {
        assertThat(summary.path("fatal").isMissingNode()).as(run.describe()).isTrue();
        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(summary.path("sdkVersion").asText()).isEqualTo("1.32.2");
        assertThat(summary.path("serverName").asText()).isEqualTo("mcp-pool");
        assertThat(summary.path("protocolVersion").asText()).isEqualTo("2025-11-25");
    }

    @Test
    void listsTheGatewaysTools() {
        List<String> tools = new ArrayList<>();
        summary.path("tools").forEach(t -> tools.add(t.asText()));
        assertThat(tools).as(run.describe()).contains("testkit__echo", "testkit__sleep", "testkit__stats")
                .allSatisfy(n -> assertThat(n).startsWith("testkit__"));
    }

    @Test
    void callsAToolWithProgress() {
        JsonNode call = summary.path("progressCall");
        assertThat(call.path("text").asText()).as(run.describe()).isEqualTo("slept 600ms");
        assertThat(call.path("isError").asBoolean()).isFalse();
        List<Double> progress = new ArrayList<>();
        call.path("progress").forEach(p -> {
            progress.add(p.path("progress").asDouble());
            assertThat(p.path("total").asDouble()).isEqualTo(3.0);
        });
        assertThat(progress).as(run.describe()).hasSizeGreaterThanOrEqualTo(3).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void anAbortedCallIsCancelledUpstream() {
        JsonNode cancel = summary.path("cancelCall");
        assertThat(cancel.path("resolved").asBoolean(true)).as(run.describe()).isFalse();
        assertThat(cancel.path("error").asText()).as(run.describe()).contains("AbortError");
        assertThat(cancel.path("firstProgressMs").isNumber()).as("aborted after its first progress\n%s", run.describe())
                .isTrue();
        assertThat(cancel.path("settledMs").asLong()).as("the call settled long before its 20 s sleep")
                .isLessThan(10_000);
        // The upstream testkit got notifications/cancelled for its copy of the request (the pool's own id).
        assertThat(summary.at("/upstream/cancelled").size()).as(run.describe()).isEqualTo(1);
        assertThat(summary.at("/upstream/executions/sleep").asInt()).isEqualTo(2);
    }

    /**
     * The spec (basic/utilities/cancellation): a receiver of notifications/cancelled SHOULD NOT send a response
     * for the cancelled request. The SDK reports one that arrives anyway through {@code onerror}.
     */
    @Test
    void aCancelledCallGetsNoResponseAfterwards() {
        List<String> errors = new ArrayList<>();
        summary.path("errors").forEach(e -> errors.add(e.asText()));
        assertThat(errors).as(run.describe())
                .noneSatisfy(e -> assertThat(e).contains("Received a response for an unknown message ID"));
    }

    @Test
    void terminatingTheSessionEndsItAtTheGateway() {
        assertThat(summary.path("sessionId").asText()).isNotEmpty();
        assertThat(summary.path("sessionAfterTerminate").isNull()).as(run.describe()).isTrue();
        await("client sessions at the gateway").atMost(Duration.ofSeconds(10))
                .until(() -> gateway.server().sessions().size() == 0);
    }
}
