package io.mcppool.it.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.it.gateway.GatewayClient;
import io.mcppool.it.gateway.interop.Exec;
import io.mcppool.it.gateway.interop.GatewayProcess;
import io.mcppool.it.interop.NpmPeers;
import io.mcppool.protocol.Json;
import io.mcppool.testkit.TestkitHttpServer;
import io.mcppool.testkit.TestkitOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, the secrets area, through {@code mcp-pool serve} as a user starts it ({@link GatewayProcess}): what
 * an attacker who is an ordinary client (or who reads what operators see) could learn of the gateway's own
 * credentials and of the secrets in its config, and whether a reload or {@code check-config} can leave the
 * gateway half on one config and half on another.
 *
 * <ul>
 *   <li>A stdio server starts with a short allow list of the gateway's variables plus its {@code env:};
 *       {@code inheritEnv} opts more in, but never the gateway's own credentials unless named exactly.</li>
 *   <li>A reload that fails anywhere (here: a bad {@code publicKeyFile}) changes nothing and shows its error;
 *       {@code check-config} refuses what {@code serve} refuses.</li>
 *   <li>Secrets in server arguments and URLs (any scheme's user info, query strings, secret-looking flags) stay
 *       out of {@code /api/status}, the status page, {@code /metrics}, the log and the CLI's output, also where
 *       a long label is shortened.</li>
 *   <li>Errors to clients carry a stable message and an error type: no command line, pid, stderr, Java class
 *       name or {@code OutOfMemoryError}.</li>
 *   <li>An HTTP upstream gets the headers configured for it and nothing of the client's credentials.</li>
 * </ul>
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SecretsAbuseTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private static final String JWT_SECRET = "jwt-secret-6f1c0d9e8b7a4c3d2e1f0a9b8c7d6e5f4a3b";
    private static final String OPS_KEY = "ops-key-a7d2c94e1b3f58600d7e";
    private static final String READER_KEY = "reader-key-5e0b8f3a9c1d2e47";
    private static final String OLD_CLIENT_KEY = "old-client-key-3c8e1f0a7b9d";
    private static final String DB_PASSWORD = "unrelated-db-password-b41e";
    private static final String UPSTREAM_KEY = "upstream-key-9d3e2a71c0b5";

    /** Variables a stdio server may see without asking: docs/configuration.md, servers.NAME.inheritEnv. */
    private static final Set<String> MINIMAL = Set.of("HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER", "LANG",
            "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR");

    /** Secrets written into the shared gateway's server arguments and URLs; "Hunter2" is a prefix of one. */
    private static final List<String> ARGUMENT_SECRETS = List.of("Hunter2", "SecretPw", "QuerySecret77",
            "FlagSecretValue", "ApiKeyFlagSecret", "HttpSecretPw", "HttpQuerySecret");

    @TempDir
    static Path shared;
    static TestkitHttpServer upstream;
    static GatewayProcess gateway;

    @TempDir
    Path dir;

    // ------------------------------------------------------------------ the shared gateway

    /**
     * One gateway with secrets in its servers' arguments and URLs: {@code db} runs (a testkit server behind
     * {@code sh -c}, so its command line can carry anything), {@code broken} exits at once, {@code remote} refuses
     * connections, {@code upstream} is a testkit HTTP server in this JVM with a header of its own.
     */
    @BeforeAll
    static void startGatewayWithSecretsInItsConfig() throws IOException {
        upstream = TestkitHttpServer.start(TestkitOptions.defaults());
        String config = """
                servers:
                  db:
                    command: sh
                    args: ["-c", "exec \\"$0\\" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -XX:-UsePerfData -cp \\"$1\\" io.mcppool.testkit.TestkitServer",
                           "${MCP_POOL_JAVA}", "${MCP_POOL_CLASSPATH}",
                           "mysql://root:Hunter2SecretPw@db.internal.example:3306/app", "--db-password", "FlagSecretValue1"]
                    trusted: true
                    pool: { minSessions: 1, maxSessions: 1 }
                  broken:
                    command: sh
                    args: ["-c", "exit 3", "postgres://admin:PgSecretPw99@pg.internal.example/x?sslkey=QuerySecret77",
                           "--api-key=ApiKeyFlagSecret55"]
                    pool: { minSessions: 1 }
                    supervision: { initialBackoff: 200ms, maxBackoff: 1s }
                  remote:
                    url: "https://svc:HttpSecretPw@127.0.0.1:9/mcp?token=HttpQuerySecret"
                    pool: { minSessions: 1 }
                  upstream:
                    url: "%s"
                    headers: { X-Upstream-Key: "${UPSTREAM_KEY}" }
                gateway:
                  auth:
                    apiKeys:
                      - { name: ops, key: "${OPS_API_KEY}", allow: ["*", "mcp-pool:operator"] }
                """.formatted(upstream.url());
        Path file = shared.resolve("secrets.yaml");
        Files.writeString(file, config);
        gateway = GatewayProcess.serve(shared, sharedEnv(), "--config", file.toString());
    }

    private static Map<String, String> sharedEnv() {
        Map<String, String> env = environment(shared);
        env.put("OPS_API_KEY", OPS_KEY);
        env.put("UPSTREAM_KEY", UPSTREAM_KEY);
        return env;
    }

    @AfterAll
    static void stopSharedGateway() {
        if (gateway != null) {
            List<String> left = gateway.stop();
            assertThat(left).as("processes alive 30 s after SIGTERM to the gateway\n%s", gateway.stderr()).isEmpty();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    // ------------------------------------------------------------------ finding: gateway secrets reach stdio upstreams

    /**
     * The critical finding: the gateway's whole environment went to every stdio server, so a client allowed only
     * the reference server's {@code get-env} read the JWT secret and the operators' key.
     */
    @Test
    void aStdioServerSeesOnlyTheMinimalEnvironmentAndItsEnvBlock() throws IOException {
        Map<String, String> env = environment(dir);
        env.put("JWT_SECRET", JWT_SECRET);
        env.put("OPS_API_KEY", OPS_KEY);
        env.put("READER_KEY", READER_KEY);
        env.put("DB_PASSWORD", DB_PASSWORD);
        Path file = write(dir, "env.yaml", """
                servers:
                  everything:
                    command: "%s"
                    args: ["%s", stdio]
                    env: { GIVEN_TO_SERVER: from-the-env-block }
                gateway:
                  auth:
                    apiKeys:
                      - { name: ops, key: "${OPS_API_KEY}", allow: ["*", "mcp-pool:operator"] }
                      - { name: env-reader, key: "${READER_KEY}", allow: ["everything__get-env"] }
                    jwt: { secret: "${JWT_SECRET}", allow: [] }
                """.formatted(NpmPeers.node(), NpmPeers.script(NpmPeers.EVERYTHING)));
        try (GatewayProcess g = GatewayProcess.serve(dir, env, "--config", file.toString())) {
            Map<String, String> seen = childEnvironment(g, READER_KEY, "everything__get-env");

            assertThat(seen).as("what the stdio server's get-env tool shows a client allowed only that tool")
                    .doesNotContainKeys("JWT_SECRET", "OPS_API_KEY", "READER_KEY", "DB_PASSWORD");
            assertThat(String.join("\n", seen.values())).as("values in the stdio server's environment")
                    .doesNotContain(JWT_SECRET, OPS_KEY, READER_KEY, DB_PASSWORD);
            assertThat(seen).containsEntry("GIVEN_TO_SERVER", "from-the-env-block")
                    .containsEntry("HOME", dir.toString())
                    .containsEntry("PATH", env.get("PATH"));
            assertThat(seen.keySet()).as("only the documented allow list and the server's env block")
                    .allMatch(k -> MINIMAL.contains(k) || k.equals("GIVEN_TO_SERVER"));
        }
    }

    /**
     * {@code inheritEnv} opts variables in by name or by a {@code PREFIX*} pattern; a variable that the gateway's
     * own auth settings reference is never passed by a pattern, only when named exactly (and then with a warning).
     */
    @Test
    void inheritEnvOptsVariablesInButNeverTheGatewaysOwnCredentialsByPattern() throws IOException {
        Map<String, String> env = environment(dir);
        env.put("APP_REGION", "eu-test-1");
        env.put("APP_JWT_SECRET", JWT_SECRET);
        env.put("SHARED_SETTING", "shared-value");
        env.put("NOT_LISTED", "not-listed-value");
        env.put("OPS_API_KEY", OPS_KEY);
        Path file = write(dir, "inherit.yaml", """
                servers:
                  globbed:
                    command: "%1$s"
                    args: ["%2$s", stdio]
                    inheritEnv: [SHARED_SETTING, "APP_*"]
                  named:
                    command: "%1$s"
                    args: ["%2$s", stdio]
                    inheritEnv: [APP_JWT_SECRET]
                gateway:
                  auth:
                    apiKeys:
                      - { name: ops, key: "${OPS_API_KEY}", allow: ["*", "mcp-pool:operator"] }
                    jwt: { secret: "${APP_JWT_SECRET}", allow: [] }
                """.formatted(NpmPeers.node(), NpmPeers.script(NpmPeers.EVERYTHING)));
        try (GatewayProcess g = GatewayProcess.serve(dir, env, "--config", file.toString())) {
            Map<String, String> globbed = childEnvironment(g, OPS_KEY, "globbed__get-env");
            assertThat(globbed).containsEntry("APP_REGION", "eu-test-1").containsEntry("SHARED_SETTING", "shared-value")
                    .doesNotContainKeys("APP_JWT_SECRET", "NOT_LISTED", "OPS_API_KEY");

            Map<String, String> named = childEnvironment(g, OPS_KEY, "named__get-env");
            assertThat(named).as("a gateway credential named exactly in inheritEnv")
                    .containsEntry("APP_JWT_SECRET", JWT_SECRET).doesNotContainKeys("APP_REGION", "OPS_API_KEY");
            assertThat(g.stderr()).as("the gateway's log").contains("servers.named.inheritEnv")
                    .contains("APP_JWT_SECRET");
        }
    }

    // ------------------------------------------------------------------ finding: reloads apply halfway

    /**
     * A reload that removes a server and a key and adds a JWT block with a broken {@code publicKeyFile}: before,
     * the servers changed, the removed key stayed valid and no error was shown. Now nothing changes and the error
     * is shown; the next good edit applies whole (the removed key stops working).
     */
    @Test
    void aReloadThatFailsAnywhereKeepsTheWholeRunningConfigAndShowsWhy() throws IOException {
        Map<String, String> env = environment(dir);
        env.put("OPS_API_KEY", OPS_KEY);
        env.put("OLD_CLIENT_KEY", OLD_CLIENT_KEY);
        Files.writeString(dir.resolve("broken.pem"), "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5IGF0IGFsbA==\n"
                + "-----END PUBLIC KEY-----\n");
        Path file = write(dir, "gateway.yaml", reloadConfig("alpha", true, false));
        try (GatewayProcess g = GatewayProcess.serve(dir, env, "--config", file.toString())) {
            URI base = g.mcpUri().resolve("/");
            assertThat(serverNames(status(base))).containsExactly("alpha");

            write(dir, "gateway.yaml", reloadConfig("beta", false, true));
            hangUp(g);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).conditionEvaluationListener(c -> {
                if (c.getRemainingTimeInMS() <= 200) { // the last look: say what the gateway logged
                    System.err.println("SIGHUP gave no reload within " + WAIT + "; the gateway's stderr:\n" + g.stderr());
                }
            }).until(() -> {
                JsonNode s = status(base);
                return reloadError(s) != null || !serverNames(s).equals(List.of("alpha"));
            });
            JsonNode after = status(base);
            assertThat(serverNames(after)).as("servers after a reload whose JWT key file is broken\n%s", g.stderr())
                    .containsExactly("alpha");
            assertThat(reloadError(after)).as("the error /api/status shows")
                    .contains("publicKeyFile");
            assertThat(get(base.resolve("/"), OPS_KEY).body()).as("the status page").contains("publicKeyFile");
            assertThat(initializeStatus(g, OLD_CLIENT_KEY)).as("a key of the running config").isEqualTo(200);

            write(dir, "gateway.yaml", reloadConfig("beta", false, false));
            hangUp(g);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
                JsonNode s = status(base);
                return reloadError(s) == null && serverNames(s).equals(List.of("beta"));
            });
            assertThat(initializeStatus(g, OLD_CLIENT_KEY)).as("the key the good edit removed").isEqualTo(401);
            assertThat(initializeStatus(g, OPS_KEY)).isEqualTo(200);
        }
    }

    private static String reloadConfig(String server, boolean oldClient, boolean brokenJwt) {
        return "servers:\n" + testkit(server) + """
                gateway:
                  watchConfig: false
                  auth:
                    apiKeys:
                      - { name: ops, key: "${OPS_API_KEY}", allow: ["*", "mcp-pool:operator"] }
                """ + (oldClient ? "      - { name: old-client, key: \"${OLD_CLIENT_KEY}\", allow: [\"*\"] }\n" : "")
                + (brokenJwt ? "    jwt: { publicKeyFile: broken.pem }\n" : "");
    }

    /** {@code check-config} said OK to configs that {@code serve} refuses (a key file it cannot use). */
    @Test
    void checkConfigRefusesWhatServeRefuses() throws IOException {
        Map<String, String> env = environment(dir);
        Files.writeString(dir.resolve("broken.pem"), "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5IGF0IGFsbA==\n"
                + "-----END PUBLIC KEY-----\n");
        Files.writeString(dir.resolve("broken-jwks.json"), "{\"keys\": \"not a list\"}");
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put("publicKeyFile", "servers:\n" + testkit("alpha")
                + "gateway:\n  auth:\n    jwt: { publicKeyFile: broken.pem }\n");
        configs.put("jwksFile", "servers:\n" + testkit("alpha")
                + "gateway:\n  auth:\n    jwt: { jwksFile: broken-jwks.json }\n");
        for (Map.Entry<String, String> c : configs.entrySet()) {
            Path file = write(dir, c.getKey() + ".yaml", c.getValue());
            Exec.Result serve = GatewayProcess.run(dir, env, WAIT, "serve", "--port", "0", "--config", file.toString());
            assertThat(serve.exitCode()).as("serve on a config with a broken %s\n%s", c.getKey(), serve.describe())
                    .isNotZero();
            assertThat(serve.stderr()).as(serve.describe()).contains(c.getKey());

            Exec.Result check = GatewayProcess.run(dir, env, WAIT, "check-config", file.toString());
            assertThat(check.exitCode()).as("check-config on the config serve refused\n%s", check.describe())
                    .isEqualTo(2);
            assertThat(check.stdout()).as(check.describe()).contains("gateway.auth.jwt." + c.getKey());
        }
    }

    // ------------------------------------------------------------------ finding: secrets past redaction

    /**
     * User info of any URL scheme, query strings and secret-looking flags in server arguments: before, they were in
     * {@code /api/status}, the page, dozens of metric series and the log, a long label was cut through a password
     * (showing its start), and {@code check-config} and {@code servers} printed arguments as written.
     */
    @Test
    void secretsInServerArgumentsStayOutOfWhatOperatorsAndLogsSee() {
        URI base = gateway.mcpUri().resolve("/");
        // The failing endpoints have been tried and their failures recorded: every surface has their labels.
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
            JsonNode errors = status(base).path("recentErrors");
            Set<String> servers = new java.util.HashSet<>();
            errors.forEach(e -> servers.add(e.path("server").asText()));
            return servers.containsAll(List.of("broken", "remote"));
        });
        assertNoSecret("/api/status", get(base.resolve("/api/status"), OPS_KEY).body());
        assertNoSecret("the status page", get(base.resolve("/"), OPS_KEY).body());
        String metrics = get(base.resolve("/metrics"), OPS_KEY).body();
        assertThat(metrics).contains("server=\"broken\"");
        assertNoSecret("/metrics", metrics);
        assertNoSecret("the gateway's log", gateway.stderr());

        Path file = shared.resolve("secrets.yaml");
        for (String command : List.of("check-config", "servers")) {
            Exec.Result r = GatewayProcess.run(shared, sharedEnv(), WAIT, command, "--config", file.toString());
            assertThat(r.exitCode()).as(r.describe()).isZero();
            assertNoSecret("mcp-pool " + command, r.stdout() + r.stderr());
        }
    }

    private static void assertNoSecret(String surface, String text) {
        for (String secret : ARGUMENT_SECRETS) {
            int at = text.indexOf(secret);
            assertThat(at).as("%s shows '%s' here: ...%s...", surface, secret,
                    at < 0 ? "" : text.substring(Math.max(0, at - 80), Math.min(text.length(), at + 40))).isNegative();
        }
    }

    // ------------------------------------------------------------------ finding: internals reach ordinary clients

    /**
     * Before: a crashed server's command line (with a prefix of a password), its pid and its stderr went to the
     * client in the error message; non-object {@code arguments} came back as -32603 {@code transport_failure}
     * naming Java classes.
     */
    @Test
    void errorsToClientsCarryAStableMessageAndAnErrorTypeOnly() {
        GatewayClient client = new GatewayClient(gateway.mcpUri(), OPS_KEY);
        client.initialize();

        JsonNode crash = client.call("db__crash", Map.of()).path("error");
        assertThat(crash.isMissingNode()).as("db__crash answers an error").isFalse();
        assertThat(crash.path("message").asText()).as("the message of a call whose server crashed: %s", crash)
                .doesNotContain("sh -c", "mysql", "TestkitServer", "pid", "exited", "stderr", "crash requested",
                        "java", "Exception");
        assertThat(crash.path("code").asInt()).isEqualTo(-32603);
        assertThat(crash.at("/data/errorType").asText()).isEqualTo("transport_failure");
        assertThat(crash.at("/data/server").asText()).isEqualTo("db");

        for (JsonNode arguments : List.of(Json.mapper().getNodeFactory().textNode("not an object"),
                Json.mapper().createArrayNode().add(1).add(2))) {
            com.fasterxml.jackson.databind.node.ObjectNode params = Json.object().put("name", "db__echo");
            params.set("arguments", arguments);
            JsonNode error = client.request("tools/call", params).path("error");
            assertThat(error.path("code").asInt()).as("tools/call with arguments %s: %s", arguments, error)
                    .isEqualTo(-32602);
            assertThat(error.path("message").asText()).as("its message")
                    .doesNotContain("java", "LinkedHashMap", "Cannot", "`", "Exception");
        }
    }

    /**
     * Before: a request that ran the gateway out of memory (a 2025-03-26 batch whose answer is hundreds of MB) got
     * Jetty's 500 page with {@code java.lang.OutOfMemoryError: Java heap space} in it.
     */
    @Test
    void noHttpErrorBodyNamesAJavaErrorEvenWhenTheGatewayRunsOutOfMemory() throws IOException {
        Map<String, String> env = environment(dir);
        env.put("JAVA_TOOL_OPTIONS", "-Xmx96m");
        Path file = write(dir, "small.yaml", "servers:\n" + testkit("testkit") + "gateway:\n  maxBodySize: 64MB\n");
        try (GatewayProcess g = GatewayProcess.serve(dir, env, "--config", file.toString())) {
            GatewayClient client = new GatewayClient(g.mcpUri(), null);
            client.initialize("2025-03-26");
            String batch = IntStream.range(0, 40_000)
                    .mapToObj(i -> "{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"tools/list\"}")
                    .collect(Collectors.joining(",", "[", "]"));
            GatewayClient.Answer a;
            try {
                a = client.postBytes(batch.getBytes(StandardCharsets.UTF_8), Map.of())
                        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("the batch got no HTTP answer: " + e + "\n" + g.stderr(), e);
            }
            String shown = a.body().length() > 400 ? a.body().substring(0, 400) + "..." : a.body();
            assertThat(a.body()).as("HTTP %s answer to a 40,000-request batch: %s", a.status(), shown)
                    .doesNotContain("OutOfMemoryError", "java.", "Exception", "org.eclipse");
        }
    }

    // ------------------------------------------------------------------ review: HTTP upstreams

    /** The upstream gets the header configured for it; nothing of the client's credentials (this held before). */
    @Test
    void anHttpUpstreamGetsItsConfiguredHeadersAndNoClientCredential() {
        GatewayClient client = new GatewayClient(gateway.mcpUri(), OPS_KEY);
        client.initialize();
        JsonNode result = client.call("upstream__stats", Map.of()).path("result");
        JsonNode headers = result.at("/structuredContent/thisCall/headers");
        assertThat(headers.isObject()).as("the upstream's stats: %s", result).isTrue();
        assertThat(headers.path("x-upstream-key").asText()).isEqualTo(UPSTREAM_KEY);
        assertThat(headers.has("authorization")).as("headers the upstream got: %s", headers).isFalse();
        assertThat(headers.toString()).doesNotContain(OPS_KEY);
    }

    // ------------------------------------------------------------------ helpers

    /** The whole environment of a gateway: a PATH with the shell and node, HOME a temp folder. */
    private static Map<String, String> environment(Path home) {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", "/usr/bin:/bin");
        env.put("HOME", home.toString());
        return env;
    }

    /** A testkit stdio server on the gateway's own java and classpath, as YAML under {@code servers:}. */
    private static String testkit(String name) {
        return """
                  %s:
                    command: ${MCP_POOL_JAVA}
                    args: [-XX:+UseSerialGC, -XX:TieredStopAtLevel=1, -Xshare:auto, -XX:-UsePerfData,
                           -cp, "${MCP_POOL_CLASSPATH}", io.mcppool.testkit.TestkitServer]
                    pool: { minSessions: 1, maxSessions: 1 }
                """.formatted(name);
    }

    /** Writes {@code name} in {@code dir} whole (by rename), so a reload never reads half of it. */
    private static Path write(Path dir, String name, String text) {
        try {
            Path tmp = Files.createTempFile(dir, name, ".tmp");
            Files.writeString(tmp, text);
            return Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The environment a stdio server's {@code get-env} tool reports, called by the client with {@code key}. */
    private static Map<String, String> childEnvironment(GatewayProcess g, String key, String tool) {
        GatewayClient client = new GatewayClient(g.mcpUri(), key);
        client.initialize();
        JsonNode response = client.call(tool, Map.of());
        JsonNode text = response.at("/result/content/0/text");
        assertThat(text.isTextual()).as("%s answered %s\n%s", tool, response, g.stderr()).isTrue();
        JsonNode tree = json(text.asText());
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    private static void hangUp(GatewayProcess g) {
        try {
            Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(g.pid())).inheritIO().start();
            assertThat(kill.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(kill.exitValue()).isZero();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static int initializeStatus(GatewayProcess g, String key) {
        String body = """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",\
                "capabilities":{},"clientInfo":{"name":"secrets-abuse","version":"1"}}}""";
        HttpRequest r = HttpRequest.newBuilder(g.mcpUri()).timeout(WAIT)
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return send(r).statusCode();
    }

    private static JsonNode status(URI base) {
        HttpResponse<String> r = get(base.resolve("/api/status"), OPS_KEY);
        assertThat(r.statusCode()).as("/api/status: %s", r.body()).isEqualTo(200);
        return json(r.body());
    }

    /** {@code gateway.lastReloadError} of a status report, or null. */
    private static String reloadError(JsonNode status) {
        JsonNode e = status.at("/gateway/lastReloadError");
        return e.isTextual() ? e.asText() : null;
    }

    private static List<String> serverNames(JsonNode status) {
        List<String> names = new ArrayList<>();
        status.path("servers").forEach(s -> names.add(s.path("name").asText()));
        return names;
    }

    private static HttpResponse<String> get(URI uri, String key) {
        return send(HttpRequest.newBuilder(uri).timeout(WAIT).header("Authorization", "Bearer " + key).GET().build());
    }

    private static HttpResponse<String> send(HttpRequest r) {
        try {
            return HTTP.send(r, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
