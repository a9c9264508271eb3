package io.mcppool.it.gateway.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.protocol.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The gateway as the README starts it ({@code mcp-pool serve}: the runnable jar, no {@code --config}, so the
 * built-in config whose {@code testkit} server runs from the jar), driven by the real {@code curl} through
 * one whole MCP session. The process gets a PATH with nothing on it: the built-in config needs a JDK only,
 * no Node.
 *
 * <p>{@code ./mcp-pool serve} execs exactly {@code java -jar mcp-pool-gateway/target/mcp-pool.jar serve}; the
 * test runs the jar directly because the launcher rebuilds (with {@code mvn install}) when sources are newer.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CurlTest {
    @TempDir
    static Path dir;
    static GatewayProcess gateway;
    static Curl curl;

    @BeforeAll
    static void startTheReadmeCommand() throws IOException {
        Path emptyBin = Files.createDirectories(dir.resolve("empty-bin"));
        // The whole environment: no PATH entry holds node (or anything else), HOME is a temp folder.
        gateway = GatewayProcess.serve(dir, Map.of("PATH", emptyBin.toString(), "HOME", dir.toString()));
        curl = new Curl(dir, gateway.mcpUri());
    }

    @AfterAll
    static void stopWithSigterm() {
        if (gateway != null) {
            List<String> left = gateway.stop();
            assertThat(left).as("processes alive 30 s after SIGTERM to the gateway\n%s", gateway.stderr()).isEmpty();
        }
    }

    @Test
    void readmeCommandServesTheBuiltInConfigOnLoopbackWithoutNode() {
        assertThat(gateway.mcpUri().getHost()).isEqualTo("127.0.0.1");
        assertThat(gateway.mcpUri().getPath()).isEqualTo("/mcp");
        assertThat(gateway.stdout()).anySatisfy(line -> assertThat(line)
                .startsWith("mcp-pool gateway: " + gateway.mcpUri())
                .contains("1 server")
                .contains("config classpath:io/mcppool/gateway/default-config.yaml"));
        assertThat(gateway.stderr().lines().filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")).toList())
                .as("warnings and errors logged while starting on the built-in config").isEmpty();
        List<String> children = gateway.children().stream()
                .map(h -> h.info().commandLine().orElse("?")).toList();
        assertThat(children).as("processes the gateway started").isNotEmpty()
                .allSatisfy(cmd -> assertThat(cmd).doesNotContainIgnoringCase("node"))
                .anySatisfy(cmd -> assertThat(cmd).contains("io.mcppool.testkit.TestkitServer"));

        String session = initialize();
        Curl.Response call = curl.post(session, """
                {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"testkit__add","arguments":{"a":2,"b":40}}}""");
        assertThat(call.status()).as(call.raw().describe()).isEqualTo(200);
        assertThat(json(call.body()).at("/result/structuredContent/sum").asDouble()).isEqualTo(42.0);
        assertThat(curl.delete(session).status()).isEqualTo(200);
    }

    @Test
    void oneSessionFromInitializeToDelete() {
        String session = initialize();

        Curl.Response list = curl.post(session, """
                {"jsonrpc":"2.0","id":2,"method":"tools/list"}""");
        assertThat(list.status()).as(list.raw().describe()).isEqualTo(200);
        assertThat(list.header("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        List<String> names = new ArrayList<>();
        json(list.body()).at("/result/tools").forEach(t -> names.add(t.path("name").asText()));
        assertThat(names).contains("testkit__echo", "testkit__add", "testkit__sleep", "testkit__stats")
                .allSatisfy(n -> assertThat(n).startsWith("testkit__"));

        Curl.Response echo = curl.post(session, """
                {"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"testkit__echo","arguments":{"message":"hi from curl"}}}""");
        assertThat(echo.status()).as(echo.raw().describe()).isEqualTo(200);
        JsonNode echoed = json(echo.body());
        assertThat(echoed.path("id").asInt()).isEqualTo(3);
        assertThat(echoed.at("/result/content/0/text").asText()).isEqualTo("hi from curl");
        assertThat(echoed.at("/result/isError").asBoolean(false)).isFalse();

        // A progress token turns the answer into an SSE stream: the progress first, then the result.
        Curl.Response slept = curl.post(session, """
                {"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"testkit__sleep","arguments":{"ms":300,"steps":3},"_meta":{"progressToken":"curl-1"}}}""");
        assertThat(slept.status()).as(slept.raw().describe()).isEqualTo(200);
        assertThat(slept.header("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        List<JsonNode> events = Curl.sseData(slept.body()).stream().map(CurlTest::json).toList();
        assertThat(events).as(slept.body()).hasSize(4);
        for (int i = 0; i < 3; i++) {
            JsonNode p = events.get(i);
            assertThat(p.path("method").asText()).isEqualTo("notifications/progress");
            assertThat(p.at("/params/progressToken").asText()).isEqualTo("curl-1");
            assertThat(p.at("/params/progress").asDouble()).isEqualTo(i + 1.0);
            assertThat(p.at("/params/total").asDouble()).isEqualTo(3.0);
        }
        assertThat(events.get(3).path("id").asInt()).isEqualTo(4);
        assertThat(events.get(3).at("/result/content/0/text").asText()).isEqualTo("slept 300ms");

        Curl.Response deleted = curl.delete(session);
        assertThat(deleted.status()).as(deleted.raw().describe()).isEqualTo(200);

        Curl.Response after = curl.post(session, """
                {"jsonrpc":"2.0","id":5,"method":"tools/list"}""");
        assertThat(after.status()).as(after.raw().describe()).isEqualTo(404);
        assertThat(json(after.body()).at("/error/code").asInt()).isEqualTo(-32001);
        assertThat(curl.delete(session).status()).as("DELETE of an ended session").isEqualTo(404);
    }

    /** initialize, then notifications/initialized (202); returns the session id. */
    private static String initialize() {
        Curl.Response init = curl.post(null, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"%s","capabilities":{},\
                "clientInfo":{"name":"curl","version":"1"}}}""".formatted(Curl.PROTOCOL_VERSION));
        assertThat(init.status()).as(init.raw().describe()).isEqualTo(200);
        JsonNode result = json(init.body()).path("result");
        assertThat(result.path("protocolVersion").asText()).isEqualTo(Curl.PROTOCOL_VERSION);
        assertThat(result.at("/serverInfo/name").asText()).isEqualTo("mcp-pool");
        assertThat(result.at("/capabilities/tools").isObject()).isTrue();
        String session = init.header("Mcp-Session-Id").orElseThrow(() -> new AssertionError(
                "initialize answered without Mcp-Session-Id\n" + init.raw().describe()));
        assertThat(session).matches("[\\x21-\\x7E]+"); // visible ASCII only, as the spec requires

        Curl.Response initialized = curl.post(session, """
                {"jsonrpc":"2.0","method":"notifications/initialized"}""");
        assertThat(initialized.status()).as(initialized.raw().describe()).isEqualTo(202);
        assertThat(initialized.body()).isEmpty();
        return session;
    }

    static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
