package io.mcppool.it.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.gateway.Gateway;
import io.mcppool.protocol.Json;
import io.mcppool.testkit.TestkitHttpServer;
import io.mcppool.testkit.TestkitOptions;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6, acceptance 5: in the gateway, a cached result is one client's own unless its tool is configured
 * {@code shared}. Two API-key clients call the same read-only tool with the same arguments on a trusted server
 * with the cache on; the upstream's own execution count tells whether the second call was served from the
 * first one's entry.
 */
class GatewayCacheScopeTest {
    static final String KEY_A = "cache-scope-client-a-0123456789";
    static final String KEY_B = "cache-scope-client-b-0123456789";

    @TempDir
    static Path dir;
    static TestkitHttpServer upstream;
    static Gateway gateway;

    @BeforeAll
    static void start() {
        upstream = TestkitHttpServer.start(TestkitOptions.defaults());
        // echo is read-only by its annotations on a trusted server: cacheable under the server's cache block.
        // add is configured shared. stats must never be cached: it is how the test reads the upstream.
        gateway = GatewayFiles.start(dir, """
                servers:
                  t:
                    url: "%s"
                    trusted: true
                    cache: { ttl: 5m }
                    tools:
                      add: { cache: { ttl: 5m, shared: true } }
                      stats: { cache: false }
                gateway:
                  port: 0
                  watchConfig: false
                  auth:
                    apiKeys:
                      - { name: client-a, key: "%s", allow: ["*"] }
                      - { name: client-b, key: "%s", allow: ["*"] }
                """.formatted(upstream.url(), KEY_A, KEY_B));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
    }

    private static long executions(GatewayClient client, String tool) {
        JsonNode stats = Json.mapper().valueToTree(client.call("t__stats", Map.of()).path("result")
                .path("structuredContent"));
        return stats.path("executions").path(tool).asLong();
    }

    @Test
    void aClientsCachedResultIsNotServedToAnotherClientForANonSharedTool() {
        GatewayClient a = new GatewayClient(gateway.mcpUri(), KEY_A);
        GatewayClient b = new GatewayClient(gateway.mcpUri(), KEY_B);
        a.initialize();
        b.initialize();
        long before = executions(a, "echo");

        assertThat(text(a.call("t__echo", Map.of("message", "scoped")))).isEqualTo("scoped");
        assertThat(text(a.call("t__echo", Map.of("message", "scoped")))).isEqualTo("scoped");
        assertThat(executions(a, "echo") - before).as("client A's second call is a hit on its own entry").isEqualTo(1);

        assertThat(text(b.call("t__echo", Map.of("message", "scoped")))).isEqualTo("scoped");
        assertThat(executions(a, "echo") - before).as("client B does not get client A's entry").isEqualTo(2);
        assertThat(text(b.call("t__echo", Map.of("message", "scoped")))).isEqualTo("scoped");
        assertThat(executions(a, "echo") - before).as("client B's second call hits its own entry").isEqualTo(2);
    }

    @Test
    void aSharedToolsEntryServesEveryClient() {
        GatewayClient a = new GatewayClient(gateway.mcpUri(), KEY_A);
        GatewayClient b = new GatewayClient(gateway.mcpUri(), KEY_B);
        a.initialize();
        b.initialize();
        long before = executions(a, "add");

        assertThat(text(a.call("t__add", Map.of("a", 20, "b", 22)))).isEqualTo("42");
        assertThat(text(b.call("t__add", Map.of("b", 22, "a", 20.0)))).as("same key: order and 20 vs 20.0").isEqualTo("42");
        assertThat(executions(a, "add") - before).as("one upstream execution for both clients").isEqualTo(1);
    }

    private static String text(JsonNode response) {
        return response.path("result").path("content").get(0).path("text").asText();
    }
}
