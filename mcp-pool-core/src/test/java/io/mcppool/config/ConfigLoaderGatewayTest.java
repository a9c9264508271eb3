package io.mcppool.config;

import static io.mcppool.config.ConfigTestSupport.problems;
import static io.mcppool.config.ConfigTestSupport.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The top-level {@code gateway} block: every key in each format, the rate and key forms, and each error. */
class ConfigLoaderGatewayTest {

    /** Plain keys and secrets: none of them may appear in a problem or in the config's {@code toString()}. */
    static final String CI_KEY = "ck-7Qz1-plain-api-key-never-printed";
    static final String JWT_SECRET = "jwt-secret-0123456789abcdef-0123456789";
    static final Map<String, String> ENV = Map.of("CI_KEY", CI_KEY, "JWT_SECRET", JWT_SECRET);
    /** SHA-256 of "abc", the FIPS 180-2 test vector, in upper case to show it is accepted and lower-cased. */
    static final String ABC_SHA256 = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";

    static final String YAML = """
            servers:
              files: { command: npx }
            gateway:
              host: 0.0.0.0
              port: 9090
              path: /api/mcp
              separator: "."
              auth:
                mode: required
                apiKeys:
                  - { name: ci-bot, key: "${CI_KEY}", allow: ["files.*", "search.query"], rateLimit: 10/m }
                  - { name: ops, sha256: "%s", allow: ["*"] }
                jwt:
                  issuer: https://idp.example.com
                  audience: mcp-pool
                  jwksFile: keys/jwks.json
                  publicKeyFile: keys/public.pem
                  secret: ${JWT_SECRET}
                  algorithms: [RS256, hs256]
                  subjectClaim: client_id
                  allowClaim: scope_tools
                  allow: [files.read_file]
                  clockSkew: 1m
                anonymousAllow: ["files.*"]
              rateLimit: { perClient: 50/s, burst: 100 }
              allowedOrigins: ["https://App.example.com/", "vscode-webview://abc"]
              allowedHosts: [mcp.example.com, "mcp.example.com:8443"]
              maxBodySize: 512KB
              sessionIdleTimeout: 15m
              maxSessions: 500
              drainTimeout: 5s
              watchConfig: false
              maxStreamMessages: 200
              maxStreamSize: 1MiB
              maxUnreadResponseSize: 16MiB
              clientRequestTimeout: 20s
              maxClientRequests: 8
            """.formatted(ABC_SHA256);

    static final String TOML = """
            [servers.files]
            command = "npx"

            [gateway]
            host = "0.0.0.0"
            port = 9090
            path = "/api/mcp"
            separator = "."
            rateLimit = { perClient = "50/s", burst = 100 }
            allowedOrigins = ["https://App.example.com/", "vscode-webview://abc"]
            allowedHosts = ["mcp.example.com", "mcp.example.com:8443"]
            maxBodySize = "512KB"
            sessionIdleTimeout = "15m"
            maxSessions = 500
            drainTimeout = "5s"
            watchConfig = false
            maxStreamMessages = 200
            maxStreamSize = "1MiB"
            maxUnreadResponseSize = "16MiB"
            clientRequestTimeout = "20s"
            maxClientRequests = 8

            [gateway.auth]
            mode = "required"
            anonymousAllow = ["files.*"]

            [[gateway.auth.apiKeys]]
            name = "ci-bot"
            key = "${CI_KEY}"
            allow = ["files.*", "search.query"]
            rateLimit = "10/m"

            [[gateway.auth.apiKeys]]
            name = "ops"
            sha256 = "%s"
            allow = ["*"]

            [gateway.auth.jwt]
            issuer = "https://idp.example.com"
            audience = "mcp-pool"
            jwksFile = "keys/jwks.json"
            publicKeyFile = "keys/public.pem"
            secret = "${JWT_SECRET}"
            algorithms = ["RS256", "hs256"]
            subjectClaim = "client_id"
            allowClaim = "scope_tools"
            allow = ["files.read_file"]
            clockSkew = "1m"
            """.formatted(ABC_SHA256);

    static final String JSON = """
            {
              "servers": { "files": { "command": "npx" } },
              "gateway": {
                "host": "0.0.0.0", "port": 9090, "path": "/api/mcp", "separator": ".",
                "auth": {
                  "mode": "required",
                  "apiKeys": [
                    { "name": "ci-bot", "key": "${CI_KEY}", "allow": ["files.*", "search.query"], "rateLimit": "10/m" },
                    { "name": "ops", "sha256": "%s", "allow": ["*"] }
                  ],
                  "jwt": {
                    "issuer": "https://idp.example.com", "audience": "mcp-pool",
                    "jwksFile": "keys/jwks.json", "publicKeyFile": "keys/public.pem", "secret": "${JWT_SECRET}",
                    "algorithms": ["RS256", "hs256"], "subjectClaim": "client_id", "allowClaim": "scope_tools",
                    "allow": ["files.read_file"], "clockSkew": "1m"
                  },
                  "anonymousAllow": ["files.*"]
                },
                "rateLimit": { "perClient": "50/s", "burst": 100 },
                "allowedOrigins": ["https://App.example.com/", "vscode-webview://abc"],
                "allowedHosts": ["mcp.example.com", "mcp.example.com:8443"],
                "maxBodySize": "512KB", "sessionIdleTimeout": "15m", "maxSessions": 500, "drainTimeout": "5s",
                "watchConfig": false, "maxStreamMessages": 200, "maxStreamSize": "1MiB",
                "maxUnreadResponseSize": "16MiB", "clientRequestTimeout": "20s", "maxClientRequests": 8
              }
            }
            """.formatted(ABC_SHA256);

    @TempDir
    Path dir;

    @BeforeEach
    void keyFiles() throws IOException {
        Files.createDirectories(dir.resolve("keys"));
        Files.writeString(dir.resolve("keys/jwks.json"), "{\"keys\": []}");
        Files.writeString(dir.resolve("keys/public.pem"), "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n");
    }

    private McpPoolConfig load(String name, String text, Map<String, String> env) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return ConfigLoader.load(file, env);
    }

    private List<String> loadProblems(String name, String text, Map<String, String> env) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        AtomicReference<List<String>> out = new AtomicReference<>();
        assertThatThrownBy(() -> ConfigLoader.load(file, env))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> out.set(e.problems()));
        return out.get();
    }

    private GatewaySettings expected() {
        JwtSettings jwt = new JwtSettings(Optional.of("https://idp.example.com"), Optional.of("mcp-pool"),
                Optional.of(dir.resolve("keys/jwks.json")), Optional.of(JWT_SECRET),
                Optional.of(dir.resolve("keys/public.pem")), List.of("RS256", "HS256"), "client_id", "scope_tools",
                List.of("files.read_file"), Duration.ofMinutes(1));
        AuthSettings auth = new AuthSettings(AuthSettings.Mode.REQUIRED, List.of(
                new ApiKeySettings("ci-bot", GatewayBinder.sha256(CI_KEY), List.of("files.*", "search.query"),
                        Optional.of(new RateLimit(10.0 / 60, 0))),
                new ApiKeySettings("ops", ABC_SHA256.toLowerCase(), List.of("*"), Optional.empty())),
                Optional.of(jwt), List.of("files.*"));
        return new GatewaySettings("0.0.0.0", 9090, "/api/mcp", ".", auth, new RateLimit(50, 100),
                List.of("https://app.example.com", "vscode-webview://abc"),
                List.of("mcp.example.com", "mcp.example.com:8443"), 512 * 1024, Duration.ofMinutes(15), 500,
                Duration.ofSeconds(5), false, new ClientLimits(200, 1024 * 1024, 16 * 1024 * 1024,
                Duration.ofSeconds(20), 8));
    }

    @Nested
    class EveryKey {

        @Test
        void inYaml() throws IOException {
            assertThat(load("mcp-pool.yaml", YAML, ENV).gateway()).isEqualTo(expected());
        }

        @Test
        void inToml() throws IOException {
            assertThat(load("mcp-pool.toml", TOML, ENV).gateway()).isEqualTo(expected());
        }

        @Test
        void inJson() throws IOException {
            assertThat(load("mcp-pool.json", JSON, ENV).gateway()).isEqualTo(expected());
        }

        @Test
        void absentGivesTheDefaults() {
            McpPoolConfig config = yaml("servers: {}\n");
            assertThat(config.gateway()).isEqualTo(GatewaySettings.DEFAULTS);
            assertThat(config.gateway().loopbackOnly()).isTrue();
            assertThat(config.gateway().auth().required(true)).isFalse();
            assertThat(yaml("gateway: {}\n").gateway()).isEqualTo(GatewaySettings.DEFAULTS);
        }

        @Test
        void jwtDefaultsAndTheSketchShape() throws IOException {
            JwtSettings jwt = load("c.yaml", """
                    gateway:
                      auth:
                        apiKeys: [ { name: ci-bot, sha256: "%s", allow: ["files__*", "search__query"] } ]
                        jwt: { issuer: "https://idp.example.com", audience: mcp-pool, jwksFile: keys/jwks.json,
                               allowClaim: mcp_tools }
                      rateLimit: { perClient: 50/s, burst: 100 }
                    """.formatted(ABC_SHA256), Map.of()).gateway().auth().jwt().orElseThrow();
            assertThat(jwt.subjectClaim()).isEqualTo("sub");
            assertThat(jwt.allowClaim()).isEqualTo("mcp_tools");
            assertThat(jwt.allow()).isEmpty();
            assertThat(jwt.algorithms()).isEqualTo(JwtSettings.DEFAULT_ALGORITHMS);
            assertThat(jwt.clockSkew()).isEqualTo(JwtSettings.DEFAULT_CLOCK_SKEW);
            assertThat(jwt.secret()).isEmpty();
        }
    }

    @Nested
    class Secrets {

        @Test
        void theRecordHoldsTheHashOfTheKeyAndNothingPrintsTheKeyOrTheSecret() throws IOException {
            McpPoolConfig config = load("mcp-pool.yaml", YAML, ENV);
            ApiKeySettings ci = config.gateway().auth().apiKeys().get(0);
            // sha256sum of the same bytes, computed independently of the loader's helper:
            assertThat(GatewayBinder.sha256("abc")).isEqualTo(ABC_SHA256.toLowerCase());
            assertThat(ci.sha256()).isEqualTo(GatewayBinder.sha256(CI_KEY)).doesNotContain(CI_KEY);
            assertThat(config.toString()).doesNotContain(CI_KEY).doesNotContain(JWT_SECRET)
                    .contains(GatewayBinder.sha256(CI_KEY));
            assertThat(config.gateway().auth().jwt().orElseThrow().secret()).contains(JWT_SECRET);
        }

        @Test
        void problemsWithAKeyNeverShowIt() {
            List<String> problems = problems("""
                    gateway:
                      auth:
                        apiKeys:
                          - { name: a, sha256: "${CI_KEY}", allow: ["*"] }
                          - { name: b, key: "${CI_KEY}", allow: ["*"] }
                          - { name: c, key: "${CI_KEY}", allow: ["*"] }
                          - { name: d, key: "${EMPTY}", allow: ["*"] }
                          - { name: e, key: 12345, allow: ["*"] }
                          - { name: f, key: "${UNSET_KEY}", allow: ["*"] }
                    """, Map.of("CI_KEY", CI_KEY, "EMPTY", " "));
            assertThat(problems).containsExactly(
                    "gateway.auth.apiKeys[0].sha256: must be 64 hex digits, the SHA-256 of the key (got 35 characters);"
                            + " to give the key itself, write key instead, e.g. key: ${CI_BOT_KEY}",
                    "gateway.auth.apiKeys[2]: has the same key as apiKeys[1]; each client needs a key of its own",
                    "gateway.auth.apiKeys[3].key: must not be empty; got it from \"${EMPTY}\"",
                    "gateway.auth.apiKeys[4].key: must be a string; quote it",
                    "gateway.auth.apiKeys[5].key: environment variable UNSET_KEY is not set; set it, or give a"
                            + " default: ${UNSET_KEY:-value}");
            assertThat(String.join("\n", problems)).doesNotContain(CI_KEY).doesNotContain("12345");
        }

        @Test
        void aJwtSecretTooShortForItsAlgorithmIsRefusedWithoutShowingIt() {
            assertThat(problems("""
                    gateway:
                      auth:
                        jwt: { secret: "${S}" }
                    """, Map.of("S", "short-secret"))).containsExactly(
                    "gateway.auth.jwt.secret: must be at least 32 bytes for HS256 (got 12); make one with: openssl rand"
                            + " -base64 48");
            assertThat(problems("""
                    gateway:
                      auth:
                        jwt: { secret: "${S}", algorithms: [HS512] }
                    """, Map.of("S", JWT_SECRET))).containsExactly(
                    "gateway.auth.jwt.secret: must be at least 64 bytes for HS512 (got 38); make one with: openssl rand"
                            + " -base64 48");
        }

        @Test
        void aRedisPasswordIsHiddenInProblemsAndInToString() {
            McpPoolConfig config = yaml("cache: { redis: \"redis://user:hunter2@cache.internal:6380/2\" }\n");
            assertThat(config.sharedCache().redisUrl().orElseThrow().getHost()).isEqualTo("cache.internal");
            assertThat(config.toString()).doesNotContain("hunter2").contains("redis://user:***@cache.internal:6380/2");
            assertThat(problems("cache: { redis: \"http://:hunter2@cache.internal\" }\n")).containsExactly(
                    "cache.redis: must be a redis:// or rediss:// URL; got \"http://:***@cache.internal\"; write"
                            + " redis://[user:password@]host[:port][/db] or rediss:// for TLS");
            assertThat(SharedCacheSettings.redacted("redis://hunter2@h")).isEqualTo("redis://***@h");
            assertThat(problems("cache: { redis: \"redis://:hunter2@h\" }\n", Map.of("MCP_POOL__CACHE__REDIS__URL",
                    "redis://other"))).containsExactly("MCP_POOL__CACHE__REDIS__URL: cannot set a value inside"
                    + " cache.redis, which the file gives as \"redis://***@h\", not a map");
            assertThat(yaml("cache: { redis: \"redis://:hunter2@h\" }\n", Map.of("MCP_POOL__CACHE__REDIS",
                    "redis://other:6379")).sharedCache().redisUrl()).contains(java.net.URI.create("redis://other:6379"));
        }
    }

    @Nested
    class RateLimits {

        private RateLimit rate(String written) {
            return yaml("gateway:\n  rateLimit: " + written + "\n").gateway().rateLimit();
        }

        @Test
        void everyForm() {
            assertThat(rate("50/s")).isEqualTo(new RateLimit(50, 50));
            assertThat(rate("600/m")).isEqualTo(new RateLimit(10, 10));
            assertThat(rate("7200 / h")).isEqualTo(new RateLimit(2, 2));
            assertThat(rate("0.5/s")).isEqualTo(new RateLimit(0.5, 1));
            assertThat(rate("25")).as("a plain number is per second").isEqualTo(new RateLimit(25, 25));
            assertThat(rate("{ perClient: 50/s, burst: 100 }")).isEqualTo(new RateLimit(50, 100));
            assertThat(rate("{ perClient: 50/s }")).isEqualTo(new RateLimit(50, 50));
            for (String off : List.of("0", "off", "\"off\"", "false", "{ perClient: 0 }")) {
                assertThat(rate(off)).as(off).satisfies(r -> assertThat(r.limited()).isFalse());
            }
        }

        @Test
        void anApiKeyTakesTheSameForms() {
            McpPoolConfig config = yaml("""
                    gateway:
                      auth:
                        apiKeys:
                          - { name: a, sha256: "%1$s", allow: ["*"], rateLimit: 5/s }
                          - { name: b, sha256: "%2$s", allow: ["*"], rateLimit: { perClient: 120/m, burst: 7 } }
                          - { name: c, sha256: "%3$s", allow: ["*"], rateLimit: off }
                    """.formatted("a".repeat(64), "b".repeat(64), "c".repeat(64)));
            assertThat(config.gateway().auth().apiKeys()).extracting(ApiKeySettings::rateLimit).containsExactly(
                    Optional.of(new RateLimit(5, 5)), Optional.of(new RateLimit(2, 7)), Optional.of(RateLimit.NONE));
        }

        @Test
        void wrongRates() {
            assertThat(problems("gateway:\n  rateLimit: 10/ms\n")).containsExactly(
                    "gateway.rateLimit: a rate is per s, m or h; got \"10/ms\"; e.g. 50/s or 600/m");
            assertThat(problems("gateway:\n  rateLimit: fast\n")).containsExactly(
                    "gateway.rateLimit: must be a rate like 50/s, 600/m, 10000/h or 50 (per second); got \"fast\";"
                            + " 0 or off for no limit");
            assertThat(problems("gateway:\n  rateLimit: -5/s\n")).containsExactly(
                    "gateway.rateLimit: must be a rate like 50/s, 600/m, 10000/h or 50 (per second); got \"-5/s\";"
                            + " 0 or off for no limit");
            assertThat(problems("gateway:\n  rateLimit: 2000000/s\n")).containsExactly(
                    "gateway.rateLimit: must be at most 1000000/s; got \"2000000/s\"");
            assertThat(problems("gateway:\n  rateLimit: { burst: 5 }\n")).containsExactly(
                    "gateway.rateLimit: needs perClient, the rate, e.g. { perClient: 50/s, burst: 100 }");
            assertThat(problems("gateway:\n  rateLimit: { perClient: 5/s, burst: 0, perclient: 1 }\n")).containsExactly(
                    "gateway.rateLimit.perclient: unknown key; did you mean 'perClient'? allowed: perClient, burst",
                    "gateway.rateLimit.burst: must be a whole number from 1 to 1000000; got 0");
        }
    }

    @Nested
    class LoopbackAndAuth {

        @Test
        void aNonLoopbackHostNeedsCredentialsOrAnExplicitDisabled() {
            assertThat(problems("gateway: { host: 0.0.0.0 }\n")).containsExactly(
                    "gateway.host: binding 0.0.0.0 needs auth: add gateway.auth.apiKeys or gateway.auth.jwt, or say"
                            + " gateway.auth.mode: disabled");
            assertThat(problems("gateway: { host: \"::\", auth: { mode: auto } }\n")).containsExactly(
                    "gateway.host: binding :: needs auth: add gateway.auth.apiKeys or gateway.auth.jwt, or say"
                            + " gateway.auth.mode: disabled");
            assertThat(problems("gateway: { host: mcp.internal }\n")).singleElement().asString()
                    .startsWith("gateway.host: binding mcp.internal needs auth");

            GatewaySettings open = yaml("gateway: { host: 0.0.0.0, auth: { mode: disabled } }\n").gateway();
            assertThat(open.loopbackOnly()).isFalse();
            assertThat(open.auth().required(open.loopbackOnly())).isFalse();
            GatewaySettings keyed = yaml("gateway: { host: 0.0.0.0, auth: { apiKeys: [ { name: a, sha256: \""
                    + "a".repeat(64) + "\", allow: [\"*\"] } ] } }\n").gateway();
            assertThat(keyed.auth().required(keyed.loopbackOnly())).isTrue();
        }

        @Test
        void loopbackHostsNeedNoAuth() {
            for (String host : List.of("127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1", "[::1]",
                    "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1")) {
                GatewaySettings g = yaml("gateway: { host: \"" + host + "\" }\n").gateway();
                assertThat(g.loopbackOnly()).as(host).isTrue();
                assertThat(g.auth().required(g.loopbackOnly())).as(host).isFalse();
            }
            assertThat(yaml("gateway: { host: \"[::1]\" }\n").gateway().host()).isEqualTo("::1");
        }

        @Test
        void loopbackIsDecidedFromTheTextAlone() {
            for (String host : List.of("0.0.0.0", "10.0.0.1", "128.0.0.1", "127.0.0.256", "::", "fe80::1",
                    "localhost.example.com", "127.0.0.1.nip.io", "not:an:address")) {
                assertThat(GatewaySettings.DEFAULTS.withHostPort(host, 0).loopbackOnly()).as(host).isFalse();
            }
        }

        @Test
        void requiredWithNoWayToAuthenticateIsAnError() {
            assertThat(problems("gateway: { auth: { mode: required } }\n")).containsExactly(
                    "gateway.auth.mode: required, but no client could authenticate: add gateway.auth.apiKeys or"
                            + " gateway.auth.jwt");
        }

        @Test
        void aBrokenAuthBlockIsReportedOnceNotAlsoAsMissingAuth() {
            assertThat(problems("gateway: { host: 0.0.0.0, auth: { apiKeys: [ { name: a, allow: [\"*\"] } ] } }\n"))
                    .containsExactly("gateway.auth.apiKeys[0]: needs sha256 (the key's SHA-256 in hex) or key (the key"
                            + " itself, normally ${ENV_VAR})");
        }
    }

    @Nested
    class Errors {

        @Test
        void wrongGatewayValues() {
            assertThat(problems("""
                    gateway:
                      host: "http://0.0.0.0:8080"
                      port: 70000
                      path: mcp
                      separator: "::"
                      maxBodySize: 100
                      sessionIdleTimeout: 0
                      maxSessions: 0
                      drainTimeout: soon
                      watchConfig: maybe
                      maxStreamMessages: 0
                      maxStreamSize: 10
                      maxUnreadResponseSize: lots
                      clientRequestTimeout: 0
                      maxClientRequests: 10001
                    """)).containsExactly(
                    "gateway.host: must be a host name or address, not a URL; got \"http://0.0.0.0:8080\"; e.g."
                            + " 127.0.0.1 or 0.0.0.0",
                    "gateway.port: must be a whole number from 0 to 65535; got 70000",
                    "gateway.path: must be a URL path starting with /, without spaces, ? or #; got \"mcp\"; e.g. /mcp",
                    "gateway.separator: must be 1 to 8 letters, digits, _, . or -, the characters MCP allows in tool"
                            + " names; got \"::\"; e.g. __ or .",
                    "gateway.maxBodySize: must be at least 1024 bytes; got 100",
                    "gateway.sessionIdleTimeout: must be greater than zero; got 0",
                    "gateway.maxSessions: must be a whole number from 1 to 1000000; got 0",
                    "gateway.drainTimeout: must be a duration like 250ms, 5s, 10m, 1h; got \"soon\"",
                    "gateway.watchConfig: must be true or false; got \"maybe\"",
                    "gateway.maxStreamMessages: must be a whole number from 1 to 1000000; got 0",
                    "gateway.maxStreamSize: must be at least 1024 bytes; got 10",
                    "gateway.maxUnreadResponseSize: must be a size like 1048576, 512KB, 16MB, 1MiB; got \"lots\"",
                    "gateway.clientRequestTimeout: must be greater than zero; got 0",
                    "gateway.maxClientRequests: must be a whole number from 1 to 10000; got 10001");
            assertThat(problems("gateway: { path: /metrics, host: \"my host\" }\n")).containsExactly(
                    "gateway.host: must be a host name or address; got \"my host\"; e.g. 127.0.0.1, 0.0.0.0 or ::1;"
                            + " the port is gateway.port",
                    "gateway.path: is where the gateway serves its own metrics endpoint; got \"/metrics\"; pick"
                            + " another path, e.g. /mcp");
            assertThat(problems("gateway: 8080\n")).containsExactly(
                    "gateway: must be a map of gateway settings, e.g. { host: 127.0.0.1, port: 8080 }; got 8080");
        }

        @Test
        void wrongAuthValues() {
            assertThat(problems("""
                    gateway:
                      auth:
                        mode: sometimes
                        required: true
                        anonymousAllow: ["files read"]
                    """)).containsExactly(
                    "gateway.auth.required: write mode: required, mode: disabled or mode: auto (the default)",
                    "gateway.auth.mode: must be one of auto, required, disabled; got \"sometimes\"",
                    "gateway.auth.anonymousAllow[0]: must not contain spaces; got \"files read\"; e.g."
                            + " files__read_file, files__* or *");
            assertThat(problems("gateway: { auth: [] }\n")).containsExactly(
                    "gateway.auth: must be a map like { apiKeys: [...], jwt: {...} }; got an empty list");
        }

        @Test
        void wrongApiKeys() {
            String a = "a".repeat(64);
            assertThat(problems("""
                    gateway:
                      auth:
                        apiKeys:
                          - { sha256: "%1$s", allow: ["*"] }
                          - { name: x, sha256: "%1$s", key: "k", allow: ["*"] }
                          - { name: x, sha256: "%2$s" }
                          - { name: "has space", sha256: "%3$s", allow: "*" }
                          - ci-bot
                          -
                    """.formatted(a, "b".repeat(64), "c".repeat(64)))).containsExactly(
                    "gateway.auth.apiKeys[0]: needs name: the client's name in logs, metrics and rate limits",
                    "gateway.auth.apiKeys[1]: has both sha256 and key; give one: sha256 (the key's SHA-256 in hex) or"
                            + " key (the key itself, normally ${ENV_VAR})",
                    "gateway.auth.apiKeys[2].name: another API key has this name (apiKeys[1]); got \"x\"; names must"
                            + " be unique",
                    "gateway.auth.apiKeys[2]: needs allow: what this client may use, e.g. [\"files__*\","
                            + " \"search__query\"], or [\"*\"] for everything",
                    "gateway.auth.apiKeys[3].name: a client name must be 1 to 64 letters, digits, _, ., @ or -; got"
                            + " \"has space\"",
                    "gateway.auth.apiKeys[3].allow: must be a list of name patterns, e.g. [\"files__*\","
                            + " \"search__query\"]; got \"*\"",
                    "gateway.auth.apiKeys[4]: must be a map like { name: ci-bot, key: \"${CI_BOT_KEY}\", allow:"
                            + " [\"files__*\"] }; got \"ci-bot\"",
                    "gateway.auth.apiKeys[5]: must be a map like { name: ci-bot, key: \"${CI_BOT_KEY}\", allow:"
                            + " [\"files__*\"] }; got null");
            assertThat(problems("gateway: { auth: { apiKeys: { a: 1 } } }\n")).containsExactly(
                    "gateway.auth.apiKeys: must be a list of API keys, each a map like { name: ci-bot, key:"
                            + " \"${CI_BOT_KEY}\", allow: [\"files__*\"] }; got a map");
        }

        @Test
        void wrongJwt() throws IOException {
            assertThat(loadProblems("c.yaml", """
                    gateway:
                      auth:
                        jwt: { issuer: "https://idp.example.com" }
                    """, Map.of())).containsExactly(
                    "gateway.auth.jwt: needs a key to check signatures: jwksFile, publicKeyFile or secret");
            assertThat(loadProblems("c.yaml", """
                    gateway:
                      auth:
                        jwt: { jwksFile: missing/jwks.json, publicKeyFile: keys, clockSkew: -1s, issuer: "" }
                    """, Map.of())).containsExactly(
                    "gateway.auth.jwt.issuer: must not be empty; got \"\"",
                    "gateway.auth.jwt.jwksFile: file not found (looked for " + dir.resolve("missing/jwks.json")
                            + "); got \"missing/jwks.json\"",
                    "gateway.auth.jwt.publicKeyFile: is not a file (" + dir.resolve("keys") + "); got \"keys\"",
                    "gateway.auth.jwt.clockSkew: must not be negative; got \"-1s\"");
            assertThat(loadProblems("c.yaml", """
                    gateway:
                      auth:
                        jwt: { jwksFile: keys/jwks.json, algorithms: [RS256, none, HS257] }
                    """, Map.of())).containsExactly(
                    "gateway.auth.jwt.algorithms[1]: is never accepted: a token must be signed; got \"none\"",
                    "gateway.auth.jwt.algorithms[2]: must be one of HS256, HS384, HS512, RS256, RS384, RS512, PS256,"
                            + " PS384, PS512, ES256, ES384, ES512, EdDSA; got \"HS257\"");
            assertThat(loadProblems("c.yaml", """
                    gateway:
                      auth:
                        jwt: { secret: "${JWT_SECRET}", algorithms: [RS256, ES256, HS256] }
                    """, ENV)).containsExactly(
                    "gateway.auth.jwt.algorithms: lists algorithms no key given here can check: RS256 needs jwksFile"
                            + " or publicKeyFile; ES256 needs jwksFile or publicKeyFile");
            assertThat(loadProblems("c.yaml", """
                    gateway:
                      auth:
                        jwt: { jwksFile: keys/jwks.json, algorithms: [], isuser: x }
                    """, ENV)).containsExactly(
                    "gateway.auth.jwt.isuser: unknown key; did you mean 'issuer'? allowed: issuer, audience, jwksFile,"
                            + " secret, publicKeyFile, algorithms, subjectClaim, allowClaim, allow, clockSkew",
                    "gateway.auth.jwt.algorithms: must list at least one algorithm; got an empty list; leave it out for"
                            + " RS256, ES256, HS256");
        }

        @Test
        void filesAreRelativeToTheConfigFileOrElseTheWorkingDirectory() throws IOException {
            Path sub = Files.createDirectories(dir.resolve("etc"));
            Files.writeString(sub.resolve("jwks.json"), "{\"keys\": []}");
            Path file = sub.resolve("mcp-pool.yaml");
            Files.writeString(file, "gateway: { auth: { jwt: { jwksFile: jwks.json } } }\n");
            assertThat(ConfigLoader.load(file, Map.of()).gateway().auth().jwt().orElseThrow().jwksFile())
                    .contains(sub.resolve("jwks.json"));
            assertThat(ConfigLoader.load(file, Map.of()).gateway().auth().jwt().orElseThrow().jwksFile().orElseThrow())
                    .isAbsolute();

            Path cwd = Path.of("").toAbsolutePath();
            assertThat(problems("gateway: { auth: { jwt: { jwksFile: no-such-jwks.json } } }\n")).containsExactly(
                    "gateway.auth.jwt.jwksFile: file not found (looked for " + cwd.resolve("no-such-jwks.json")
                            + "); got \"no-such-jwks.json\"");
            McpPoolConfig absolute = yaml("gateway: { auth: { jwt: { jwksFile: \"" + sub.resolve("jwks.json")
                    + "\" } } }\n");
            assertThat(absolute.gateway().auth().jwt().orElseThrow().jwksFile()).contains(sub.resolve("jwks.json"));
        }

        @Test
        void originsAndHosts() {
            assertThat(problems("""
                    gateway:
                      allowedOrigins: ["*", "https://app.example.com/path", "app.example.com", null]
                      allowedHosts: ["https://mcp.example.com", "mcp.example.com:x", "[::1]:8080"]
                    """)).containsExactly(
                    "gateway.allowedOrigins[0]: a wildcard would turn the Origin check off; got \"*\"; list each"
                            + " origin; write scheme://host[:port], e.g. https://app.example.com",
                    "gateway.allowedOrigins[1]: an origin has no path, query or fragment; got"
                            + " \"https://app.example.com/path\"; write scheme://host[:port], e.g. https://app.example.com",
                    "gateway.allowedOrigins[2]: is not an origin; got \"app.example.com\"; write scheme://host[:port],"
                            + " e.g. https://app.example.com",
                    "gateway.allowedOrigins[3]: must be an origin; got null",
                    "gateway.allowedHosts[0]: must be a host name as the Host header gives it, not a URL; got"
                            + " \"https://mcp.example.com\"; e.g. mcp.example.com",
                    "gateway.allowedHosts[1]: must be a host name, optionally with :port; got \"mcp.example.com:x\";"
                            + " e.g. mcp.example.com or mcp.example.com:8443");
            assertThat(yaml("gateway: { allowedOrigins: [\"HTTP://LOCALHOST:3000\"] }\n").gateway().allowedOrigins())
                    .containsExactly("http://localhost:3000");
        }

        @Test
        void keysInTheWrongPlaceSayWhereTheyBelong() {
            assertThat(problems("gateway: { prot: 80 }\n")).singleElement().asString()
                    .startsWith("gateway.prot: unknown key; did you mean 'port'? allowed: host, port, path,");
            assertThat(problems("gateway: { apiKeys: [] }\n")).singleElement().asString()
                    .startsWith("gateway.apiKeys: unknown key; did you mean 'auth.apiKeys'? allowed:");
            assertThat(problems("gateway: { burst: 5 }\n")).singleElement().asString()
                    .startsWith("gateway.burst: unknown key; did you mean 'rateLimit.burst'? allowed:");
            assertThat(problems("gateway: { auth: { issuer: x } }\n")).singleElement().asString()
                    .startsWith("gateway.auth.issuer: unknown key; did you mean 'jwt.issuer'? allowed: mode, apiKeys,");
            assertThat(problems("gateway: { maxBodyBytes: 4096 }\n")).containsExactly(
                    "gateway.maxBodyBytes: write the size as maxBodySize, e.g. maxBodySize: 4MB");
            assertThat(problems("gateway: { maxStreamBytes: 4096 }\n")).containsExactly(
                    "gateway.maxStreamBytes: write the size as maxStreamSize, e.g. maxStreamSize: 8MiB");
            assertThat(problems("gateway: { auth: { apiKeys: [ { name: a, sha265: x, allow: [] } ] } }\n"))
                    .contains("gateway.auth.apiKeys[0].sha265: unknown key; did you mean 'sha256'? allowed: name, sha256,"
                            + " key, allow, rateLimit");
        }
    }

    @Nested
    class Documentation {

        /** Every YAML example in docs/configuration.md that is a whole config, loaded from a file next to a JWKS. */
        @Test
        void everyWholeConfigExampleLoads() throws IOException {
            String doc = Files.readString(Path.of("..", "docs", "configuration.md"));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("```yaml\n(.*?)```",
                    java.util.regex.Pattern.DOTALL).matcher(doc);
            Files.writeString(dir.resolve("jwks.json"), "{\"keys\": []}");
            // API keys of at least 24 characters, as the gateway requires
            Map<String, String> env = Map.of("GITHUB_TOKEN", "t", "API_KEY", "api-key-0123456789abcdef-0123",
                    "KEY", "key-0123456789abcdef-012345", "CI_BOT_KEY", CI_KEY,
                    "REDIS_PASSWORD", "pw", "JWT_SECRET", JWT_SECRET);
            List<String> loaded = new java.util.ArrayList<>();
            while (m.find()) {
                String block = m.group(1);
                String firstKey = block.substring(0, block.indexOf(':'));
                if (!Keys.TOP.allowed().contains(firstKey)) {
                    continue;
                }
                McpPoolConfig config = load("doc.yaml", block, env);
                loaded.add(firstKey);
                if (firstKey.equals("gateway") && block.contains("jwt:")) {
                    assertThat(config.gateway().auth().jwt().orElseThrow().jwksFile()).contains(dir.resolve("jwks.json"));
                    assertThat(config.gateway().auth().apiKeys()).extracting(ApiKeySettings::name)
                            .containsExactly("ci-bot", "dashboard");
                }
            }
            assertThat(loaded).as("the complete example and the new sections' examples")
                    .containsSubsequence("defaults", "defaults", "servers", "gateway", "gateway", "cache");
        }
    }

    @Nested
    class FrontDoorKeys {

        @Test
        void everyKeyAndItsDefault() {
            assertThat(yaml("gateway: {}\n").gateway().frontDoor()).isEqualTo(FrontDoorSettings.DEFAULTS);
            FrontDoorSettings f = yaml("""
                    gateway:
                      maxConnections: 300
                      idleTimeoutAtConnectionLimit: 2s
                      acceptRate: 30/m
                      maxBatchLength: 8
                      maxInitializeSize: 16KiB
                      maxAuthFailures: 0
                      authFailureWindow: 10m
                    """).gateway().frontDoor();
            assertThat(f).isEqualTo(new FrontDoorSettings(300, Duration.ofSeconds(2), 0.5, 8, 16 * 1024, 0,
                    Duration.ofMinutes(10)));
            assertThat(yaml("gateway: { acceptRate: off }\n").gateway().frontDoor().acceptRate()).isZero();
            Map<String, String> env = Map.of("MCP_POOL__GATEWAY__MAX_BATCH_LENGTH", "3",
                    "MCP_POOL__GATEWAY__MAX_AUTH_FAILURES", "5");
            FrontDoorSettings fromEnv = yaml("gateway: {}\n", env).gateway().frontDoor();
            assertThat(fromEnv.maxBatchLength()).isEqualTo(3);
            assertThat(fromEnv.maxAuthFailures()).isEqualTo(5);
        }

        @Test
        void theConnectionLimitDefaultsToHalfTheOpenFileLimit() {
            FrontDoorSettings d = FrontDoorSettings.DEFAULTS;
            assertThat(d.connectionLimit(1024)).isEqualTo(512);
            assertThat(d.connectionLimit(256)).isEqualTo(128);
            assertThat(d.connectionLimit(40)).isEqualTo(FrontDoorSettings.MIN_AUTO_CONNECTIONS);
            assertThat(d.connectionLimit(1_048_576)).isEqualTo(FrontDoorSettings.MAX_AUTO_CONNECTIONS);
            assertThat(d.connectionLimit(-1)).isEqualTo(FrontDoorSettings.MAX_AUTO_CONNECTIONS);
            assertThat(new FrontDoorSettings(77, Duration.ofSeconds(5), 0, 1, 1024, 0, Duration.ofMinutes(1))
                    .connectionLimit(1024)).isEqualTo(77);
        }

        @Test
        void wrongValues() {
            assertThat(problems("""
                    gateway:
                      maxConnections: 0
                      idleTimeoutAtConnectionLimit: 0
                      acceptRate: fast
                      maxBatchLength: 0
                      maxInitializeSize: 10
                      maxAuthFailures: -1
                      authFailureWindow: 0
                    """)).containsExactly(
                    "gateway.maxConnections: must be a whole number from 1 to 1000000; got 0",
                    "gateway.idleTimeoutAtConnectionLimit: must be greater than zero; got 0",
                    "gateway.acceptRate: must be a rate like 50/s, 600/m, 10000/h or 50 (per second); got \"fast\";"
                            + " 0 or off for no limit",
                    "gateway.maxBatchLength: must be a whole number from 1 to 10000; got 0",
                    "gateway.maxInitializeSize: must be at least 1024 bytes; got 10",
                    "gateway.maxAuthFailures: must be a whole number from 0 to 1000000; got -1",
                    "gateway.authFailureWindow: must be greater than zero; got 0");
        }

        @Test
        void anApiKeyShorterThan24CharactersIsRefusedWithoutShowingIt() {
            assertThat(problems("""
                    gateway:
                      auth:
                        apiKeys: [ { name: weak, key: "${WEAK}", allow: ["*"] } ]
                    """, Map.of("WEAK", "s3cr3t-but-too-short"))).containsExactly(
                    "gateway.auth.apiKeys[0].key: must be at least 24 characters (got 20); make one with:"
                            + " openssl rand -hex 32");
            assertThat(yaml("""
                    gateway:
                      auth:
                        apiKeys: [ { name: ok, key: "${OK}", allow: ["*"] } ]
                    """, Map.of("OK", "x".repeat(24))).gateway().auth().apiKeys()).hasSize(1);
        }
    }

    @Nested
    class Environment {

        @Test
        void gatewayKeysAreReachable() {
            Map<String, String> env = new HashMap<>();
            env.put("MCP_POOL__GATEWAY__PORT", "9090");
            env.put("MCP_POOL__GATEWAY__HOST", "0.0.0.0");
            env.put("MCP_POOL__GATEWAY__RATE_LIMIT", "20/s");
            env.put("MCP_POOL__GATEWAY__MAX_BODY_SIZE", "1MB");
            env.put("MCP_POOL__GATEWAY__MAX_STREAM_SIZE", "2MB");
            env.put("MCP_POOL__GATEWAY__CLIENT_REQUEST_TIMEOUT", "15s");
            env.put("MCP_POOL__GATEWAY__ALLOWED_ORIGINS", "[\"https://a.example.com\"]");
            env.put("MCP_POOL__GATEWAY__AUTH__API_KEYS__0__KEY", CI_KEY);
            env.put("MCP_POOL__GATEWAY__AUTH__API_KEYS__0__RATE_LIMIT__BURST", "9");
            GatewaySettings g = yaml("""
                    gateway:
                      auth:
                        apiKeys: [ { name: ci, allow: ["*"], rateLimit: { perClient: 1/s } } ]
                    """, env).gateway();
            assertThat(g.port()).isEqualTo(9090);
            assertThat(g.host()).isEqualTo("0.0.0.0");
            assertThat(g.rateLimit()).isEqualTo(new RateLimit(20, 20));
            assertThat(g.maxBodyBytes()).isEqualTo(1024 * 1024);
            assertThat(g.limits().maxStreamBytes()).isEqualTo(2 * 1024 * 1024);
            assertThat(g.limits().clientRequestTimeout()).isEqualTo(Duration.ofSeconds(15));
            assertThat(g.limits().maxClientRequests()).isEqualTo(ClientLimits.DEFAULT_MAX_CLIENT_REQUESTS);
            assertThat(g.allowedOrigins()).containsExactly("https://a.example.com");
            assertThat(g.auth().apiKeys().get(0).sha256()).isEqualTo(GatewayBinder.sha256(CI_KEY));
            assertThat(g.auth().apiKeys().get(0).rateLimit()).contains(new RateLimit(1, 9));
            // The file's sha256 and the environment's key are both there: one of them must go.
            assertThat(problems("""
                    gateway:
                      auth:
                        apiKeys: [ { name: ci, sha256: "%s", allow: ["*"] } ]
                    """.formatted("a".repeat(64)), Map.of("MCP_POOL__GATEWAY__AUTH__API_KEYS__0__KEY", CI_KEY)))
                    .containsExactly("gateway.auth.apiKeys[0]: has both sha256 and key; give one: sha256 (the key's"
                            + " SHA-256 in hex) or key (the key itself, normally ${ENV_VAR})");
        }

        @Test
        void gatewayProblemsFromTheEnvironmentNameTheVariable() {
            assertThat(problems("servers: {}\n", Map.of("MCP_POOL__GATEWAY__PORT", "http"))).containsExactly(
                    "gateway.port (from MCP_POOL__GATEWAY__PORT): must be a whole number from 0 to 65535; got \"http\"");
            assertThat(problems("servers: {}\n", Map.of("MCP_POOL__GATEWAY__HOST", "0.0.0.0"))).containsExactly(
                    "gateway.host (from MCP_POOL__GATEWAY__HOST): binding 0.0.0.0 needs auth: add gateway.auth.apiKeys"
                            + " or gateway.auth.jwt, or say gateway.auth.mode: disabled");
            assertThat(problems("servers: {}\n", Map.of("MCP_POOL__GATEWAY__PROT", "1"))).singleElement().asString()
                    .startsWith("MCP_POOL__GATEWAY__PROT: gateway has no key 'PROT'; did you mean 'port'? allowed:");
            assertThat(problems("servers: {}\n", Map.of("MCP_POOL__GATEWAY__AUTH__JWT__ISUSER", "x"))).singleElement()
                    .asString().startsWith("MCP_POOL__GATEWAY__AUTH__JWT__ISUSER: jwt has no key 'ISUSER'; did you"
                            + " mean 'issuer'?");
        }

        @Test
        void theAuthModeAndAJwtSecretCanComeFromTheEnvironment() {
            GatewaySettings g = yaml("gateway: { host: 0.0.0.0 }\n", Map.of(
                    "MCP_POOL__GATEWAY__AUTH__MODE", "disabled")).gateway();
            assertThat(g.auth().mode()).isEqualTo(AuthSettings.Mode.DISABLED);
            JwtSettings jwt = yaml("servers: {}\n", Map.of("MCP_POOL__GATEWAY__AUTH__JWT__SECRET", JWT_SECRET,
                    "MCP_POOL__GATEWAY__AUTH__JWT__ALGORITHMS", "[HS256]")).gateway().auth().jwt().orElseThrow();
            assertThat(jwt.secret()).contains(JWT_SECRET);
            assertThat(jwt.algorithms()).containsExactly("HS256");
        }
    }
}
