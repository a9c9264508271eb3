package io.mcppool.config;

import static io.mcppool.config.ConfigTestSupport.problems;
import static io.mcppool.config.ConfigTestSupport.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The resilience settings ({@code retry}, {@code breaker}, {@code health}, {@code supervision}), {@code balance}
 * and a server's {@code endpoints}: bound from each format, merged from defaults key by key, checked with
 * whole messages, and overridden from the environment.
 */
class ConfigLoaderResilienceTest {

    private static String server(String body) {
        return "servers:\n  files:\n    command: npx\n" + body.indent(4);
    }

    private static ServerConfig only(McpPoolConfig config) {
        assertThat(config.servers()).hasSize(1);
        return config.servers().values().iterator().next();
    }

    private static EndpointConfig http(String url) {
        return new EndpointConfig.Http(URI.create(url));
    }

    @Nested
    class Binding {

        @Test
        void theDesignSketchBindsOnceTierMeetsPriority() {
            McpPoolConfig config = yaml("""
                    defaults:
                      retry: { policy: exponential, maxAttempts: 3, initialBackoff: 100ms, maxBackoff: 5s, budget: 0.2 }
                      breaker: { failureRate: 50, consecutiveFailures: 5, slowCall: 10s, window: 20, minCalls: 10,
                                 openFor: 30s, halfOpenCalls: 3 }
                      health: { interval: 30s, timeout: 5s, unhealthyAfter: 3, healthyAfter: 2 }
                    servers:
                      files:
                        command: npx
                        tools:
                          read_file: { idempotent: true }
                      search:
                        balance: priority
                        endpoints:
                          - { url: "http://search-1.internal:8080/mcp", weight: 2 }
                          - { url: "http://search-2.internal:8080/mcp" }
                          - { command: java, args: [-jar, search-server.jar], tier: 1 }
                    """);
            ServerConfig files = config.servers().get("files");
            assertThat(files.retry()).isEqualTo(RetrySettings.DEFAULTS);
            assertThat(files.breaker()).isEqualTo(BreakerSettings.DEFAULTS);
            assertThat(files.health()).isEqualTo(HealthSettings.DEFAULTS);
            assertThat(files.supervision()).isEqualTo(SupervisionSettings.DEFAULTS);
            assertThat(files.balance()).isEqualTo(BalanceStrategy.ROUND_ROBIN);
            assertThat(files.replicas()).containsExactly(Replica.of(files.endpoint()));
            assertThat(files.tool("read_file")).isEqualTo(
                    new ToolConfig(Optional.of(true), Optional.empty(), Optional.empty()));

            ServerConfig search = config.servers().get("search");
            assertThat(search.balance()).isEqualTo(BalanceStrategy.PRIORITY);
            assertThat(search.replicas()).containsExactly(
                    new Replica(Optional.empty(), http("http://search-1.internal:8080/mcp"), 2, 0),
                    new Replica(Optional.empty(), http("http://search-2.internal:8080/mcp"), 1, 0),
                    new Replica(Optional.empty(), new EndpointConfig.Stdio("java", List.of("-jar", "search-server.jar"),
                            Map.of(), Optional.empty(), Duration.ofSeconds(2)), 1, 1));
            assertThat(search.endpoint()).isEqualTo(http("http://search-1.internal:8080/mcp"));
        }

        @Test
        void theDesignSketchAsWrittenLoads_tiersWorkWithEveryBalance() {
            ServerConfig search = only(yaml("""
                    servers:
                      search:
                        balance: least_outstanding
                        endpoints:
                          - { url: "http://search-1.internal:8080/mcp", weight: 2 }
                          - { url: "http://search-2.internal:8080/mcp" }
                          - { command: java, args: [-jar, search-server.jar], tier: 1 }
                    """));
            assertThat(search.balance()).isEqualTo(BalanceStrategy.LEAST_OUTSTANDING);
            assertThat(search.replicas()).extracting(Replica::tier).containsExactly(0, 0, 1);
        }

        @Test
        void everyKeyOfEverySection() {
            ServerConfig s = only(yaml(server("""
                    balance: Weighted-Round-Robin
                    retry: { policy: LINEAR, maxAttempts: 5, initialBackoff: 50ms, maxBackoff: 2s, jitter: false,
                             budget: 10%, budgetWindow: 30s, minRetries: 7 }
                    breaker: { enabled: false, failureRate: 40%, consecutiveFailures: 0, slowCall: 2s, slowCallRate: 80,
                               window: 50, minCalls: 50, openFor: 1m, halfOpenCalls: 1 }
                    health: { enabled: false, interval: 10ms, timeout: 1ms, unhealthyAfter: 1, healthyAfter: 4 }
                    supervision: { initialBackoff: 0, maxBackoff: 0, crashLoopRestarts: 1, crashLoopWindow: 5m,
                                   stableAfter: 0s }
                    """)));
            assertThat(s.balance()).isEqualTo(BalanceStrategy.WEIGHTED_ROUND_ROBIN);
            assertThat(s.retry()).isEqualTo(new RetrySettings(BackoffPolicy.LINEAR, 5, Duration.ofMillis(50),
                    Duration.ofSeconds(2), false, 0.1, Duration.ofSeconds(30), 7));
            assertThat(s.breaker()).isEqualTo(new BreakerSettings(false, 40, 0, Duration.ofSeconds(2), 80, 50, 50,
                    Duration.ofMinutes(1), 1));
            assertThat(s.health()).isEqualTo(new HealthSettings(false, Duration.ofMillis(10), Duration.ofMillis(1), 1, 4));
            assertThat(s.supervision()).isEqualTo(new SupervisionSettings(Duration.ZERO, Duration.ZERO, 1,
                    Duration.ofMinutes(5), Duration.ZERO));
        }

        @Test
        void everyBalanceNameInAnySpelling() {
            for (BalanceStrategy b : BalanceStrategy.values()) {
                String name = b.configName();
                for (String spelling : List.of(name, name.toUpperCase(), name.replace('_', '-'))) {
                    assertThat(only(yaml(server("balance: " + spelling))).balance()).as(spelling).isEqualTo(b);
                }
            }
            assertThat(only(yaml(server("retry: { policy: Fixed }"))).retry().policy()).isEqualTo(BackoffPolicy.FIXED);
        }

        @Test
        void budgetIsAFractionOrAPercentage() {
            assertThat(only(yaml(server("retry: { budget: 0 }"))).retry().budget()).isZero();
            assertThat(only(yaml(server("retry: { budget: 1 }"))).retry().budget()).isEqualTo(1.0);
            assertThat(only(yaml(server("retry: { budget: \"0.25\" }"))).retry().budget()).isEqualTo(0.25);
            assertThat(only(yaml(server("retry: { budget: .5 }"))).retry().budget()).isEqualTo(0.5);
            assertThat(only(yaml(server("retry: { budget: 20% }"))).retry().budget()).isEqualTo(0.2);
            assertThat(only(yaml(server("retry: { budget: \"12.5 %\" }"))).retry().budget()).isEqualTo(0.125);
            assertThat(only(yaml(server("retry: { budget: 100% }"))).retry().budget()).isEqualTo(1.0);
        }

        @Test
        void toml() {
            McpPoolConfig config = ConfigLoader.parse("""
                    [defaults]
                    balance = "least-outstanding"

                    [defaults.retry]
                    maxAttempts = 4
                    budget = "30%"

                    [defaults.breaker]
                    failureRate = 60
                    openFor = "45s"

                    [defaults.health]
                    interval = "15s"

                    [defaults.supervision]
                    crashLoopRestarts = 3

                    [servers.search]
                    balance = "priority"

                    [servers.search.retry]
                    maxAttempts = 2

                    [[servers.search.endpoints]]
                    name = "primary"
                    url = "http://a.internal/mcp"
                    headers = { X-Key = "k" }
                    weight = 3

                    [[servers.search.endpoints]]
                    name = "fallback"
                    command = "java"
                    args = ["-jar", "search.jar"]
                    tier = 1

                    [servers.search.tools.query]
                    readOnly = true
                    retry = { maxAttempts = 6 }
                    """, ConfigLoader.Format.TOML, "test.toml", Map.of());
            ServerConfig s = only(config);
            assertThat(s.balance()).isEqualTo(BalanceStrategy.PRIORITY);
            assertThat(s.retry()).isEqualTo(RetrySettings.builder().maxAttempts(2).budget(0.3).build());
            assertThat(s.breaker()).isEqualTo(BreakerSettings.builder().failureRate(60).openFor(Duration.ofSeconds(45))
                    .build());
            assertThat(s.health().interval()).isEqualTo(Duration.ofSeconds(15));
            assertThat(s.supervision().crashLoopRestarts()).isEqualTo(3);
            assertThat(s.replicas()).containsExactly(
                    new Replica(Optional.of("primary"), new EndpointConfig.Http(URI.create("http://a.internal/mcp"),
                            Map.of("X-Key", "k")), 3, 0),
                    new Replica(Optional.of("fallback"), new EndpointConfig.Stdio("java", List.of("-jar", "search.jar")),
                            1, 1));
            assertThat(s.tool("query")).isEqualTo(new ToolConfig(Optional.empty(), Optional.of(true),
                    Optional.of(RetrySettings.builder().maxAttempts(6).budget(0.3).build())));
        }

        @Test
        void mcpServersJson() {
            McpPoolConfig config = ConfigLoader.parse("""
                    {
                      "defaults": { "breaker": { "enabled": false } },
                      "mcpServers": {
                        "search": {
                          "balance": "random",
                          "retry": { "maxAttempts": 1 },
                          "health": { "enabled": "false" },
                          "endpoints": [
                            { "type": "http", "url": "https://s1.example.com/mcp" },
                            { "type": "stdio", "command": "search-server", "env": { "PORT": "0" } },
                          ],
                          "tools": { "query": { "idempotent": false, "readOnly": true } },
                          "autoApprove": ["query"]
                        }
                      }
                    }
                    """, ConfigLoader.Format.JSON, "mcp.json", Map.of());
            ServerConfig s = only(config);
            assertThat(s.balance()).isEqualTo(BalanceStrategy.RANDOM);
            assertThat(s.retry()).isEqualTo(RetrySettings.NONE);
            assertThat(s.breaker().enabled()).isFalse();
            assertThat(s.health()).isEqualTo(HealthSettings.DISABLED);
            assertThat(s.replicas()).extracting(Replica::endpoint).containsExactly(
                    http("https://s1.example.com/mcp"),
                    new EndpointConfig.Stdio("search-server", List.of(), Map.of("PORT", "0"), Optional.empty(),
                            Duration.ofSeconds(2)));
            assertThat(s.tool("query")).isEqualTo(new ToolConfig(false, true));
        }

        @Test
        void shutdownGraceFromTheServerOrDefaultsAppliesToEachStdioEndpoint() {
            ServerConfig s = only(yaml("""
                    defaults: { shutdownGrace: 3s }
                    servers:
                      mixed:
                        shutdownGrace: 500ms
                        endpoints:
                          - { command: a }
                          - { url: "http://b/mcp" }
                          - { command: c }
                    """));
            assertThat(s.replicas()).extracting(Replica::endpoint)
                    .filteredOn(EndpointConfig.Stdio.class::isInstance)
                    .extracting(e -> ((EndpointConfig.Stdio) e).shutdownGrace())
                    .containsExactly(Duration.ofMillis(500), Duration.ofMillis(500));
            ServerConfig inherited = only(yaml("""
                    defaults: { shutdownGrace: 3s }
                    servers:
                      x: { endpoints: [ { command: a }, { url: "http://b/mcp" } ] }
                    """));
            assertThat(((EndpointConfig.Stdio) inherited.endpoint()).shutdownGrace()).isEqualTo(Duration.ofSeconds(3));
        }

        @Test
        void sixtyFourEndpointsAreAllowed() {
            StringBuilder yaml = new StringBuilder("servers:\n  big:\n    endpoints:\n");
            for (int i = 0; i < ServerConfig.MAX_REPLICAS; i++) {
                yaml.append("      - { url: \"http://h").append(i).append("/mcp\" }\n");
            }
            assertThat(only(yaml(yaml.toString())).replicas()).hasSize(64);
        }
    }

    @Nested
    class Documentation {
        /** API keys of at least 24 characters, as the gateway requires. */
        private static final Map<String, String> ENV = Map.of("GITHUB_TOKEN", "t",
                "API_KEY", "api-key-0123456789abcdef-0123", "KEY", "key-0123456789abcdef-012345");

        private static List<String> blocks(String language) throws IOException {
            String doc = Files.readString(Path.of("..", "docs", "configuration.md"));
            Matcher m = Pattern.compile("```" + language + "\n(.*?)```", Pattern.DOTALL).matcher(doc);
            List<String> out = new java.util.ArrayList<>();
            while (m.find()) {
                out.add(m.group(1));
            }
            return out;
        }

        @Test
        void theCompleteExampleAndTheFormatExamplesLoad() throws IOException {
            McpPoolConfig complete = ConfigLoader.parse(blocks("yaml").get(0), ConfigLoader.Format.YAML, "doc", ENV);
            ServerConfig search = complete.servers().get("search");
            assertThat(search.replicas()).hasSize(3);
            assertThat(search.retry().maxAttempts()).isEqualTo(2);
            assertThat(complete.servers().get("files").retry("read_file").maxAttempts()).isEqualTo(5);
            for (String toml : blocks("toml")) {
                assertThat(ConfigLoader.parse(toml, ConfigLoader.Format.TOML, "doc", ENV).servers()).isNotEmpty();
            }
            for (String json : blocks("json")) {
                ConfigLoader.parse(json, ConfigLoader.Format.JSON, "doc", ENV);
            }
        }

        @Test
        void theEndpointsExampleLoads() throws IOException {
            String example = blocks("yaml").stream().filter(b -> b.startsWith("servers:\n  search:\n"))
                    .findFirst().orElseThrow();
            ServerConfig s = only(ConfigLoader.parse(example, ConfigLoader.Format.YAML, "doc", ENV));
            assertThat(s.replicas()).extracting(r -> r.name().orElseThrow()).containsExactly("search-1", "search-2",
                    "local");
        }
    }

    @Nested
    class Merging {

        @Test
        void aServerOverridesDefaultsKeyByKeyInEverySection() {
            McpPoolConfig config = yaml("""
                    defaults:
                      balance: latency
                      retry: { maxAttempts: 4, initialBackoff: 200ms, budget: 0.5 }
                      breaker: { failureRate: 30, window: 40 }
                      health: { interval: 20s, healthyAfter: 5 }
                      supervision: { maxBackoff: 1m, stableAfter: 10s }
                    servers:
                      plain: { command: a }
                      own:
                        command: b
                        balance: random
                        retry: { maxAttempts: 5 }
                        breaker: { window: 30 }
                        health: { enabled: false }
                        supervision: { stableAfter: 1m }
                    """);
            ServerConfig plain = config.servers().get("plain");
            assertThat(plain.balance()).isEqualTo(BalanceStrategy.LATENCY);
            assertThat(plain.retry()).isEqualTo(RetrySettings.builder().maxAttempts(4)
                    .initialBackoff(Duration.ofMillis(200)).budget(0.5).build());
            assertThat(plain.breaker()).isEqualTo(BreakerSettings.builder().failureRate(30).window(40).build());
            assertThat(plain.health()).isEqualTo(new HealthSettings(true, Duration.ofSeconds(20), Duration.ofSeconds(5),
                    3, 5));
            assertThat(plain.supervision()).isEqualTo(new SupervisionSettings(Duration.ofMillis(200),
                    Duration.ofMinutes(1), 5, Duration.ofMinutes(1), Duration.ofSeconds(10)));

            ServerConfig own = config.servers().get("own");
            assertThat(own.balance()).isEqualTo(BalanceStrategy.RANDOM);
            assertThat(own.retry()).as("keeps initialBackoff and budget from defaults").isEqualTo(
                    RetrySettings.builder().maxAttempts(5).initialBackoff(Duration.ofMillis(200)).budget(0.5).build());
            assertThat(own.breaker()).isEqualTo(BreakerSettings.builder().failureRate(30).window(30).build());
            assertThat(own.health()).isEqualTo(new HealthSettings(false, Duration.ofSeconds(20), Duration.ofSeconds(5),
                    3, 5));
            assertThat(own.supervision().maxBackoff()).isEqualTo(Duration.ofMinutes(1));
            assertThat(own.supervision().stableAfter()).isEqualTo(Duration.ofMinutes(1));
        }

        @Test
        void aToolsRetryOverridesTheServersMergedRetryKeyByKey() {
            ServerConfig s = only(yaml("""
                    defaults:
                      retry: { initialBackoff: 200ms, budget: 0.5 }
                    servers:
                      files:
                        command: npx
                        retry: { maxAttempts: 2, jitter: false }
                        tools:
                          read_file: { idempotent: true, retry: { maxAttempts: 5 } }
                          stat: { retry: {} }
                          write_file: { idempotent: false, readOnly: false }
                          listed_only:
                    """));
            RetrySettings server = RetrySettings.builder().maxAttempts(2).jitter(false)
                    .initialBackoff(Duration.ofMillis(200)).budget(0.5).build();
            assertThat(s.retry()).isEqualTo(server);
            assertThat(s.tool("read_file")).isEqualTo(new ToolConfig(Optional.of(true), Optional.empty(),
                    Optional.of(server.toBuilder().maxAttempts(5).build())));
            assertThat(s.retry("read_file").maxAttempts()).isEqualTo(5);
            assertThat(s.tool("stat").retry()).contains(server);
            assertThat(s.tool("write_file")).isEqualTo(new ToolConfig(false, false));
            assertThat(s.tool("listed_only")).isEqualTo(ToolConfig.DEFAULTS);
            assertThat(s.retry("listed_only")).isEqualTo(server);
            assertThat(s.retry("not_listed")).isEqualTo(server);
        }

        @Test
        void hintsAreTriState() {
            ServerConfig s = only(yaml(server("""
                    tools:
                      a: { idempotent: true }
                      b: { readOnly: false }
                      c: {}
                      d: { idempotent: null, readOnly: "TRUE" }
                    """)));
            assertThat(s.tool("a").idempotent()).contains(true);
            assertThat(s.tool("a").readOnly()).isEmpty();
            assertThat(s.tool("b").idempotent()).isEmpty();
            assertThat(s.tool("b").readOnly()).contains(false);
            assertThat(s.tool("c")).isEqualTo(ToolConfig.DEFAULTS);
            assertThat(s.tool("d")).isEqualTo(new ToolConfig(Optional.empty(), Optional.of(true), Optional.empty()));
        }

        @Test
        void aServerWithoutEndpointsHasOneReplica() {
            ServerConfig s = only(yaml(server("balance: priority")));
            assertThat(s.replicas()).containsExactly(Replica.of(new EndpointConfig.Stdio("npx", List.of())));
        }
    }

    @Nested
    class Validation {

        @Test
        void wrongValuesInEachSection() {
            assertThat(problems(server("""
                    balance: fastest
                    retry: { policy: random, maxAttempts: 0, initialBackoff: -1s, maxBackoff: soon, jitter: sometimes,
                             budget: lots, budgetWindow: 500ms, minRetries: -1 }
                    """))).containsExactly(
                    "servers.files.balance: must be one of round_robin, weighted_round_robin, least_outstanding,"
                            + " latency, random, priority, consistent_hash; got \"fastest\"",
                    "servers.files.retry.policy: must be one of exponential, linear, fixed; got \"random\"",
                    "servers.files.retry.maxAttempts: must be a whole number from 1 to 100; got 0",
                    "servers.files.retry.initialBackoff: must not be negative; got \"-1s\"",
                    "servers.files.retry.maxBackoff: must be a duration like 250ms, 5s, 10m, 1h; got \"soon\"",
                    "servers.files.retry.jitter: must be true or false; got \"sometimes\"",
                    "servers.files.retry.budget: must be a fraction from 0 to 1, or a percentage from 0% to 100%;"
                            + " got \"lots\"; e.g. 0.2 or 20%",
                    "servers.files.retry.budgetWindow: must be at least 1s; got \"500ms\"",
                    "servers.files.retry.minRetries: must be a whole number from 0 to 10000; got -1");
            assertThat(problems(server("""
                    breaker: { enabled: 1, failureRate: 0, consecutiveFailures: -1, slowCall: 0s, slowCallRate: 101%,
                               window: 0, minCalls: 0, openFor: 0, halfOpenCalls: 0 }
                    """))).containsExactly(
                    "servers.files.breaker.enabled: must be true or false; got 1",
                    "servers.files.breaker.failureRate: must be a whole percentage from 1 to 100; got 0",
                    "servers.files.breaker.consecutiveFailures: must be a whole number from 0 to 10000; got -1",
                    "servers.files.breaker.slowCall: must be greater than zero; got \"0s\"",
                    "servers.files.breaker.slowCallRate: must be a whole percentage from 1 to 100; got \"101%\"",
                    "servers.files.breaker.window: must be a whole number from 1 to 10000; got 0",
                    "servers.files.breaker.minCalls: must be a whole number from 1 to 10000; got 0",
                    "servers.files.breaker.openFor: must be greater than zero; got 0",
                    "servers.files.breaker.halfOpenCalls: must be a whole number from 1 to 10000; got 0");
            assertThat(problems(server("""
                    health: { enabled: maybe, interval: 5ms, timeout: 0, unhealthyAfter: 0, healthyAfter: many }
                    supervision: { initialBackoff: 1, maxBackoff: -5s, crashLoopRestarts: 0, crashLoopWindow: 0s,
                                   stableAfter: forever }
                    """))).containsExactly(
                    "servers.files.health.enabled: must be true or false; got \"maybe\"",
                    "servers.files.health.interval: must be at least 10ms; got \"5ms\"",
                    "servers.files.health.timeout: must be at least 1ms; got 0",
                    "servers.files.health.unhealthyAfter: must be a whole number from 1 to 10000; got 0",
                    "servers.files.health.healthyAfter: must be a whole number from 1 to 10000; got \"many\"",
                    "servers.files.supervision.initialBackoff: a bare number is not a duration; got 1; add a unit,"
                            + " e.g. 1s",
                    "servers.files.supervision.maxBackoff: must not be negative; got \"-5s\"",
                    "servers.files.supervision.crashLoopRestarts: must be a whole number from 1 to 10000; got 0",
                    "servers.files.supervision.crashLoopWindow: must be greater than zero; got \"0s\"",
                    "servers.files.supervision.stableAfter: must be a duration like 250ms, 5s, 10m, 1h;"
                            + " got \"forever\"");
        }

        @Test
        void percentagesAndFractions() {
            assertThat(only(yaml(server("breaker: { failureRate: \"25%\", slowCallRate: 100 }"))).breaker())
                    .extracting(BreakerSettings::failureRate, BreakerSettings::slowCallRate).containsExactly(25, 100);
            assertThat(problems(server("breaker: { failureRate: 0.5 }"))).containsExactly(
                    "servers.files.breaker.failureRate: must be a whole percentage from 1 to 100; got 0.5;"
                            + " e.g. 50 or 50%");
            assertThat(problems(server("retry: { budget: 20 }"))).containsExactly(
                    "servers.files.retry.budget: must be a fraction from 0 to 1, or a percentage from 0% to 100%;"
                            + " got 20; write 0.2 or 20%");
            assertThat(problems(server("retry: { budget: 120% }"))).containsExactly(
                    "servers.files.retry.budget: must be a fraction from 0 to 1, or a percentage from 0% to 100%;"
                            + " got \"120%\"");
            assertThat(problems(server("retry: { budget: -0.1 }"))).containsExactly(
                    "servers.files.retry.budget: must be a fraction from 0 to 1, or a percentage from 0% to 100%;"
                            + " got -0.1");
            assertThat(problems(server("retry: { budget: \"%\" }"))).containsExactly(
                    "servers.files.retry.budget: must be a fraction from 0 to 1, or a percentage from 0% to 100%;"
                            + " got \"%\"; e.g. 0.2 or 20%");
        }

        @Test
        void sectionsMustBeMaps() {
            assertThat(problems(server("""
                    retry: 3
                    breaker: false
                    health: [30s]
                    supervision: fast
                    balance: { strategy: random }
                    """))).containsExactly(
                    "servers.files.balance: must be one of round_robin, weighted_round_robin, least_outstanding,"
                            + " latency, random, priority, consistent_hash; got a map",
                    "servers.files.retry: must be a map of retry settings, e.g. { maxAttempts: 3 }; maxAttempts: 1"
                            + " turns retries off; got 3",
                    "servers.files.breaker: must be a map of breaker settings, e.g. { failureRate: 50 }, or"
                            + " { enabled: false }; got false",
                    "servers.files.health: must be a map of health settings, e.g. { interval: 30s }, or"
                            + " { enabled: false }; got a list",
                    "servers.files.supervision: must be a map of supervision settings, e.g. { maxBackoff: 30s };"
                            + " got \"fast\"");
        }

        @Test
        void aWrongSectionInAServerDoesNotFallBackToDefaults() {
            // defaults' maxBackoff would be below the server's initialBackoff: not compared, since the
            // server's retry map is wrong as a whole.
            assertThat(problems("""
                    defaults: { retry: { maxBackoff: 1s } }
                    servers:
                      a: { command: a, retry: 5 }
                    """)).containsExactly("servers.a.retry: must be a map of retry settings, e.g. { maxAttempts: 3 };"
                    + " maxAttempts: 1 turns retries off; got 5");
        }

        @Test
        void unknownKeysSuggestTheClosestOne() {
            assertThat(problems(server("retyr: { maxAttempts: 3 }"))).singleElement().asString()
                    .startsWith("servers.files.retyr: unknown key; did you mean 'retry'? allowed: type, transport,");
            assertThat(problems("defaults:\n  breakr: { window: 5 }\n")).containsExactly(
                    "defaults.breakr: unknown key; did you mean 'breaker'? allowed: callTimeout, connectTimeout, pool,"
                            + " trusted, maxMessageSize, roots, shutdownGrace, balance, retry, breaker, health,"
                            + " supervision, cache, catalogRefresh, logLinesPerMinute");
            assertThat(problems(server("retry: { maxAtempts: 3 }"))).containsExactly(
                    "servers.files.retry.maxAtempts: unknown key; did you mean 'maxAttempts'? allowed: policy,"
                            + " maxAttempts, initialBackoff, maxBackoff, jitter, budget, budgetWindow, minRetries");
            assertThat(problems(server("breaker: { openFr: 5s }"))).containsExactly(
                    "servers.files.breaker.openFr: unknown key; did you mean 'openFor'? allowed: enabled, failureRate,"
                            + " consecutiveFailures, slowCall, slowCallRate, window, minCalls, openFor, halfOpenCalls");
            assertThat(problems(server("health: { intervall: 5s }"))).containsExactly(
                    "servers.files.health.intervall: unknown key; did you mean 'interval'? allowed: enabled, interval,"
                            + " timeout, unhealthyAfter, healthyAfter");
            assertThat(problems(server("supervision: { stableAftr: 5s }"))).containsExactly(
                    "servers.files.supervision.stableAftr: unknown key; did you mean 'stableAfter'? allowed:"
                            + " initialBackoff, maxBackoff, crashLoopRestarts, crashLoopWindow, stableAfter");
            assertThat(problems(server("endpionts: []"))).singleElement().asString()
                    .startsWith("servers.files.endpionts: unknown key; did you mean 'endpoints'?");
            assertThat(problems(server("tools: { a: { rety: {} } }"))).containsExactly(
                    "servers.files.tools.a.rety: unknown key; did you mean 'retry'? allowed: idempotent, readOnly,"
                            + " retry, cache");
        }

        @Test
        void aKeyInTheWrongSectionOrLevelSaysWhereItBelongs() {
            assertThat(problems(server("breaker: { maxAttempts: 3 }"))).singleElement().asString()
                    .startsWith("servers.files.breaker.maxAttempts: unknown key; did you mean 'retry.maxAttempts'?");
            assertThat(problems(server("retry: { openFor: 3s }"))).singleElement().asString()
                    .startsWith("servers.files.retry.openFor: unknown key; did you mean 'breaker.openFor'?");
            assertThat(problems("retry: { maxAttempts: 3 }\n")).singleElement().asString()
                    .startsWith("retry: unknown key; did you mean 'defaults.retry'?");
            assertThat(problems("endpoints: []\n")).singleElement().asString()
                    .startsWith("endpoints: unknown key; did you mean 'servers.<name>.endpoints'?");
            assertThat(problems("defaults:\n  endpoints: [ { url: \"http://a/mcp\" } ]\n")).containsExactly(
                    "defaults.endpoints: not allowed in defaults; each server gives its own");
            assertThat(problems(server("pool: { retry: { maxAttempts: 3 } }"))).containsExactly(
                    "servers.files.pool.retry: not a pool setting; it belongs one level up, next to pool");
            assertThat(problems(server("tools: { a: { callTimeout: 5s } }"))).containsExactly(
                    "servers.files.tools.a.callTimeout: not a tool setting; a tool may set idempotent, readOnly,"
                            + " retry and cache");
        }

        @Test
        void maxBackoffBelowInitialBackoff() {
            assertThat(problems(server("retry: { initialBackoff: 2s, maxBackoff: 1s }"))).containsExactly(
                    "servers.files.retry.maxBackoff: must not be below initialBackoff (2s); got 1s");
            assertThat(problems(server("retry: { initialBackoff: 10s }"))).containsExactly(
                    "servers.files.retry.initialBackoff: must not exceed maxBackoff (5s, the default); got 10s");
            assertThat(problems(server("retry: { maxBackoff: 50ms }"))).containsExactly(
                    "servers.files.retry.maxBackoff: must not be below initialBackoff (100ms, the default); got 50ms");
            assertThat(problems(server("supervision: { initialBackoff: 1m30s }"))).containsExactly(
                    "servers.files.supervision.initialBackoff: must not exceed maxBackoff (30s, the default);"
                            + " got 1m30s");
            assertThat(problems(server("supervision: { initialBackoff: 1s, maxBackoff: 500ms }"))).containsExactly(
                    "servers.files.supervision.maxBackoff: must not be below initialBackoff (1s); got 500ms");
        }

        @Test
        void minCallsAboveWindow() {
            assertThat(problems(server("breaker: { window: 5, minCalls: 6 }"))).containsExactly(
                    "servers.files.breaker.minCalls: must not exceed window (5); got 6");
            assertThat(problems(server("breaker: { window: 5 }"))).containsExactly(
                    "servers.files.breaker.window: must not be below minCalls (10, the default); got 5");
        }

        @Test
        void aComparisonAcrossLevelsSaysWhereEachSideWasWrittenAndIsReportedOnce() {
            assertThat(problems("""
                    defaults: { breaker: { minCalls: 30 } }
                    servers:
                      a: { command: a, breaker: { window: 25 } }
                      b: { command: b, breaker: { window: 50 } }
                    """)).containsExactly(
                    "servers.a.breaker.window: must not be below minCalls (30 from defaults.breaker.minCalls); got 25");
            assertThat(problems("""
                    defaults: { breaker: { minCalls: 30 } }
                    servers:
                      a: { command: a }
                      b: { command: b }
                    """)).containsExactly(
                    "defaults.breaker.minCalls: must not exceed window (20, the default); got 30");
            assertThat(problems("""
                    defaults: { retry: { maxBackoff: 1s } }
                    servers:
                      a:
                        command: a
                        retry: { initialBackoff: 2s }
                        tools:
                          t: { retry: { maxAttempts: 4 } }
                    """)).containsExactly(
                    "servers.a.retry.initialBackoff: must not exceed maxBackoff (1s from defaults.retry.maxBackoff);"
                            + " got 2s");
        }

        @Test
        void aToolsRetryIsComparedWithWhatItInherits() {
            assertThat(problems("""
                    servers:
                      a:
                        command: a
                        retry: { maxBackoff: 1s }
                        tools:
                          t: { retry: { initialBackoff: 3s } }
                          u: { retry: { initialBackoff: 2s, maxBackoff: 1500ms } }
                    """)).containsExactly(
                    "servers.a.tools.t.retry.initialBackoff: must not exceed maxBackoff (1s from"
                            + " servers.a.retry.maxBackoff); got 3s",
                    "servers.a.tools.u.retry.maxBackoff: must not be below initialBackoff (2s); got 1500ms");
            assertThat(problems(server("tools: { t: { retry: { maxAttempts: 0, budget: 2 } } }"))).containsExactly(
                    "servers.files.tools.t.retry.maxAttempts: must be a whole number from 1 to 100; got 0",
                    "servers.files.tools.t.retry.budget: must be a fraction from 0 to 1, or a percentage from 0% to"
                            + " 100%; got 2; write 0.02 or 2%");
            assertThat(problems(server("tools: { t: { retry: 3 } }"))).containsExactly(
                    "servers.files.tools.t.retry: must be a map of retry settings, e.g. { maxAttempts: 3 };"
                            + " maxAttempts: 1 turns retries off; got 3");
        }

        @Test
        void hintsMustBeBooleans() {
            assertThat(problems(server("tools: { t: { idempotent: yes please, readOnly: [true] } }"))).containsExactly(
                    "servers.files.tools.t.idempotent: must be true or false; got \"yes please\"",
                    "servers.files.tools.t.readOnly: must be true or false; got a list");
        }
    }

    @Nested
    class Endpoints {

        @Test
        void commandOrUrlOrEndpointsNotBoth() {
            assertThat(problems("servers:\n  x: { command: a, endpoints: [ { command: b } ] }\n")).containsExactly(
                    "servers.x: has both command and endpoints; keep endpoints and move command into it as one more"
                            + " endpoint, or remove endpoints for a server with one endpoint");
            assertThat(problems("""
                    servers:
                      x:
                        url: "http://a/mcp"
                        headers: { A: b }
                        args: [x]
                        type: http
                        endpoints: [ { command: b } ]
                    """)).containsExactly(
                    "servers.x: has both url and endpoints; keep endpoints and move url into it as one more"
                            + " endpoint, or remove endpoints for a server with one endpoint",
                    "servers.x.type: belongs to one endpoint; a server with endpoints gives type inside each"
                            + " endpoint that needs it",
                    "servers.x.args: belongs to one endpoint; a server with endpoints gives args inside each"
                            + " endpoint that needs it",
                    "servers.x.headers: belongs to one endpoint; a server with endpoints gives headers inside each"
                            + " endpoint that needs it");
        }

        @Test
        void wrongShapes() {
            assertThat(problems("servers:\n  x: { endpoints: { url: \"http://a/mcp\" } }\n")).containsExactly(
                    "servers.x.endpoints: must be a list of endpoints, each a map with command (a local stdio server)"
                            + " or url (a Streamable HTTP server); got a map");
            assertThat(problems("servers:\n  x: { endpoints: [] }\n")).containsExactly(
                    "servers.x.endpoints: must list at least one endpoint; got an empty list; remove endpoints, or"
                            + " give each endpoint's command or url");
            assertThat(problems("servers:\n  x: { endpoints: [ \"http://a/mcp\", null, { args: [a] },"
                    + " { command: a, url: \"http://a/mcp\" } ] }\n")).containsExactly(
                    "servers.x.endpoints[0]: must be a map with command (a local stdio server) or url (a Streamable"
                            + " HTTP server); got \"http://a/mcp\"",
                    "servers.x.endpoints[1]: must be a map with command (a local stdio server) or url (a Streamable"
                            + " HTTP server); got null",
                    "servers.x.endpoints[2]: needs command (a local stdio server) or url (a Streamable HTTP server);"
                            + " got neither",
                    "servers.x.endpoints[3]: has both command and url; give command for a local stdio server or url"
                            + " for a Streamable HTTP server, not both");
        }

        @Test
        void atMostSixtyFour() {
            StringBuilder yaml = new StringBuilder("servers:\n  big:\n    endpoints:\n");
            for (int i = 0; i <= ServerConfig.MAX_REPLICAS; i++) {
                yaml.append("      - { url: \"http://h").append(i).append("/mcp\" }\n");
            }
            assertThat(problems(yaml.toString())).containsExactly(
                    "servers.big.endpoints: has 65 endpoints; a server may have at most 64");
        }

        @Test
        void eachEndpointIsCheckedLikeAServersOwn() {
            assertThat(problems("""
                    servers:
                      x:
                        endpoints:
                          - { url: "ftp://a/mcp", args: [a] }
                          - { command: b, headers: { A: b }, type: http }
                          - { command: "", env: { A: [b] } }
                          - { url: "http://a/mcp", headers: { A: "b\\nc" } }
                    """)).containsExactly(
                    "servers.x.endpoints[0].args: only for stdio servers (with command); this endpoint has url",
                    "servers.x.endpoints[0].url: must be an http:// or https:// URL; got \"ftp://a/mcp\"; write an"
                            + " http:// or https:// URL, e.g. https://mcp.example.com/mcp",
                    "servers.x.endpoints[1].type: declares an HTTP server, but the endpoint has command; got \"http\";"
                            + " use url for a Streamable HTTP server, or type stdio",
                    "servers.x.endpoints[1].headers: only for Streamable HTTP servers (with url); this endpoint has"
                            + " command",
                    "servers.x.endpoints[2].command: must not be empty; got \"\"",
                    "servers.x.endpoints[2].env.A: must be a string; got a list",
                    "servers.x.endpoints[3].headers.A: must not contain a line break");
        }

        @Test
        void endpointKeys() {
            assertThat(problems("servers:\n  x: { endpoints: [ { url: \"http://a/mcp\", wieght: 2 } ] }\n"))
                    .containsExactly("servers.x.endpoints[0].wieght: unknown key; did you mean 'weight'? allowed: name,"
                            + " weight, tier, type, transport, command, args, env, inheritEnv, cwd, url, headers");
            assertThat(problems("servers:\n  x: { endpoints: [ { url: \"http://a/mcp\", callTimeout: 5s,"
                    + " maxSessions: 2 } ] }\n")).containsExactly(
                    "servers.x.endpoints[0].callTimeout: a setting of the whole server, not of one endpoint; write it"
                            + " on the server, next to endpoints",
                    "servers.x.endpoints[0].maxSessions: a setting of the whole server, not of one endpoint; write it"
                            + " on the server, next to endpoints");
        }

        @Test
        void namesWeightsAndTiers() {
            assertThat(problems("""
                    servers:
                      x:
                        balance: priority
                        endpoints:
                          - { name: a, url: "http://a/mcp", weight: 0 }
                          - { name: "b c", url: "http://b/mcp", weight: 1001 }
                          - { name: a, url: "http://c/mcp", tier: -1 }
                          - { name: "", url: "http://d/mcp", tier: 1001 }
                          - { name: d, url: "http://d/mcp", weight: heavy }
                    """)).containsExactly(
                    "servers.x.endpoints[0].weight: must be a whole number from 1 to 1000; got 0",
                    "servers.x.endpoints[1].name: an endpoint name must be 1 to 64 letters, digits, _ or -;"
                            + " got \"b c\"",
                    "servers.x.endpoints[1].weight: must be a whole number from 1 to 1000; got 1001",
                    "servers.x.endpoints[2].name: another endpoint of this server has this name (endpoints[0]);"
                            + " got \"a\"; endpoint names must be unique within a server",
                    "servers.x.endpoints[2].tier: must be a whole number from 0 to 1000; got -1",
                    "servers.x.endpoints[3].name: must not be empty; got \"\"",
                    "servers.x.endpoints[3].tier: must be a whole number from 0 to 1000; got 1001",
                    "servers.x.endpoints[4].weight: must be a whole number from 1 to 1000; got \"heavy\"");
        }

        @Test
        void aTierIsKeptWhateverTheBalance() {
            assertThat(only(yaml("""
                    defaults: { balance: latency }
                    servers:
                      x: { endpoints: [ { url: "http://a/mcp" }, { url: "http://b/mcp", tier: 2 } ] }
                    """)).replicas()).extracting(Replica::tier).containsExactly(0, 2);
            assertThat(problems("""
                    servers:
                      x: { balance: nope, endpoints: [ { url: "http://a/mcp", tier: 1 } ] }
                    """)).containsExactly(
                    "servers.x.balance: must be one of round_robin, weighted_round_robin, least_outstanding, latency,"
                            + " random, priority, consistent_hash; got \"nope\"");
            assertThat(only(yaml("""
                    defaults: { balance: priority }
                    servers:
                      x: { endpoints: [ { url: "http://a/mcp" }, { url: "http://b/mcp", tier: 0 } ] }
                    """)).replicas()).hasSize(2);
        }

        @Test
        void aWeightThatABalanceIgnoresIsAWarning() {
            assertThat(ConfigTestSupport.warnings(() -> assertThat(only(yaml("""
                    servers:
                      x:
                        balance: least_outstanding
                        endpoints: [ { url: "http://a/mcp", weight: 3 }, { url: "http://b/mcp" } ]
                    """)).replicas().get(0).weight()).isEqualTo(3))).containsExactly(
                    "servers.x.endpoints[0].weight: weight 3 has no effect with balance: least_outstanding; only"
                            + " weighted_round_robin, priority and consistent_hash use weights");
            assertThat(ConfigTestSupport.warnings(() -> only(yaml("""
                    servers:
                      x:
                        balance: weighted_round_robin
                        endpoints: [ { url: "http://a/mcp", weight: 3 }, { url: "http://b/mcp" } ]
                    """)))).isEmpty();
        }

        @Test
        void shutdownGraceOnAServerWhoseEndpointsAllHaveUrl() {
            assertThat(problems("""
                    servers:
                      x: { shutdownGrace: 1s, endpoints: [ { url: "http://a/mcp" }, { url: "http://b/mcp" } ] }
                    """)).containsExactly(
                    "servers.x.shutdownGrace: only for stdio endpoints (with command); every endpoint of this server"
                            + " has url");
            assertThat(yaml("""
                    defaults: { shutdownGrace: 1s }
                    servers:
                      x: { endpoints: [ { url: "http://a/mcp" } ] }
                    """).servers()).containsOnlyKeys("x");
        }
    }

    @Nested
    class Environment {

        private static final String FILE = """
                servers:
                  files:
                    command: npx
                    tools:
                      read_file: { idempotent: true }
                  search:
                    balance: priority
                    endpoints:
                      - { url: "http://a/mcp" }
                      - { url: "http://b/mcp", tier: 1 }
                """;

        @Test
        void genericNamesReachEveryNewKey() {
            McpPoolConfig config = yaml(FILE, Map.of(
                    "MCP_POOL__DEFAULTS__RETRY__MAX_ATTEMPTS", "5",
                    "MCP_POOL__DEFAULTS__BREAKER__FAILURE_RATE", "25%",
                    "MCP_POOL__DEFAULTS__HEALTH__HEALTHY_AFTER", "4",
                    "MCP_POOL__DEFAULTS__SUPERVISION__CRASH_LOOP_RESTARTS", "9",
                    "MCP_POOL__DEFAULTS__BALANCE", "least-outstanding",
                    "MCP_POOL__SERVERS__SEARCH__ENDPOINTS__0__WEIGHT", "7",
                    "MCP_POOL__SERVERS__SEARCH__ENDPOINTS__2", "{url: \"http://c/mcp\", name: c}",
                    "MCP_POOL__SERVERS__FILES__TOOLS__READ_FILE__RETRY__MAX_ATTEMPTS", "8",
                    "MCP_POOL__SERVERS__FILES__TOOLS__READ_FILE__READ_ONLY", "true"));
            ServerConfig files = config.servers().get("files");
            assertThat(files.retry().maxAttempts()).isEqualTo(5);
            assertThat(files.breaker().failureRate()).isEqualTo(25);
            assertThat(files.health().healthyAfter()).isEqualTo(4);
            assertThat(files.supervision().crashLoopRestarts()).isEqualTo(9);
            assertThat(files.balance()).isEqualTo(BalanceStrategy.LEAST_OUTSTANDING);
            assertThat(files.tool("read_file")).isEqualTo(new ToolConfig(Optional.of(true), Optional.of(true),
                    Optional.of(RetrySettings.builder().maxAttempts(8).build())));
            ServerConfig search = config.servers().get("search");
            assertThat(search.balance()).isEqualTo(BalanceStrategy.PRIORITY);
            assertThat(search.replicas()).containsExactly(
                    new Replica(Optional.empty(), http("http://a/mcp"), 7, 0),
                    new Replica(Optional.empty(), http("http://b/mcp"), 1, 1),
                    new Replica(Optional.of("c"), http("http://c/mcp"), 1, 0));
        }

        @Test
        void genericNamesGetTheUsualMessages() {
            assertThat(problems(FILE, Map.of("MCP_POOL__DEFAULTS__RETRY__MAX_ATEMPTS", "5"))).containsExactly(
                    "MCP_POOL__DEFAULTS__RETRY__MAX_ATEMPTS: retry has no key 'MAX_ATEMPTS'; did you mean"
                            + " 'maxAttempts'? allowed: policy, maxAttempts, initialBackoff, maxBackoff, jitter,"
                            + " budget, budgetWindow, minRetries");
            assertThat(problems(FILE, Map.of("MCP_POOL__DEFAULTS__RETYR__MAX_ATTEMPTS", "5"))).singleElement()
                    .asString().startsWith("MCP_POOL__DEFAULTS__RETYR__MAX_ATTEMPTS: defaults has no key 'RETYR'; did"
                            + " you mean 'retry'?");
            assertThat(problems(FILE, Map.of("MCP_POOL__SERVERS__SEARCH__ENDPOINTS__1__TIER", "x"))).containsExactly(
                    "servers.search.endpoints[1].tier (from MCP_POOL__SERVERS__SEARCH__ENDPOINTS__1__TIER): must be"
                            + " a whole number from 0 to 1000; got \"x\"");
            assertThat(problems(FILE, Map.of("MCP_POOL__SERVERS__SEARCH__ENDPOINTS__5__URL", "http://x/mcp")))
                    .containsExactly("MCP_POOL__SERVERS__SEARCH__ENDPOINTS__5__URL: servers.search.endpoints is a list;"
                            + " '5' must be an index from 0 to 2 (2 appends)");
            assertThat(problems(FILE, Map.of("MCP_POOL__DEFAULTS__BREAKER__MIN_CALLS", "50"))).containsExactly(
                    "defaults.breaker.minCalls (from MCP_POOL__DEFAULTS__BREAKER__MIN_CALLS): must not exceed window"
                            + " (20, the default); got 50");
        }

        @Test
        void circuitBreakerSeedNames() {
            McpPoolConfig config = yaml(FILE, Map.of(
                    "MCP_CIRCUIT_BREAKER_FAILURE_THRESHOLD", "7",
                    "MCP_CIRCUIT_BREAKER_RECOVERY_TIMEOUT", "60"));
            for (ServerConfig s : config.servers().values()) {
                assertThat(s.breaker()).isEqualTo(BreakerSettings.builder().consecutiveFailures(7)
                        .openFor(Duration.ofSeconds(60)).build());
            }
            assertThat(only(yaml("servers:\n  a: { command: a }\n",
                    Map.of("MCP_CIRCUIT_BREAKER_RECOVERY_TIMEOUT", "1.5m"))).breaker().openFor())
                    .isEqualTo(Duration.ofSeconds(90));
            assertThat(only(yaml("servers:\n  a: { command: a, breaker: { openFor: 5s } }\n",
                    Map.of("MCP_CIRCUIT_BREAKER_RECOVERY_TIMEOUT", "60"))).breaker().openFor())
                    .as("seed names set defaults; the server's own value wins").isEqualTo(Duration.ofSeconds(5));
            assertThat(problems(FILE, Map.of("MCP_CIRCUIT_BREAKER_FAILURE_THRESHOLD", "lots",
                    "MCP_CIRCUIT_BREAKER_RECOVERY_TIMEOUT", "0"))).containsExactly(
                    "defaults.breaker.consecutiveFailures (from MCP_CIRCUIT_BREAKER_FAILURE_THRESHOLD): must be a"
                            + " whole number from 0 to 10000; got \"lots\"",
                    "defaults.breaker.openFor (from MCP_CIRCUIT_BREAKER_RECOVERY_TIMEOUT): must be greater than"
                            + " zero; got \"0s\"");
        }

        @Test
        void healthCheckIntervalSetsTheHealthInterval() {
            ServerConfig a = only(yaml("servers:\n  a: { command: a }\n", Map.of("MCP_HEALTH_CHECK_INTERVAL", "45")));
            assertThat(a.health().interval()).isEqualTo(Duration.ofSeconds(45));
            assertThat(a.pool().keepaliveInterval()).isEqualTo(PoolSettings.DEFAULTS.keepaliveInterval());
            assertThat(problems("servers:\n  a: { command: a }\n", Map.of("MCP_HEALTH_CHECK_INTERVAL", "0"))).containsExactly(
                    "defaults.health.interval (from MCP_HEALTH_CHECK_INTERVAL): must be at least 10ms; got \"0s\"");
        }

        @Test
        void disableHealthChecksWinsEverywhere() {
            String file = """
                    defaults: { health: { enabled: true, interval: 5s } }
                    servers:
                      a: { command: a }
                      b: { command: b, health: { enabled: true } }
                    mcpServers:
                      c: { command: c, health: null }
                    """;
            McpPoolConfig config = yaml(file, Map.of("MCP_DISABLE_HEALTH_CHECKS", "true",
                    "MCP_POOL__SERVERS__B__HEALTH__ENABLED", "true"));
            for (ServerConfig s : config.servers().values()) {
                assertThat(s.health()).as(s.name())
                        .isEqualTo(new HealthSettings(false, Duration.ofSeconds(5), Duration.ofSeconds(5), 3, 2));
            }
            McpPoolConfig notDisabled = yaml(file, Map.of("MCP_DISABLE_HEALTH_CHECKS", "FALSE"));
            assertThat(notDisabled.servers().values()).allSatisfy(s -> assertThat(s.health().enabled()).isTrue());
            assertThat(only(yaml("servers:\n  a: { command: a }\n", Map.of("MCP_DISABLE_HEALTH_CHECKS", "true")))
                    .health()).isEqualTo(HealthSettings.DISABLED);
            assertThat(only(yaml("servers:\n  a: { command: a }\n", Map.of("MCP_DISABLE_HEALTH_CHECKS", " ")))
                    .health()).isEqualTo(HealthSettings.DEFAULTS);
        }

        @Test
        void disablingCircuitBreakersWinsEverywhereAndEnablingLeavesTheFileInCharge() {
            String file = """
                    servers:
                      a: { command: a }
                      b: { command: b, breaker: { enabled: true, window: 30 } }
                      c: { command: c, breaker: { enabled: false } }
                    """;
            McpPoolConfig off = yaml(file, Map.of("MCP_ENABLE_CIRCUIT_BREAKERS", "false"));
            assertThat(off.servers().values()).allSatisfy(s -> assertThat(s.breaker().enabled()).isFalse());
            assertThat(off.servers().get("b").breaker().window()).isEqualTo(30);
            McpPoolConfig on = yaml(file, Map.of("MCP_ENABLE_CIRCUIT_BREAKERS", "true"));
            assertThat(on.servers().get("a").breaker().enabled()).isTrue();
            assertThat(on.servers().get("c").breaker().enabled()).as("true does not override the file").isFalse();
        }

        @Test
        void killSwitchesMustBeTrueOrFalseAndLeaveBrokenShapesToTheBinder() {
            assertThat(problems("servers:\n  a: { command: a }\n", Map.of("MCP_DISABLE_HEALTH_CHECKS", "yes",
                    "MCP_ENABLE_CIRCUIT_BREAKERS", "0"))).containsExactlyInAnyOrder(
                    "MCP_DISABLE_HEALTH_CHECKS: must be true or false; got \"yes\"",
                    "MCP_ENABLE_CIRCUIT_BREAKERS: must be true or false; got \"0\"");
            assertThat(problems("servers:\n  a: { command: a, health: 5 }\n", Map.of("MCP_DISABLE_HEALTH_CHECKS", "true")))
                    .containsExactly("servers.a.health: must be a map of health settings, e.g. { interval: 30s }, or"
                            + " { enabled: false }; got 5");
        }

        @Test
        void anUnknownCircuitBreakerNameIsIgnored() {
            assertThat(only(yaml("servers:\n  a: { command: a }\n", Map.of("MCP_CIRCUIT_BREAKER_HALF_OPEN", "3")))
                    .breaker()).isEqualTo(BreakerSettings.DEFAULTS);
        }
    }
}
