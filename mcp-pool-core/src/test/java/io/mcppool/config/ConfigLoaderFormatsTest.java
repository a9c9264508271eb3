package io.mcppool.config;

import static io.mcppool.config.ConfigTestSupport.problems;
import static io.mcppool.config.ConfigTestSupport.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mcppool.protocol.Root;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderFormatsTest {

    static final String DESIGN_LIKE_YAML = """
            defaults:                          # every server inherits these unless it overrides them
              callTimeout: 20s
              connectTimeout: 10s
              pool: { mode: multiplexed, minSessions: 1, maxSessions: 4, maxConcurrentRequests: 16,
                      acquireTimeout: 3s, idleTimeout: 10m, maxLifetime: 1h, keepaliveInterval: 60s }

            servers:
              github:
                url: https://mcp.example.com/mcp
                headers: { Authorization: "Bearer ${GITHUB_TOKEN}" }
                trusted: true
              files:
                command: npx
                args: [-y, "@modelcontextprotocol/server-filesystem", /srv/data]
                env: { DEBUG: 1, HOME: "${HOME:-/root}" }
                cwd: /srv
                pool: { maxSessions: 2 }
                tools:
                  read_file: { idempotent: true, readOnly: true }
                  write_file:
                roots: [ "file:///srv/data", { uri: "file:///tmp", name: tmp } ]
              browser:
                command: npx
                args: [-y, "@playwright/mcp"]
                pool: { mode: sticky }
                maxMessageSize: 1MiB
                shutdownGrace: 500ms
                callTimeout: 2m

            housekeepingInterval: 2s
            shutdownGrace: 15s
            """;

    @Test
    void yamlInTheMcpPoolShape() {
        McpPoolConfig config = yaml(DESIGN_LIKE_YAML, Map.of("GITHUB_TOKEN", "ghp_x"));

        assertThat(config.servers()).containsOnlyKeys("github", "files", "browser");
        assertThat(config.servers().keySet()).containsExactly("github", "files", "browser");
        assertThat(config.housekeepingInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.shutdownGrace()).isEqualTo(Duration.ofSeconds(15));
        assertThat(config.source()).isEqualTo("test.yaml");

        ServerConfig github = config.servers().get("github");
        assertThat(github.endpoint()).isEqualTo(new EndpointConfig.Http(URI.create("https://mcp.example.com/mcp"),
                Map.of("Authorization", "Bearer ghp_x")));
        assertThat(github.trusted()).isTrue();
        assertThat(github.callTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(github.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(github.pool().acquireTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(github.maxMessageBytes()).isEqualTo(ServerConfig.DEFAULT_MAX_MESSAGE_BYTES);
        assertThat(github.roots()).isEmpty();
        assertThat(github.tools()).isEmpty();

        ServerConfig files = config.servers().get("files");
        assertThat(files.endpoint()).isEqualTo(new EndpointConfig.Stdio("npx",
                List.of("-y", "@modelcontextprotocol/server-filesystem", "/srv/data"),
                Map.of("DEBUG", "1", "HOME", "/root"), Optional.of(Path.of("/srv")), Duration.ofSeconds(2)));
        assertThat(files.trusted()).isFalse();
        assertThat(files.pool()).isEqualTo(PoolSettings.builder().maxSessions(2).acquireTimeout(Duration.ofSeconds(3))
                .build());
        assertThat(files.tools()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "read_file", new ToolConfig(true, true), "write_file", ToolConfig.DEFAULTS));
        assertThat(files.roots()).containsExactly(new Root("file:///srv/data", null), new Root("file:///tmp", "tmp"));

        ServerConfig browser = config.servers().get("browser");
        assertThat(browser.pool().mode()).isEqualTo(PoolMode.STICKY);
        assertThat(browser.pool().maxSessions()).isEqualTo(4);
        assertThat(browser.maxMessageBytes()).isEqualTo(1024 * 1024);
        assertThat(browser.callTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(((EndpointConfig.Stdio) browser.endpoint()).shutdownGrace()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void absentKeysTakeTheRecordsDefaults() {
        McpPoolConfig config = yaml("servers:\n  s:\n    command: run\n");
        ServerConfig s = config.servers().get("s");
        assertThat(s.callTimeout()).isEqualTo(ServerConfig.DEFAULT_CALL_TIMEOUT);
        assertThat(s.connectTimeout()).isEqualTo(ServerConfig.DEFAULT_CONNECT_TIMEOUT);
        assertThat(s.maxMessageBytes()).isEqualTo(ServerConfig.DEFAULT_MAX_MESSAGE_BYTES);
        assertThat(s.pool()).isEqualTo(PoolSettings.DEFAULTS);
        assertThat(s.trusted()).isFalse();
        assertThat(s.endpoint()).isEqualTo(new EndpointConfig.Stdio("run", List.of()));
        assertThat(config.housekeepingInterval()).isEqualTo(McpPoolConfig.DEFAULT_HOUSEKEEPING_INTERVAL);
        assertThat(config.shutdownGrace()).isEqualTo(McpPoolConfig.DEFAULT_SHUTDOWN_GRACE);
    }

    @Test
    void defaultsAreInheritedAndPoolMergesKeyByKey() {
        McpPoolConfig config = yaml("""
                defaults:
                  callTimeout: 7s
                  trusted: true
                  maxMessageSize: 4MB
                  roots: [file:///shared]
                  shutdownGrace: 1s
                  pool: { mode: exclusive, minSessions: 2, maxSessions: 6, idleTimeout: 1m, validateAfterIdle: 0 }
                servers:
                  a:
                    command: a
                  b:
                    command: b
                    callTimeout: 9s
                    trusted: false
                    roots: []
                    pool: { maxSessions: 3, keepaliveInterval: 0s }
                  c:
                    url: http://localhost:9000/mcp
                """);
        ServerConfig a = config.servers().get("a");
        assertThat(a.callTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(a.trusted()).isTrue();
        assertThat(a.maxMessageBytes()).isEqualTo(4 * 1024 * 1024);
        assertThat(a.roots()).containsExactly(new Root("file:///shared", null));
        assertThat(((EndpointConfig.Stdio) a.endpoint()).shutdownGrace()).isEqualTo(Duration.ofSeconds(1));
        assertThat(a.pool()).isEqualTo(PoolSettings.builder().mode(PoolMode.EXCLUSIVE).minSessions(2).maxSessions(6)
                .idleTimeout(Duration.ofMinutes(1)).validateAfterIdle(Duration.ZERO).build());

        ServerConfig b = config.servers().get("b");
        assertThat(b.callTimeout()).isEqualTo(Duration.ofSeconds(9));
        assertThat(b.trusted()).isFalse();
        assertThat(b.roots()).isEmpty();
        assertThat(b.pool()).isEqualTo(PoolSettings.builder().mode(PoolMode.EXCLUSIVE).minSessions(2).maxSessions(3)
                .idleTimeout(Duration.ofMinutes(1)).validateAfterIdle(Duration.ZERO).keepaliveInterval(Duration.ZERO)
                .build());

        // A grace in defaults is for the stdio servers; an HTTP server simply has no use for it.
        assertThat(config.servers().get("c").endpoint()).isInstanceOf(EndpointConfig.Http.class);
    }

    @Test
    void toml() {
        McpPoolConfig config = ConfigLoader.parse("""
                housekeepingInterval = "2s"

                [defaults]
                callTimeout = "20s"

                [defaults.pool]
                maxSessions = 8
                maxConcurrentRequests = "32"

                [servers.files]
                command = "npx"
                args = ["-y", "@modelcontextprotocol/server-filesystem", "/srv"]
                env = { DEBUG = "1" }

                [servers.files.pool]
                minSessions = 2

                [servers.files.tools.read_file]
                idempotent = true

                [servers.remote]
                url = "http://localhost:8080/mcp"
                transport = "streamable-http"
                headers = { "X-Api-Key" = "k" }
                """, ConfigLoader.Format.TOML, "test.toml", Map.of());

        assertThat(config.housekeepingInterval()).isEqualTo(Duration.ofSeconds(2));
        ServerConfig files = config.servers().get("files");
        assertThat(files.callTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(files.pool().minSessions()).isEqualTo(2);
        assertThat(files.pool().maxSessions()).isEqualTo(8);
        assertThat(files.pool().maxConcurrentRequests()).isEqualTo(32);
        assertThat(files.tool("read_file")).as("readOnly not written: not said")
                .isEqualTo(new ToolConfig(Optional.of(true), Optional.empty(), Optional.empty()));
        assertThat(files.endpoint()).isEqualTo(new EndpointConfig.Stdio("npx",
                List.of("-y", "@modelcontextprotocol/server-filesystem", "/srv"), Map.of("DEBUG", "1"),
                Optional.empty(), Duration.ofSeconds(2)));
        assertThat(config.servers().get("remote").endpoint()).isEqualTo(new EndpointConfig.Http(
                URI.create("http://localhost:8080/mcp"), Map.of("X-Api-Key", "k")));
    }

    @Test
    void mcpServersJsonAsHostsWriteIt() {
        McpPoolConfig config = ConfigLoader.parse("""
                {
                  "mcpServers": {
                    "filesystem": {
                      "command": "npx",
                      "args": ["-y", "@modelcontextprotocol/server-filesystem", "/Users/me/Desktop"],
                      "env": {"LOG": "debug"},
                      "autoApprove": ["read_file"], "alwaysAllow": [], "description": "my files",
                      "timeout": 45000
                    },
                    "off": {"command": "nothing", "disabled": true, "whatever": {"x": 1}},
                    "on": {"command": "uvx", "args": ["mcp-server-git"], "disabled": false, "type": "stdio"},
                    "remote": {"type": "http", "url": "https://api.example.com/mcp", "headers": {"X-Key": "k"}},
                    "remote2": {"type": "streamable-http", "url": "https://b.example.com/mcp", "timeout": "5s"},
                    "remote3": {"type": "streamableHttp", "url": "https://c.example.com/mcp"},
                    "plain": {"url": "https://d.example.com/mcp"}
                  }
                }
                """, ConfigLoader.Format.JSON, "claude_desktop_config.json", Map.of());

        assertThat(config.servers().keySet()).containsExactly("filesystem", "on", "remote", "remote2", "remote3", "plain");
        ServerConfig fs = config.servers().get("filesystem");
        assertThat(fs.callTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(fs.endpoint()).isEqualTo(new EndpointConfig.Stdio("npx",
                List.of("-y", "@modelcontextprotocol/server-filesystem", "/Users/me/Desktop"), Map.of("LOG", "debug"),
                Optional.empty(), Duration.ofSeconds(2)));
        assertThat(config.servers().get("remote").endpoint()).isEqualTo(new EndpointConfig.Http(
                URI.create("https://api.example.com/mcp"), Map.of("X-Key", "k")));
        assertThat(config.servers().get("remote2").callTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.servers().get("plain").endpoint()).isInstanceOf(EndpointConfig.Http.class);
    }

    @Test
    void mcpServersWithSseIsRefusedWithAHint() {
        assertThat(problems(ConfigLoader.Format.JSON,
                "{\"mcpServers\": {\"old\": {\"type\": \"sse\", \"url\": \"https://x.example.com/sse\"}}}", Map.of()))
                .containsExactly("mcpServers.old.type: legacy SSE transport is not supported yet; got \"sse\";"
                        + " use the Streamable HTTP URL");
    }

    @Test
    void mcpServersMayCombineWithDefaultsAndCommentsAndTrailingCommas() {
        McpPoolConfig config = ConfigLoader.parse("""
                // VS Code writes JSON with comments
                {
                  "defaults": { "pool": { "maxSessions": 1 } },
                  "mcpServers": {
                    "git": { "command": "uvx", "args": ["mcp-server-git",], },
                  },
                }
                """, ConfigLoader.Format.JSON, "mcp.json", Map.of());
        assertThat(config.servers().get("git").pool().maxSessions()).isEqualTo(1);
    }

    @Test
    void serversAndMcpServersTogetherMustNotRepeatANameAndKeepFileOrder() {
        McpPoolConfig config = yaml("""
                servers: { a: { command: a } }
                mcpServers: { b: { command: b } }
                """);
        assertThat(config.servers().keySet()).containsExactly("a", "b");
        assertThat(problems("""
                servers: { a: { command: a } }
                mcpServers: { a: { command: b } }
                """)).containsExactly("mcpServers.a: a server named 'a' is already defined in servers");
    }

    @Test
    void anEmptyConfigIsAPoolWithNoServers() {
        assertThat(yaml("").servers()).isEmpty();
        assertThat(yaml("# nothing yet\n").servers()).isEmpty();
        assertThat(yaml("servers: {}\n").servers()).isEmpty();
        assertThat(yaml("servers:\n").servers()).isEmpty();
        assertThat(ConfigLoader.parse("{}", ConfigLoader.Format.JSON, "x", Map.of()).servers()).isEmpty();
        assertThat(ConfigLoader.parse("", ConfigLoader.Format.TOML, "x", Map.of()).servers()).isEmpty();
    }

    @Test
    void detectsTheFormatByExtensionThenByContent() {
        assertThat(ConfigLoader.Format.detect(Path.of("a.yaml"), "{}")).isEqualTo(ConfigLoader.Format.YAML);
        assertThat(ConfigLoader.Format.detect(Path.of("a.YML"), "")).isEqualTo(ConfigLoader.Format.YAML);
        assertThat(ConfigLoader.Format.detect(Path.of("dir/a.toml"), "")).isEqualTo(ConfigLoader.Format.TOML);
        assertThat(ConfigLoader.Format.detect(Path.of("a.json"), "servers: {}")).isEqualTo(ConfigLoader.Format.JSON);
        assertThat(ConfigLoader.Format.detect(Path.of("a.jsonc"), "")).isEqualTo(ConfigLoader.Format.JSON);

        Path none = Path.of("mcp-pool.conf");
        assertThat(ConfigLoader.Format.detect(none, "\uFEFF\n  {\"mcpServers\": {}}")).isEqualTo(ConfigLoader.Format.JSON);
        assertThat(ConfigLoader.Format.detect(none, "// c\n{}")).isEqualTo(ConfigLoader.Format.JSON);
        assertThat(ConfigLoader.Format.detect(none, "# c\n[servers.files]\ncommand = \"x\"")).isEqualTo(ConfigLoader.Format.TOML);
        assertThat(ConfigLoader.Format.detect(none, "housekeepingInterval = \"1s\"")).isEqualTo(ConfigLoader.Format.TOML);
        assertThat(ConfigLoader.Format.detect(none, "[[servers]]")).isEqualTo(ConfigLoader.Format.TOML);
        assertThat(ConfigLoader.Format.detect(none, "# c\nservers:\n  a: {command: x}")).isEqualTo(ConfigLoader.Format.YAML);
        assertThat(ConfigLoader.Format.detect(none, "")).isEqualTo(ConfigLoader.Format.YAML);
    }

    @Test
    void loadsAFileDetectingItsFormat(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pool.conf");
        Files.writeString(file, "[servers.x]\ncommand = \"${CMD}\"\n");
        McpPoolConfig config = ConfigLoader.load(file, Map.of("CMD", "run-me"));
        assertThat(((EndpointConfig.Stdio) config.servers().get("x").endpoint()).command()).isEqualTo("run-me");
        assertThat(config.source()).isEqualTo(file.toString());
    }

    @Test
    void aMissingFileIsOneProblemNamingIt(@TempDir Path dir) {
        Path file = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems())
                        .singleElement().asString().startsWith(file + ": file not found"));
    }

    @Test
    void aDirectoryIsNotAConfig(@TempDir Path dir) {
        assertThatThrownBy(() -> ConfigLoader.load(dir, Map.of()))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems())
                        .containsExactly(dir + ": is a directory, not a config file"));
    }

    @Test
    void aFileThatIsNotUtf8IsRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.write(file, new byte[] {'a', ':', ' ', (byte) 0xC3, (byte) 0x28});
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems())
                        .containsExactly(file + ": is not UTF-8 text"));
    }

    @Test
    void syntaxErrorsNameTheFileLineAndColumn(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("broken.yaml");
        Files.writeString(yaml, "servers:\n  files:\n    command: npx\n   args: [a\n");
        assertThatThrownBy(() -> ConfigLoader.load(yaml, Map.of()))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems()).singleElement()
                        .asString().startsWith(yaml + ": not valid YAML at line 4, column ")
                        .doesNotContain("\n"));

        Path toml = dir.resolve("broken.toml");
        Files.writeString(toml, "[servers.files]\ncommand = \n");
        assertThatThrownBy(() -> ConfigLoader.load(toml, Map.of()))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems()).singleElement()
                        .asString().startsWith(toml + ": not valid TOML at line 2, column "));

        Path json = dir.resolve("broken.json");
        Files.writeString(json, "{\"mcpServers\": {\n  \"a\": {\"command\": }\n}}");
        assertThatThrownBy(() -> ConfigLoader.load(json, Map.of()))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems()).singleElement()
                        .asString().startsWith(json + ": not valid JSON at line 2, column ")
                        .contains("Unexpected character"));
    }

    @Test
    void aKeyWrittenTwiceIsASyntaxError() {
        assertThat(problems("servers:\n  a: {command: x}\n  a: {command: y}\n")).singleElement().asString()
                .startsWith("test: not valid YAML at line 3").contains("Duplicate field 'a'");
        assertThat(problems(ConfigLoader.Format.JSON, "{\"servers\": {}, \"servers\": {}}", Map.of())).singleElement()
                .asString().contains("Duplicate field 'servers'");
    }

    @Test
    void loadsABuiltInConfigFromTheClasspath(@TempDir Path dir) throws Exception {
        Path res = dir.resolve("io/mcppool/test/builtin.yaml");
        Files.createDirectories(res.getParent());
        Files.writeString(res, "servers:\n  echo:\n    command: ${MCP_POOL_JAVA}\n    args: [-cp, \"${MCP_POOL_CLASSPATH}\", Echo]\n");
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, previous)) {
            Thread.currentThread().setContextClassLoader(loader);
            McpPoolConfig config = ConfigLoader.loadResource("/io/mcppool/test/builtin.yaml",
                    Map.of("MCP_POOL_CLASSPATH", "/app/lib/*"));
            EndpointConfig.Stdio echo = (EndpointConfig.Stdio) config.servers().get("echo").endpoint();
            assertThat(echo.command()).contains("java");
            assertThat(echo.args()).containsExactly("-cp", "/app/lib/*", "Echo");
            assertThat(config.source()).isEqualTo("classpath:io/mcppool/test/builtin.yaml");
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    @Test
    void aMissingResourceIsOneProblem() {
        assertThatThrownBy(() -> ConfigLoader.loadResource("no/such/config.yaml", Map.of()))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems())
                        .containsExactly("classpath:no/such/config.yaml: no such resource on the classpath"));
    }

    @Test
    void theExceptionMessageListsEveryProblem() {
        assertThatThrownBy(() -> yaml("servers:\n  a: {}\n  b: {command: x, callTimeout: fast}\n"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith("invalid configuration (test.yaml):\n  - servers.a: needs command")
                .hasMessageContaining("\n  - servers.b.callTimeout: must be a duration like 250ms, 5s, 10m, 1h;"
                        + " got \"fast\"");
    }
}
