package io.mcppool.config;

import static io.mcppool.config.ConfigTestSupport.problems;
import static io.mcppool.config.ConfigTestSupport.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvOverridesTest {

    private static final String TWO_SERVERS = """
            defaults:
              pool: { maxSessions: 4 }
            servers:
              my-files:
                command: npx
                args: [-y, pkg]
              github:
                url: https://mcp.example.com/mcp
                pool: { maxSessions: 2 }
            """;

    @Test
    void genericNamesSetAnyKeyMatchingCaseAndSeparatorsLoosely() {
        McpPoolConfig config = yaml(TWO_SERVERS, Map.of(
                "MCP_POOL__DEFAULTS__POOL__MAX_SESSIONS", "8",
                "MCP_POOL__SERVERS__MY_FILES__CALL_TIMEOUT", "5s",
                "MCP_POOL__SERVERS__GITHUB__TRUSTED", "true",
                "MCP_POOL__HOUSEKEEPING_INTERVAL", "250ms"));
        ServerConfig files = config.servers().get("my-files");
        assertThat(files.pool().maxSessions()).isEqualTo(8);
        assertThat(files.callTimeout()).isEqualTo(Duration.ofSeconds(5));
        ServerConfig github = config.servers().get("github");
        assertThat(github.trusted()).isTrue();
        assertThat(github.pool().maxSessions()).as("the server's own value beats defaults").isEqualTo(2);
        assertThat(config.housekeepingInterval()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void genericNamesCreateWhatTheFileLacks() {
        McpPoolConfig config = yaml("servers:\n  files: { command: npx }\n", Map.of(
                "MCP_POOL__DEFAULTS__POOL__MODE", "exclusive",
                "MCP_POOL__SERVERS__FILES__ENV__LOG_LEVEL", "debug",
                "MCP_POOL__SERVERS__FILES__ARGS", "[-y, \"@scope/pkg\"]",
                "MCP_POOL__SERVERS__FILES__TOOLS", "{read_file: {idempotent: true}}"));
        ServerConfig files = config.servers().get("files");
        assertThat(files.pool().mode()).isEqualTo(PoolMode.EXCLUSIVE);
        EndpointConfig.Stdio stdio = (EndpointConfig.Stdio) files.endpoint();
        assertThat(stdio.env()).containsEntry("LOG_LEVEL", "debug");
        assertThat(stdio.args()).containsExactly("-y", "@scope/pkg");
        assertThat(files.tool("read_file").idempotent()).contains(true);
    }

    @Test
    void listElementsAreAddressedByIndex() {
        McpPoolConfig config = yaml(TWO_SERVERS, Map.of(
                "MCP_POOL__SERVERS__MY_FILES__ARGS__1", "other-pkg",
                "MCP_POOL__SERVERS__MY_FILES__ARGS__2", "/srv"));
        assertThat(((EndpointConfig.Stdio) config.servers().get("my-files").endpoint()).args())
                .containsExactly("-y", "other-pkg", "/srv");
        assertThat(problems(TWO_SERVERS, Map.of("MCP_POOL__SERVERS__MY_FILES__ARGS__7", "x"))).containsExactly(
                "MCP_POOL__SERVERS__MY_FILES__ARGS__7: servers.my-files.args is a list; '7' must be an index from"
                        + " 0 to 2 (2 appends)");
    }

    @Test
    void existingHeaderKeysAreMatchedLoosely() {
        McpPoolConfig config = yaml("""
                servers:
                  gh: { url: "https://a.example.com/mcp", headers: { Authorization: old } }
                """, Map.of("MCP_POOL__SERVERS__GH__HEADERS__AUTHORIZATION", "Bearer new"));
        assertThat(((EndpointConfig.Http) config.servers().get("gh").endpoint()).headers())
                .containsExactlyEntriesOf(Map.of("Authorization", "Bearer new"));
    }

    @Test
    void genericNamesReachServersOfAnMcpServersFile() {
        McpPoolConfig config = ConfigLoader.parse("{\"mcpServers\": {\"git\": {\"command\": \"uvx\"}}}",
                ConfigLoader.Format.JSON, "x.json", Map.of("MCP_POOL__SERVERS__GIT__POOL__MAX_SESSIONS", "1"));
        assertThat(config.servers().get("git").pool().maxSessions()).isEqualTo(1);
    }

    @Test
    void anOverrideForAServerThatDoesNotExistIsAProblem() {
        assertThat(problems(TWO_SERVERS, Map.of("MCP_POOL__SERVERS__NOPE__CALL_TIMEOUT", "5s"))).containsExactly(
                "MCP_POOL__SERVERS__NOPE__CALL_TIMEOUT: no server matches 'NOPE'; servers: my-files, github");
    }

    @Test
    void anOverrideForAToolTheFileDoesNotListIsAProblem() {
        assertThat(problems(TWO_SERVERS, Map.of("MCP_POOL__SERVERS__GITHUB__TOOLS__SEARCH__IDEMPOTENT", "true")))
                .containsExactly("MCP_POOL__SERVERS__GITHUB__TOOLS__SEARCH__IDEMPOTENT: servers.github.tools has no"
                        + " entry matching 'SEARCH'; an environment variable can change an entry the file has, not add one");
    }

    @Test
    void anUnknownSegmentSuggestsTheClosestKey() {
        assertThat(problems(TWO_SERVERS, Map.of("MCP_POOL__DEFAULTS__POOL__MAX_SESIONS", "8"))).containsExactly(
                "MCP_POOL__DEFAULTS__POOL__MAX_SESIONS: pool has no key 'MAX_SESIONS'; did you mean 'maxSessions'?"
                        + " allowed: mode, minSessions, maxSessions, maxConcurrentRequests, acquireTimeout,"
                        + " idleTimeout, maxLifetime, keepaliveInterval, validateAfterIdle");
        assertThat(problems(TWO_SERVERS, Map.of("MCP_POOL__SERVERS__GITHUB__TRUSTED__X", "8"))).containsExactly(
                "MCP_POOL__SERVERS__GITHUB__TRUSTED__X: servers.github.trusted is a single value, it has no 'X'");
        assertThat(problems(TWO_SERVERS, Map.of("MCP_POOL__DEFAULTS____POOL", "8"))).singleElement().asString()
                .startsWith("MCP_POOL__DEFAULTS____POOL: has an empty segment");
    }

    @Test
    void aBadValueFromTheEnvironmentGetsTheUsualMessageAndNamesTheVariable() {
        assertThat(problems(TWO_SERVERS, Map.of("MCP_POOL__SERVERS__MY_FILES__CALL_TIMEOUT", "30"))).containsExactly(
                "servers.my-files.callTimeout (from MCP_POOL__SERVERS__MY_FILES__CALL_TIMEOUT): a bare number is not"
                        + " a duration; got \"30\"; add a unit, e.g. 30s");
        assertThat(problems(TWO_SERVERS, Map.of("MCP_DEFAULT_MAX_CONNECTIONS", "lots"))).containsExactly(
                "defaults.pool.maxSessions (from MCP_DEFAULT_MAX_CONNECTIONS): must be a whole number from 1 to 10000;"
                        + " got \"lots\"");
        assertThat(problems(TWO_SERVERS, Map.of("MCP_POOL__SERVERS__GITHUB__POOL", "{maxSessions: 0}")))
                .containsExactly("servers.github.pool.maxSessions (from MCP_POOL__SERVERS__GITHUB__POOL): must be a"
                        + " whole number from 1 to 10000; got 0");
        assertThat(problems(TWO_SERVERS, Map.of("MCP_POOL__DEFAULTS__RETRY__MAX_ATTEMPTS", "0"))).containsExactly(
                "defaults.retry.maxAttempts (from MCP_POOL__DEFAULTS__RETRY__MAX_ATTEMPTS): must be a whole number"
                        + " from 1 to 100; got \"0\"");
    }

    @Test
    void aStructuredValueThatDoesNotParseIsAProblem() {
        assertThat(problems(TWO_SERVERS, Map.of("MCP_POOL__SERVERS__MY_FILES__ARGS", "[a, b"))).singleElement()
                .asString().startsWith("MCP_POOL__SERVERS__MY_FILES__ARGS: cannot read the value as a YAML/JSON list");
    }

    @Test
    void seedNamesMapOntoDefaults() {
        McpPoolConfig config = yaml("servers:\n  a: { command: a }\n", Map.of(
                "MCP_DEFAULT_MIN_CONNECTIONS", "2",
                "MCP_DEFAULT_MAX_CONNECTIONS", "10",
                "MCP_CONNECTION_TIMEOUT", "30",
                "MCP_CLEANUP_INTERVAL", "300",
                "MCP_HEALTH_CHECK_INTERVAL", "60"));
        ServerConfig a = config.servers().get("a");
        assertThat(a.pool().minSessions()).isEqualTo(2);
        assertThat(a.pool().maxSessions()).isEqualTo(10);
        assertThat(a.connectTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(a.health().interval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(a.pool().keepaliveInterval()).as("no longer the health check's stand-in")
                .isEqualTo(PoolSettings.DEFAULTS.keepaliveInterval());
        assertThat(config.housekeepingInterval()).isEqualTo(Duration.ofSeconds(300));
    }

    @Test
    void seedDurationsAlsoTakeUnitsAndEmptyMeansUnset() {
        McpPoolConfig config = yaml("servers:\n  a: { command: a }\n", Map.of(
                "MCP_CONNECTION_TIMEOUT", "1.5",
                "MCP_HEALTH_CHECK_INTERVAL", "2m",
                "MCP_DEFAULT_MAX_CONNECTIONS", ""));
        assertThat(config.servers().get("a").connectTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(config.servers().get("a").health().interval()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.servers().get("a").pool().maxSessions()).isEqualTo(4);
    }

    @Test
    void precedenceIsFileThenSeedNamesThenGenericNames() {
        String file = "defaults: { pool: { maxSessions: 4 } }\nservers:\n  a: { command: a }\n"
                + "  b: { command: b, pool: { maxSessions: 3 } }\n";
        assertThat(yaml(file).servers().get("a").pool().maxSessions()).isEqualTo(4);
        McpPoolConfig seeded = yaml(file, Map.of("MCP_DEFAULT_MAX_CONNECTIONS", "10"));
        assertThat(seeded.servers().get("a").pool().maxSessions()).isEqualTo(10);
        assertThat(seeded.servers().get("b").pool().maxSessions()).as("seed names set defaults only").isEqualTo(3);
        McpPoolConfig both = yaml(file, Map.of("MCP_DEFAULT_MAX_CONNECTIONS", "10",
                "MCP_POOL__DEFAULTS__POOL__MAX_SESSIONS", "12"));
        assertThat(both.servers().get("a").pool().maxSessions()).isEqualTo(12);
    }

    @Test
    void deeperGenericNamesWinOverShallowerOnes() {
        McpPoolConfig config = yaml(TWO_SERVERS, Map.of(
                "MCP_POOL__DEFAULTS__POOL", "{mode: sticky, maxSessions: 6}",
                "MCP_POOL__DEFAULTS__POOL__MAX_SESSIONS", "7"));
        PoolSettings pool = config.servers().get("my-files").pool();
        assertThat(pool.mode()).isEqualTo(PoolMode.STICKY);
        assertThat(pool.maxSessions()).isEqualTo(7);
    }

    @Test
    void singleConnectionForcesOneSessionEverywhereAfterAllElse() {
        McpPoolConfig config = yaml("""
                defaults: { pool: { minSessions: 2, maxSessions: 8 } }
                servers:
                  a: { command: a }
                  b: { command: b, pool: { minSessions: 3, maxSessions: 5 } }
                """, Map.of("MCP_SINGLE_CONNECTION", "true", "MCP_POOL__SERVERS__B__POOL__MAX_SESSIONS", "9"));
        for (ServerConfig s : config.servers().values()) {
            assertThat(s.pool().minSessions()).isEqualTo(1);
            assertThat(s.pool().maxSessions()).isEqualTo(1);
        }
        assertThat(yaml("servers:\n  a: { command: a }\n", Map.of("MCP_SINGLE_CONNECTION", "false"))
                .servers().get("a").pool().maxSessions()).isEqualTo(4);
        assertThat(problems("servers:\n  a: { command: a }\n", Map.of("MCP_SINGLE_CONNECTION", "yes")))
                .containsExactly("MCP_SINGLE_CONNECTION: must be true or false; got \"yes\"");
    }

    @Test
    void namesForLaterFeaturesAndUnrelatedNamesAreIgnored() {
        Map<String, String> env = Map.ofEntries(
                Map.entry("MCP_ENABLE_METRICS", "true"),
                Map.entry("MCP_DETAILED_METRICS", "false"),
                Map.entry("MCP_METRICS_INTERVAL", "60"),
                Map.entry("MCP_MAX_TOTAL_CONNECTIONS", "100"),
                Map.entry("MCP_LOG_LEVEL", "info"),
                Map.entry("MCP_ENABLE_MOCKS", "false"),
                Map.entry("MCP_SOMETHING_ELSE", "x"),
                Map.entry("MCP_POOL_JAVA", "/opt/java"));
        assertThat(yaml("servers:\n  a: { command: a }\n", env).servers()).containsOnlyKeys("a");
    }

    @Test
    void seedAndOverrideNamesAreTheDocumentedOnes() {
        assertThat(EnvOverrides.SEED_NAMES).containsExactly("MCP_DEFAULT_MIN_CONNECTIONS", "MCP_DEFAULT_MAX_CONNECTIONS",
                "MCP_CONNECTION_TIMEOUT", "MCP_CLEANUP_INTERVAL", "MCP_HEALTH_CHECK_INTERVAL",
                "MCP_CIRCUIT_BREAKER_FAILURE_THRESHOLD", "MCP_CIRCUIT_BREAKER_RECOVERY_TIMEOUT", "MCP_SINGLE_CONNECTION",
                "MCP_DISABLE_HEALTH_CHECKS", "MCP_ENABLE_CIRCUIT_BREAKERS");
        assertThat(EnvOverrides.LATER).contains("MCP_ENABLE_METRICS", "MCP_LOG_LEVEL")
                .doesNotContainAnyElementsOf(EnvOverrides.SEED_NAMES);
        assertThat(List.of(EnvOverrides.PREFIX)).containsExactly("MCP_POOL__");
    }
}
