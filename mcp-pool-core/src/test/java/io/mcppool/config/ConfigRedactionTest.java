package io.mcppool.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A config's {@code toString} gets logged; its secrets must not be in it (issue 11, finding 8). */
class ConfigRedactionTest {

    @Test
    void toStringHidesHeaderValuesEnvironmentValuesSecretArgumentsAndUserInfo() {
        ServerConfig http = ServerConfig.builder("github", new EndpointConfig.Http(
                URI.create("https://bot:pw-in-url-111@mcp.example.com/mcp?api_key=query-secret-222"),
                Map.of("Authorization", "Bearer header-secret-333", "X-Team", "team-value-444"))).build();
        ServerConfig stdio = ServerConfig.builder("files", new EndpointConfig.Stdio("server",
                List.of("--api-key", "arg-secret-555", "--token=arg-secret-666", "/srv/data"),
                Map.of("GITHUB_TOKEN", "env-secret-777", "PLAIN", "env-value-888"), Optional.empty(),
                Duration.ofSeconds(2))).build();
        McpPoolConfig config = new McpPoolConfig(Map.of("github", http, "files", stdio), Duration.ofSeconds(1),
                Duration.ofSeconds(10), "test");

        String text = config.toString();

        assertThat(text).doesNotContain("pw-in-url-111", "query-secret-222", "header-secret-333", "team-value-444",
                "arg-secret-555", "arg-secret-666", "env-secret-777", "env-value-888");
        // what helps to read a config stays
        assertThat(text).contains("mcp.example.com/mcp", "Authorization=***", "GITHUB_TOKEN=***", "--api-key ***",
                "/srv/data", "server");
    }
}
