package io.mcppool.gateway.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.McpPool;
import io.mcppool.call.UnknownToolException;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.RateLimit;
import io.mcppool.config.ServerConfig;
import io.mcppool.gateway.auth.AccessPolicy;
import io.mcppool.gateway.auth.AuthResult;
import io.mcppool.gateway.auth.Authenticator;
import io.mcppool.gateway.auth.Authenticators;
import io.mcppool.gateway.auth.ClientIdentity;
import io.mcppool.metrics.McpPoolMetrics;
import io.mcppool.protocol.Json;
import io.mcppool.testkit.TestkitCommand;
import io.mcppool.testkit.TestkitHttpServer;
import io.mcppool.testkit.TestkitOptions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operations endpoints on a real Jetty server, over a real pool of testkit servers: one HTTP server marked
 * required, one stdio server, and one HTTP server whose name is markup (for the escaping checks).
 */
class OpsHandlerTest {
    /** A server name that would run script if the page did not escape it. */
    static final String EVIL_SERVER = "<script>document.body.setAttribute('data-pwned','server')</script>";
    /** A tool name a client made up: it ends in the recent errors, so it must be escaped there too. */
    static final String EVIL_TOOL = "<img src=x onerror=\"document.body.setAttribute('data-pwned','tool')\">";

    static TestkitHttpServer alphaHttp;
    static TestkitHttpServer evilHttp;
    static McpPool pool;
    static RecentErrors errors;
    static PrometheusMeterRegistry registry;
    static McpPoolMetrics metrics;
    static TestGateway gateway;
    static OpsServer ops;
    static OpsServer guarded;

    @BeforeAll
    static void start() throws Exception {
        alphaHttp = TestkitHttpServer.start(TestkitOptions.defaults());
        evilHttp = TestkitHttpServer.start(TestkitOptions.defaults());
        errors = new RecentErrors(20);
        List<String> cmd = TestkitCommand.stdio();
        pool = McpPool.builder()
                .server(ServerConfig.builder("alpha", new EndpointConfig.Http(alphaHttp.uri())).required(true).build())
                .server(ServerConfig.builder("beta", new EndpointConfig.Stdio(cmd.get(0), cmd.subList(1, cmd.size())))
                        .build())
                .server(ServerConfig.builder(EVIL_SERVER, new EndpointConfig.Http(evilHttp.uri())).build())
                .eventListener(errors)
                .build();
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        metrics = McpPoolMetrics.builder().settings(pool.config().metrics()).bind(pool, registry);
        gateway = new TestGateway(pool);
        ops = new OpsServer(gateway, registry, errors, null);
        guarded = new OpsServer(gateway, registry, errors, OpsHandlerTest::authenticate);

        for (int i = 0; i < 3; i++) {
            pool.callTool("alpha", "echo", Map.of("message", "m" + i));
        }
        pool.callTool("beta", "echo", Map.of("message", "hi"));
        pool.callTool(EVIL_SERVER, "echo", Map.of("message", "hi"));
        assertThat(pool.callTool("alpha", "fail", Map.of("message", "x")).failed()).isTrue();
        assertThatThrownBy(() -> pool.callTool("beta", EVIL_TOOL, Map.of())).isInstanceOf(UnknownToolException.class);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {guarded, ops, metrics, pool, alphaHttp, evilHttp}) {
            if (c != null) {
                c.close();
            }
        }
    }

    /**
     * "Bearer op" is an operator, "Bearer all" may use every tool but is no operator, "Bearer ci" only alpha's tools;
     * anything else is refused.
     */
    static AuthResult authenticate(Optional<String> header) {
        return switch (header.orElse("")) {
            case "Bearer op" -> new AuthResult.Allowed(new ClientIdentity("op",
                    AccessPolicy.of(List.of("*", Authenticators.OPERATOR_SCOPE)), RateLimit.NONE, false));
            case "Bearer all" -> new AuthResult.Allowed(
                    new ClientIdentity("all", AccessPolicy.of(List.of("*")), RateLimit.NONE, false));
            case "Bearer ci" -> new AuthResult.Allowed(
                    new ClientIdentity("ci", AccessPolicy.of(List.of("alpha__*")), RateLimit.NONE, false));
            default -> new AuthResult.Denied(401, "Bearer realm=\"mcp-pool\"", "missing or unknown credentials");
        };
    }

    @Test
    void healthzAnswersOkToGetAndHead() throws Exception {
        HttpResponse<String> get = ops.get("/healthz");
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).isEqualTo("ok\n");
        assertThat(get.headers().firstValue("Cache-Control")).hasValue("no-store");

        HttpResponse<String> head = ops.send(HttpRequest.newBuilder(ops.uri("/healthz"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void readyzIsReadyWhileTheRequiredServerServesAndUnreadyWhileDraining() throws Exception {
        HttpResponse<String> ready = ops.get("/readyz");
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(Json.mapper().readTree(ready.body()).path("ready").asBoolean()).isTrue();

        gateway.draining = true;
        try {
            HttpResponse<String> draining = ops.get("/readyz");
            assertThat(draining.statusCode()).isEqualTo(503);
            JsonNode body = Json.mapper().readTree(draining.body());
            assertThat(body.path("ready").asBoolean()).isFalse();
            assertThat(body.path("draining").asBoolean()).isTrue();
            assertThat(body.path("notReady").get(0).path("server").asText()).isEqualTo("gateway");
        } finally {
            gateway.draining = false;
        }
        assertThat(ops.get("/readyz").statusCode()).isEqualTo(200);
    }

    @Test
    void metricsArePrometheusTextThatPassesPromtool() throws Exception {
        HttpResponse<String> r = ops.get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue(OpsHandler.PROMETHEUS_TEXT);
        assertThat(r.body()).contains("# TYPE mcp_client_operation_duration_seconds summary\n")
                .contains("mcp_client_operation_duration_seconds_count{error_type=\"none\",gen_ai_tool_name=\"echo\","
                        + "mcp_method_name=\"tools/call\",outcome=\"success\",server=\"alpha\"} 3")
                .contains("mcp_pool_sessions{");
        Promtool.Result check = Promtool.check(r.body());
        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).as("promtool lint findings").isBlank();
    }

    @Test
    void metricsAreOpenMetricsWhenTheScraperAsks() throws Exception {
        // What Prometheus itself sends.
        HttpResponse<String> r = ops.get("/metrics", "Accept", "application/openmetrics-text;version=1.0.0,"
                + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue(OpsHandler.OPENMETRICS_TEXT);
        assertThat(r.body()).endsWith("# EOF\n").contains("# TYPE mcp_pool_sessions_opened counter\n");
    }

    @Test
    void statusJsonHasEveryServerTheGatewayAndTheRecentErrors() throws Exception {
        gateway.clientSessions = 7;
        gateway.lastReloadError = "servers.x.url: not a URL";
        gateway.clashes = Map.of("alpha__echo", List.of("alpha", "alpha2"));
        try {
            HttpResponse<String> r = ops.get("/api/status");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
            JsonNode status = Json.mapper().readTree(r.body());

            List<String> names = new ArrayList<>();
            for (JsonNode s : status.path("servers")) {
                names.add(s.path("name").asText());
                assertThat(s.path("state").asText()).isIn("healthy", "degraded", "unhealthy");
                assertThat(s.path("endpoints")).hasSize(1);
                assertThat(s.path("endpoints").get(0).path("breaker").asText()).isEqualTo("closed");
            }
            assertThat(names).containsExactly("alpha", "beta", EVIL_SERVER);
            JsonNode alpha = status.path("servers").get(0);
            assertThat(alpha.path("required").asBoolean()).isTrue();
            assertThat(alpha.path("transport").asText()).isEqualTo("http");
            assertThat(alpha.path("calls").asLong()).isEqualTo(4);
            assertThat(alpha.path("toolErrors").asLong()).isEqualTo(1);
            assertThat(alpha.path("latency").path("p99Ms").asDouble()).isPositive();
            assertThat(status.path("servers").get(1).path("transport").asText()).isEqualTo("stdio");
            assertThat(status.path("servers").get(1).path("required").asBoolean()).isFalse();

            assertThat(status.path("snapshot").path("servers")).hasSize(3);
            assertThat(status.path("health").path("servers")).hasSize(3);
            assertThat(status.path("readiness").path("ready").asBoolean()).isTrue();
            JsonNode g = status.path("gateway");
            assertThat(g.path("clientSessions").asInt()).isEqualTo(7);
            assertThat(g.path("configSource").asText()).isEqualTo("test");
            assertThat(g.path("lastReloadError").asText()).isEqualTo("servers.x.url: not a URL");
            assertThat(g.path("clashes").path("alpha__echo").get(1).asText()).isEqualTo("alpha2");
            assertThat(g.path("startedAt").asText()).isNotEmpty();
            JsonNode cache = status.path("cache");
            assertThat(cache.has("available")).isTrue();
            if (!cache.path("available").asBoolean()) {
                assertThat(cache.path("reason").asText()).isNotEmpty();
            }

            JsonNode unknownTool = null;
            for (JsonNode e : status.path("recentErrors")) {
                if (EVIL_TOOL.equals(e.path("tool").asText())) {
                    unknownTool = e;
                }
            }
            assertThat(unknownTool).as("the unknown tool call in %s", status.path("recentErrors")).isNotNull();
            assertThat(unknownTool.path("server").asText()).isEqualTo("beta");
            assertThat(unknownTool.path("type").asText()).isEqualTo("invalid_request");
            assertThat(status.path("errorsTotal").asLong()).isGreaterThanOrEqualTo(1);
        } finally {
            gateway.clientSessions = 0;
            gateway.lastReloadError = null;
            gateway.clashes = Map.of();
        }
    }

    @Test
    void statusPageShowsEveryServerWithHooksAndEscapesWhatItShows() throws Exception {
        gateway.lastReloadError = "<b>bad</b> reload";
        try {
            HttpResponse<String> r = ops.get("/");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
            assertThat(r.headers().firstValue("Content-Security-Policy").orElse(""))
                    .contains("script-src 'sha256-").doesNotContain("unsafe-eval");
            String html = r.body();
            Path kept = Path.of("target", "ops", "status.html");
            Files.createDirectories(kept.getParent());
            Files.writeString(kept, html); // for whoever reads a failure
            for (String name : List.of("alpha", "beta")) {
                assertThat(html).containsPattern("<section class=\"server\" data-server=\"" + name
                        + "\" data-state=\"(healthy|degraded|unhealthy)\" data-required=\"" + name.equals("alpha") + "\"");
            }
            assertThat(html).contains("data-server=\"" + StatusPage.esc(EVIL_SERVER) + "\"")
                    .contains("&lt;script&gt;document.body.setAttribute(&#39;data-pwned&#39;")
                    .contains(StatusPage.esc(EVIL_TOOL))
                    .contains("&lt;b&gt;bad&lt;/b&gt; reload")
                    .doesNotContain(EVIL_SERVER)
                    .doesNotContain(EVIL_TOOL)
                    .doesNotContain("<b>bad</b>");
            // The page's own script is the only one, and it is the one the policy allows.
            assertThat(html.split("<script", -1)).hasSize(2);
            assertThat(html).contains("<script>" + StatusPage.SCRIPT + "</script>")
                    .contains("<noscript><meta http-equiv=\"refresh\" content=\"5\"></noscript>")
                    .contains("invalid_request");
        } finally {
            gateway.lastReloadError = null;
        }
    }

    @Test
    void cacheClearNeedsPostAKnownServerAndTheSameOrigin() throws Exception {
        HttpResponse<String> get = ops.get("/api/cache/clear");
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).hasValue("POST");

        HttpResponse<String> unknown = post("/api/cache/clear?server=nope");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(Json.mapper().readTree(unknown.body()).path("error").asText()).contains("nope").contains("alpha");

        assertThat(post("/api/cache/clear?tool=echo").statusCode()).isEqualTo(400);
        assertThat(post("/api/cache/clear?server=alpha", "Origin", "https://evil.example").statusCode()).isEqualTo(403);

        HttpResponse<String> known = post("/api/cache/clear?server=alpha&tool=echo");
        JsonNode body = Json.mapper().readTree(known.body());
        boolean cacheBuilt;
        try {
            pool.resultCache();
            cacheBuilt = true;
        } catch (UnsupportedOperationException e) {
            cacheBuilt = false;
        }
        if (cacheBuilt) {
            assertThat(known.statusCode()).isEqualTo(200);
            assertThat(body.path("cleared").asText()).isEqualTo("tool");
            assertThat(body.path("tool").asText()).isEqualTo("echo");
        } else {
            assertThat(known.statusCode()).isEqualTo(501);
            assertThat(body.path("error").asText()).isNotEmpty();
        }
    }

    @Test
    void otherPathsGoToTheNextHandlerAndWrongMethodsAreRefused() throws Exception {
        assertThat(ops.get("/mcp").statusCode()).isEqualTo(OpsServer.NEXT_STATUS);
        assertThat(ops.get("/metrics/x").statusCode()).isEqualTo(OpsServer.NEXT_STATUS);
        HttpResponse<String> post = post("/metrics");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
    }

    @Test
    void probesAreOpenAndTheRestNeedsAnOperatorWhenAuthIsOn() throws Exception {
        assertThat(guarded.get("/healthz").statusCode()).isEqualTo(200);
        assertThat(guarded.get("/readyz").statusCode()).isEqualTo(200);
        for (String path : List.of("/metrics", "/api/status", "/")) {
            HttpResponse<String> none = guarded.get(path);
            assertThat(none.statusCode()).as(path).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).as(path).hasValue("Bearer realm=\"mcp-pool\"");
            HttpResponse<String> limited = guarded.get(path, "Authorization", "Bearer ci");
            assertThat(limited.statusCode()).as(path).isEqualTo(403);
            assertThat(limited.body()).contains("ci");
            HttpResponse<String> everyTool = guarded.get(path, "Authorization", "Bearer all");
            assertThat(everyTool.statusCode()).as("%s: every tool is not the operator scope", path).isEqualTo(403);
            assertThat(everyTool.body()).contains(Authenticators.OPERATOR_SCOPE);
            assertThat(guarded.get(path, "Authorization", "Bearer op").statusCode()).as(path).isEqualTo(200);
        }
        HttpResponse<String> clear = guarded.send(HttpRequest.newBuilder(guarded.uri("/api/cache/clear?server=nope"))
                .POST(HttpRequest.BodyPublishers.noBody()), "Authorization", "Bearer ci");
        assertThat(clear.statusCode()).isEqualTo(403);
    }

    @Test
    void anOperatorIsAnonymousOrHasTheOperatorScope() {
        assertThat(Authenticators.isOperator(new ClientIdentity("a", AccessPolicy.of(List.of("x")), RateLimit.NONE,
                true))).isTrue();
        assertThat(Authenticators.isOperator(new ClientIdentity("b", AccessPolicy.of(List.of("alpha__*",
                Authenticators.OPERATOR_SCOPE)), RateLimit.NONE, false))).isTrue();
        assertThat(Authenticators.isOperator(new ClientIdentity("c", AccessPolicy.of(List.of("*")), RateLimit.NONE,
                false))).as("every tool does not make an operator").isFalse();
        assertThat(Authenticators.isOperator(new ClientIdentity("d", AccessPolicy.of(List.of("mcp-pool:*")),
                RateLimit.NONE, false))).as("the scope is an entry, not a pattern").isFalse();
        assertThat(OpsHandler.wantsOpenMetrics(null)).isFalse();
        assertThat(OpsHandler.wantsOpenMetrics("text/plain;version=0.0.4")).isFalse();
        assertThat(OpsHandler.wantsOpenMetrics("Application/OpenMetrics-Text; version=1.0.0")).isTrue();
    }

    private static HttpResponse<String> post(String path, String... headers) throws Exception {
        return ops.send(HttpRequest.newBuilder(ops.uri(path)).POST(HttpRequest.BodyPublishers.noBody()), headers);
    }
}
