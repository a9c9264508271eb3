package io.mcppool.it.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.gateway.Gateway;
import io.mcppool.testkit.TestkitHttpServer;
import io.mcppool.testkit.TestkitOptions;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5, acceptance 6, end to end through {@link Gateway}: {@code /metrics} passes {@code promtool check
 * metrics}; {@code /readyz} follows a required server whose only endpoint goes down and comes back; headless
 * Chromium finds every configured server and its state on the status page. {@code promtool} and {@code chromium}
 * are Debian's; a machine without them fails these tests, since they are acceptance criteria.
 */
class GatewayOpsTest {
    static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final String QUICK_HEALTH = "health: { interval: 100ms, timeout: 1s, unhealthyAfter: 1, healthyAfter: 1 }";
    static final Pattern SERVER_SECTION = Pattern.compile("<section class=\"server\"([^>]*)>");
    static final Pattern ATTRIBUTE = Pattern.compile("([\\w-]+)=\"([^\"]*)\"");

    @TempDir
    Path dir;

    @Test
    void metricsPassPromtoolCheck() throws Exception {
        try (TestkitHttpServer up = TestkitHttpServer.start(TestkitOptions.defaults());
             Gateway gateway = GatewayFiles.start(dir, """
                     servers:
                       m: { url: "%s" }
                     gateway: { port: 0, watchConfig: false }
                     """.formatted(up.url()))) {
            GatewayClient c = new GatewayClient(gateway.mcpUri(), null);
            c.initialize();
            c.call("m__echo", Map.of("message", "hi"));
            c.call("m__fail", Map.of("message", "on purpose"));
            c.call("m__no_such_tool", Map.of());

            HttpResponse<String> metrics = get(gateway.baseUri().resolve("/metrics"));
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
            String text = metrics.body();
            assertThat(text).contains("mcp_client_operation_duration_seconds_count{")
                    .containsPattern("mcp_client_operation_duration_seconds_count\\{[^}]*outcome=\"tool_error\"")
                    .contains("mcp_pool_sessions{");
            Files.writeString(dir.resolve("metrics.txt"), text);

            Process p = new ProcessBuilder(requireExecutable(PROMTOOL).toString(), "check", "metrics")
                    .redirectErrorStream(true).start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(text.getBytes(StandardCharsets.UTF_8));
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("promtool check metrics did not finish within 30 s");
            }
            assertThat(p.exitValue()).as("promtool check metrics:\n%s", out).isZero();
        }
    }

    @Test
    void readyzFollowsARequiredServersOnlyEndpoint() throws Exception {
        try (TestkitHttpServer required = TestkitHttpServer.start(TestkitOptions.defaults());
             TestkitHttpServer optional = TestkitHttpServer.start(TestkitOptions.defaults());
             Gateway gateway = GatewayFiles.start(dir, """
                     servers:
                       needed: { url: "%s", required: true, %s }
                       extra: { url: "%s", %s }
                     gateway: { port: 0, watchConfig: false }
                     """.formatted(required.url(), QUICK_HEALTH, optional.url(), QUICK_HEALTH))) {
            URI readyz = gateway.baseUri().resolve("/readyz");
            await().atMost(Duration.ofSeconds(20)).until(() -> get(readyz).statusCode() == 200);

            // A server that is not required does not matter.
            optional.stop();
            await().atMost(Duration.ofSeconds(20)).until(() -> unhealthy(gateway, "extra"));
            assertThat(get(readyz).statusCode()).isEqualTo(200);

            required.stop();
            await().atMost(Duration.ofSeconds(20)).until(() -> get(readyz).statusCode() == 503);
            JsonNode body = GatewayClient.parse(get(readyz).body());
            assertThat(body.path("ready").asBoolean()).isFalse();
            assertThat(body.path("notReady").get(0).path("server").asText()).isEqualTo("needed");
            assertThat(get(gateway.baseUri().resolve("/healthz")).statusCode()).as("alive all along").isEqualTo(200);

            required.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> get(readyz).statusCode() == 200);
            GatewayClient c = new GatewayClient(gateway.mcpUri(), null);
            c.initialize();
            assertThat(c.call("needed__echo", Map.of("message", "back")).path("result").path("content").path(0)
                    .path("text").asText()).isEqualTo("back");
        }
    }

    @Test
    void chromiumFindsEveryServerAndItsStateOnTheStatusPage() throws Exception {
        requireExecutable(CHROMIUM);
        try (TestkitHttpServer alpha = TestkitHttpServer.start(TestkitOptions.defaults());
             TestkitHttpServer down = TestkitHttpServer.start(TestkitOptions.defaults());
             Gateway gateway = GatewayFiles.start(dir, """
                     servers:
                       alpha: { url: "%s", required: true, %s }
                       beta: %s
                       down: { url: "%s", %s }
                     gateway: { port: 0, watchConfig: false }
                     """.formatted(alpha.url(), QUICK_HEALTH, GatewayFiles.stdioTestkit(QUICK_HEALTH), down.url(),
                     QUICK_HEALTH))) {
            URI status = gateway.baseUri().resolve("/api/status");
            await().atMost(Duration.ofSeconds(30)).until(() -> "healthy".equals(state(status, "beta")));
            down.stop();
            await().atMost(Duration.ofSeconds(20)).until(() -> "unhealthy".equals(state(status, "down")));

            String dom = dumpDom(gateway.baseUri());
            Files.createDirectories(Path.of("target", "gateway-it"));
            Files.writeString(Path.of("target", "gateway-it", "status-page-dom.html"), dom);

            JsonNode report = GatewayClient.parse(get(status).body());
            Map<String, Map<String, String>> sections = serverSections(dom);
            assertThat(sections.keySet()).containsExactly("alpha", "beta", "down");
            for (JsonNode s : report.path("servers")) {
                String name = s.path("name").asText();
                assertThat(sections.get(name).get("data-state")).as(name).isEqualTo(s.path("state").asText());
            }
            assertThat(sections.get("alpha")).containsEntry("data-state", "healthy").containsEntry("data-required", "true");
            assertThat(sections.get("beta")).containsEntry("data-state", "healthy");
            assertThat(sections.get("down")).containsEntry("data-state", "unhealthy");
            assertThat(dom).contains("<h2>down <span class=\"state unhealthy\">unhealthy</span>");
        }
    }

    // ------------------------------------------------------------------ helpers

    private static boolean unhealthy(Gateway gateway, String server) {
        return gateway.pool().endpoints(server).stream().noneMatch(e -> e.available());
    }

    private static String state(URI status, String server) throws Exception {
        for (JsonNode s : GatewayClient.parse(get(status).body()).path("servers")) {
            if (server.equals(s.path("name").asText())) {
                return s.path("state").asText();
            }
        }
        return null;
    }

    static HttpResponse<String> get(URI uri) throws Exception {
        return GatewayClient.HTTP.send(HttpRequest.newBuilder(uri).timeout(GatewayClient.TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Path requireExecutable(Path tool) {
        if (!Files.isExecutable(tool)) {
            fail(tool + " is not installed (Debian: prometheus for promtool, chromium)");
        }
        return tool;
    }

    /** The DOM of {@code url} after load, from headless Chromium in a profile of its own, killed after 90 s. */
    private String dumpDom(URI url) throws Exception {
        Path out = dir.resolve("dom.html");
        Path err = dir.resolve("chromium.err");
        Process p = new ProcessBuilder(CHROMIUM.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--disable-extensions", "--user-data-dir=" + dir.resolve("chromium-profile"),
                "--dump-dom", url.toString())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                fail("chromium did not finish within 90 s; stderr:\n" + Files.readString(err));
            }
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        String dom = Files.readString(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0 || dom.isBlank()) {
            fail("chromium exited with " + p.exitValue() + "; stderr:\n" + Files.readString(err));
        }
        return dom;
    }

    /** Each {@code <section class="server">}'s attributes, by its {@code data-server}, in page order. */
    private static Map<String, Map<String, String>> serverSections(String dom) {
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        Matcher m = SERVER_SECTION.matcher(dom);
        while (m.find()) {
            Map<String, String> attributes = new LinkedHashMap<>();
            Matcher a = ATTRIBUTE.matcher(m.group(1));
            while (a.find()) {
                attributes.put(a.group(1), a.group(2).replace("&quot;", "\"").replace("&amp;", "&"));
            }
            sections.put(attributes.get("data-server"), attributes);
        }
        return sections;
    }
}
