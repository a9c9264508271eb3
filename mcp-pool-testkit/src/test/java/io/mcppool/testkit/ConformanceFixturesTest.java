package io.mcppool.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.protocol.Json;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The conformance suite's fixtures ({@code --conformance}), over a real stdio process and over Streamable
 * HTTP: the names, contents and behaviour the suite's scenarios check, and the server-to-client round trips
 * (sampling, elicitation) on both transports. {@link ConformanceSuiteTest} runs the suite itself.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConformanceFixturesTest {
    static final List<String> TOOLS = List.of("test_simple_text", "test_image_content", "test_audio_content",
            "test_embedded_resource", "test_multiple_content_types", "test_tool_with_logging",
            "test_tool_with_progress", "test_error_handling", "test_sampling", "test_elicitation",
            "test_elicitation_sep1034_defaults", "test_elicitation_sep1330_enums", "json_schema_2020_12_tool");

    /** initialize as the suite's client does: sampling and elicitation declared. */
    private static JsonNode initialize(StdioPeer peer, boolean withClientCapabilities) throws Exception {
        ObjectNode params = Wire.initializeParams("2025-11-25");
        ObjectNode caps = (ObjectNode) params.get("capabilities");
        caps.removeAll();
        if (withClientCapabilities) {
            caps.putObject("sampling");
            caps.putObject("elicitation");
        }
        JsonNode result = peer.call(0, "initialize", params).get("result");
        peer.notify("notifications/initialized", null);
        return result;
    }

    private static List<String> methods(List<JsonNode> messages, String method) {
        List<String> out = new ArrayList<>();
        for (JsonNode m : messages) {
            if (method.equals(m.path("method").asText())) {
                out.add(m.path("params").toString());
            }
        }
        return out;
    }

    @Test
    void listsExactlyTheFixturesAndDeclaresWhatTheSuiteUses() throws Exception {
        try (StdioPeer peer = new StdioPeer("--conformance")) {
            JsonNode caps = initialize(peer, true).path("capabilities");
            assertThat(caps.path("resources").path("subscribe").asBoolean()).isTrue();
            assertThat(caps.has("completions")).isTrue();
            assertThat(caps.has("logging")).isTrue();
            assertThat(caps.has("prompts")).isTrue();

            JsonNode tools = peer.call(1, "tools/list", null).path("result").path("tools");
            List<String> names = new ArrayList<>();
            for (JsonNode t : tools) {
                names.add(t.path("name").asText());
                assertThat(t.path("description").asText()).as(t.path("name").asText()).isNotBlank();
                assertThat(t.path("inputSchema").path("type").asText()).isEqualTo("object");
            }
            assertThat(names).containsExactlyElementsOf(TOOLS);

            // SEP-1613: the 2020-12 schema is listed as written, not normalised
            JsonNode schema = tools.get(TOOLS.indexOf("json_schema_2020_12_tool")).path("inputSchema");
            assertThat(schema.path("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
            assertThat(schema.path("$defs").path("address").path("properties").has("city")).isTrue();
            assertThat(schema.path("additionalProperties").isBoolean()).isTrue();
            assertThat(schema.path("additionalProperties").asBoolean()).isFalse();

            // the built-in tools are not there
            assertThat(peer.callTool(2, "echo", Wire.args("message", "x")).path("error").path("code").asInt())
                    .isEqualTo(-32602);
        }
        try (StdioPeer plain = new StdioPeer()) {
            JsonNode caps = initialize(plain, false).path("capabilities");
            assertThat(caps.path("resources").has("subscribe")).as("only the fixtures offer subscriptions").isFalse();
            assertThat(caps.has("completions")).isFalse();
            assertThat(plain.call(1, "completion/complete", Json.object()).path("error").path("code").asInt())
                    .isEqualTo(-32601);
        }
    }

    @Test
    void contentToolsReturnRealMediaAndTheExpectedBlocks() throws Exception {
        try (StdioPeer peer = new StdioPeer("--conformance")) {
            initialize(peer, false);
            assertThat(Wire.text(peer.callTool(1, "test_simple_text", null)))
                    .isEqualTo("This is a simple text response for testing.");

            JsonNode image = peer.callTool(2, "test_image_content", Wire.args()).path("result").path("content").path(0);
            assertThat(image.path("type").asText()).isEqualTo("image");
            assertThat(image.path("mimeType").asText()).isEqualTo("image/png");
            BufferedImage png = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(image.path("data").asText())));
            assertThat(png).as("a PNG any decoder reads").isNotNull();
            assertThat(png.getWidth()).isEqualTo(1);
            assertThat(png.getHeight()).isEqualTo(1);
            assertThat(png.getRGB(0, 0) & 0xffffff).as("red").isEqualTo(0xff0000);

            JsonNode audio = peer.callTool(3, "test_audio_content", null).path("result").path("content").path(0);
            assertThat(audio.path("type").asText()).isEqualTo("audio");
            assertThat(audio.path("mimeType").asText()).isEqualTo("audio/wav");
            byte[] wav = Base64.getDecoder().decode(audio.path("data").asText());
            try (AudioInputStream in = AudioSystem.getAudioInputStream(new ByteArrayInputStream(wav))) {
                AudioFormat format = in.getFormat();
                assertThat(format.getEncoding()).isEqualTo(AudioFormat.Encoding.PCM_SIGNED);
                assertThat(format.getChannels()).isEqualTo(1);
                assertThat(format.getSampleSizeInBits()).isEqualTo(16);
                assertThat(in.getFrameLength()).isEqualTo(8);
            }

            JsonNode embedded = peer.callTool(4, "test_embedded_resource", null).path("result").path("content").path(0);
            assertThat(embedded.path("type").asText()).isEqualTo("resource");
            assertThat(embedded.path("resource").path("uri").asText()).isEqualTo("test://embedded-resource");
            assertThat(embedded.path("resource").path("mimeType").asText()).isEqualTo("text/plain");
            assertThat(embedded.path("resource").path("text").asText()).isEqualTo("This is an embedded resource content.");

            JsonNode mixed = peer.callTool(5, "test_multiple_content_types", null).path("result").path("content");
            assertThat(mixed.findValuesAsText("type")).containsExactly("text", "image", "resource");
            assertThat(HttpPeer.read(mixed.path(2).path("resource").path("text").asText()).path("value").asInt())
                    .isEqualTo(123);

            JsonNode error = peer.callTool(6, "test_error_handling", null).path("result");
            assertThat(error.path("isError").asBoolean()).isTrue();
            assertThat(error.path("content").path(0).path("text").asText())
                    .isEqualTo("This tool intentionally returns an error for testing");
        }
    }

    @Test
    void loggingAndProgressArriveBeforeTheResultAndHonourLevelAndToken() throws Exception {
        try (StdioPeer peer = new StdioPeer("--conformance")) {
            initialize(peer, false);
            assertThat(peer.call(1, "logging/setLevel", Json.object().put("level", "debug")).path("result").size())
                    .isZero();
            long start = System.nanoTime();
            JsonNode logged = peer.callTool(2, "test_tool_with_logging", null);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("two 50 ms pauses")
                    .isGreaterThanOrEqualTo(100);
            assertThat(Wire.text(logged)).isEqualTo("Tool with logging executed successfully");
            List<JsonNode> logs = peer.seen.stream()
                    .filter(m -> "notifications/message".equals(m.path("method").asText())).toList();
            assertThat(logs).extracting(m -> m.path("params").path("data").asText())
                    .containsExactly("Tool execution started", "Tool processing data", "Tool execution completed");
            assertThat(logs).allMatch(m -> "info".equals(m.path("params").path("level").asText()));

            peer.call(3, "logging/setLevel", Json.object().put("level", "warning"));
            peer.seen.clear();
            peer.callTool(4, "test_tool_with_logging", null);
            assertThat(methods(peer.seen, "notifications/message")).as("info is below warning").isEmpty();

            peer.seen.clear();
            peer.call(5, "tools/call", Wire.withProgressToken(Wire.toolCall("test_tool_with_progress", null),
                    "progress-test-1"));
            List<JsonNode> progress = peer.seen.stream()
                    .filter(m -> "notifications/progress".equals(m.path("method").asText())).toList();
            assertThat(progress).extracting(m -> m.path("params").path("progress").asInt()).containsExactly(0, 50, 100);
            assertThat(progress).allMatch(m -> m.path("params").path("total").asInt() == 100
                    && "progress-test-1".equals(m.path("params").path("progressToken").asText()));

            peer.seen.clear();
            assertThat(Wire.text(peer.callTool(6, "test_tool_with_progress", null))).isEqualTo("Progress test completed");
            assertThat(methods(peer.seen, "notifications/progress")).as("no token, no progress").isEmpty();
        }
    }

    /** Reads the server's request to the client, answers it with {@code result}, and returns the request. */
    private static JsonNode answer(StdioPeer peer, String method, JsonNode result) throws Exception {
        JsonNode request = peer.await(m -> method.equals(m.path("method").asText()) && m.has("id"), StdioPeer.WAIT);
        ObjectNode reply = Json.object().put("jsonrpc", "2.0");
        reply.set("id", request.get("id"));
        reply.set("result", result);
        peer.send(reply);
        return request;
    }

    @Test
    void samplingAndElicitationAskTheClientOverStdio() throws Exception {
        try (StdioPeer peer = new StdioPeer("--conformance")) {
            initialize(peer, true);
            peer.request(1, "tools/call", Wire.toolCall("test_sampling", Wire.args("prompt", "Say hi")));
            ObjectNode sampled = Json.object().put("role", "assistant").put("model", "test-model")
                    .put("stopReason", "endTurn");
            sampled.putObject("content").put("type", "text").put("text", "hi there");
            JsonNode samplingRequest = answer(peer, "sampling/createMessage", sampled);
            JsonNode params = samplingRequest.path("params");
            assertThat(params.path("maxTokens").asInt()).isEqualTo(100);
            assertThat(params.path("messages").path(0).path("role").asText()).isEqualTo("user");
            assertThat(params.path("messages").path(0).path("content").path("text").asText()).isEqualTo("Say hi");
            assertThat(Wire.text(peer.response(1))).isEqualTo("LLM response: hi there");

            peer.request(2, "tools/call", Wire.toolCall("test_elicitation", Wire.args("message", "Who are you?")));
            ObjectNode accepted = Json.object().put("action", "accept");
            accepted.putObject("content").put("username", "ada").put("email", "ada@example.com");
            JsonNode elicitation = answer(peer, "elicitation/create", accepted).path("params");
            assertThat(elicitation.path("message").asText()).isEqualTo("Who are you?");
            assertThat(elicitation.path("requestedSchema").path("required").toString())
                    .isEqualTo("[\"username\",\"email\"]");
            assertThat(Wire.text(peer.response(2)))
                    .isEqualTo("User response: action=accept, content={\"username\":\"ada\",\"email\":\"ada@example.com\"}");

            peer.request(3, "tools/call", Wire.toolCall("test_elicitation_sep1034_defaults", null));
            JsonNode defaults = answer(peer, "elicitation/create", Json.object().put("action", "decline"))
                    .path("params").path("requestedSchema").path("properties");
            assertThat(defaults.path("name").path("default").asText()).isEqualTo("John Doe");
            assertThat(defaults.path("age").path("type").asText()).isEqualTo("integer");
            assertThat(defaults.path("age").path("default").isInt()).isTrue();
            assertThat(defaults.path("age").path("default").asInt()).isEqualTo(30);
            assertThat(defaults.path("score").path("default").asDouble()).isEqualTo(95.5);
            assertThat(defaults.path("status").path("enum").toString()).isEqualTo("[\"active\",\"inactive\",\"pending\"]");
            assertThat(defaults.path("status").path("default").asText()).isEqualTo("active");
            assertThat(defaults.path("verified").path("default").asBoolean()).isTrue();
            assertThat(Wire.text(peer.response(3))).isEqualTo("Elicitation completed: action=decline, content={}");

            peer.request(4, "tools/call", Wire.toolCall("test_elicitation_sep1330_enums", null));
            JsonNode enums = answer(peer, "elicitation/create", Json.object().put("action", "cancel"))
                    .path("params").path("requestedSchema").path("properties");
            assertThat(enums.path("untitledSingle").path("enum").size()).isEqualTo(3);
            assertThat(enums.path("untitledSingle").has("oneOf")).isFalse();
            assertThat(enums.path("titledSingle").path("oneOf").path(0).toString())
                    .isEqualTo("{\"const\":\"value1\",\"title\":\"First Option\"}");
            assertThat(enums.path("legacyEnum").path("enumNames").size()).isEqualTo(enums.path("legacyEnum").path("enum").size());
            assertThat(enums.path("untitledMulti").path("type").asText()).isEqualTo("array");
            assertThat(enums.path("untitledMulti").path("items").path("enum").size()).isEqualTo(3);
            assertThat(enums.path("titledMulti").path("items").path("anyOf").path(2).toString())
                    .isEqualTo("{\"const\":\"value3\",\"title\":\"Third Choice\"}");
            assertThat(Wire.text(peer.response(4))).startsWith("Elicitation completed: action=cancel");

            // the client refuses: the tool reports it as a tool error naming the client's error
            peer.request(5, "tools/call", Wire.toolCall("test_sampling", Wire.args("prompt", "no")));
            JsonNode refused = peer.await(m -> "sampling/createMessage".equals(m.path("method").asText())
                    && m.path("params").path("messages").path(0).path("content").path("text").asText().equals("no"),
                    StdioPeer.WAIT);
            ObjectNode error = Json.object().put("jsonrpc", "2.0");
            error.set("id", refused.get("id"));
            error.putObject("error").put("code", -1).put("message", "User rejected sampling request");
            peer.send(error);
            JsonNode failed = peer.response(5).path("result");
            assertThat(failed.path("isError").asBoolean()).isTrue();
            assertThat(failed.path("content").path(0).path("text").asText()).contains("-1", "User rejected sampling request");
        }
    }

    @Test
    void withoutTheClientCapabilityNothingIsAsked() throws Exception {
        try (StdioPeer peer = new StdioPeer("--conformance")) {
            initialize(peer, false);
            JsonNode sampling = peer.callTool(1, "test_sampling", Wire.args("prompt", "x")).path("result");
            assertThat(sampling.path("isError").asBoolean()).isTrue();
            assertThat(sampling.path("content").path(0).path("text").asText()).contains("sampling");
            JsonNode elicitation = peer.callTool(2, "test_elicitation", Wire.args("message", "x")).path("result");
            assertThat(elicitation.path("isError").asBoolean()).isTrue();
            assertThat(peer.seen).noneMatch(m -> m.has("method") && m.has("id"));
            assertThat(peer.callTool(3, "test_sampling", null).path("result").path("isError").asBoolean())
                    .as("prompt is required").isTrue();
        }
    }

    @Test
    void resourcesTemplatePromptsAndCompletions() throws Exception {
        try (StdioPeer peer = new StdioPeer("--conformance")) {
            initialize(peer, false);
            JsonNode resources = peer.call(1, "resources/list", null).path("result").path("resources");
            assertThat(resources.findValuesAsText("uri"))
                    .containsExactly("test://static-text", "test://static-binary", "test://watched-resource");
            assertThat(resources).allMatch(r -> !r.path("name").asText().isEmpty() && !r.path("description").asText().isEmpty());
            JsonNode templates = peer.call(2, "resources/templates/list", null).path("result").path("resourceTemplates");
            assertThat(templates.findValuesAsText("uriTemplate")).containsExactly("test://template/{id}/data");

            JsonNode text = peer.call(3, "resources/read", Json.object().put("uri", "test://static-text"))
                    .path("result").path("contents").path(0);
            assertThat(text.path("mimeType").asText()).isEqualTo("text/plain");
            assertThat(text.path("text").asText()).isEqualTo("This is the content of the static text resource.");
            JsonNode binary = peer.call(4, "resources/read", Json.object().put("uri", "test://static-binary"))
                    .path("result").path("contents").path(0);
            assertThat(binary.path("mimeType").asText()).isEqualTo("image/png");
            assertThat(Base64.getDecoder().decode(binary.path("blob").asText()))
                    .startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
            JsonNode templated = peer.call(5, "resources/read", Json.object().put("uri", "test://template/123/data"))
                    .path("result").path("contents").path(0);
            assertThat(templated.path("uri").asText()).isEqualTo("test://template/123/data");
            JsonNode data = HttpPeer.read(templated.path("text").asText());
            assertThat(data.path("id").asText()).isEqualTo("123");
            assertThat(data.path("templateTest").asBoolean()).isTrue();
            assertThat(data.path("data").asText()).isEqualTo("Data for ID: 123");
            assertThat(peer.call(6, "resources/read", Json.object().put("uri", "test://nothing"))
                    .path("error").path("code").asInt()).isEqualTo(-32002);

            assertThat(peer.call(7, "resources/subscribe", Json.object().put("uri", "test://watched-resource"))
                    .path("result").size()).isZero();
            assertThat(peer.call(8, "resources/unsubscribe", Json.object().put("uri", "test://watched-resource"))
                    .path("result").size()).isZero();
            assertThat(peer.call(9, "resources/subscribe", Json.object().put("uri", "test://nothing"))
                    .path("error").path("code").asInt()).isEqualTo(-32002);

            JsonNode prompts = peer.call(10, "prompts/list", null).path("result").path("prompts");
            List<String> promptNames = new ArrayList<>();
            prompts.forEach(p -> promptNames.add(p.path("name").asText()));
            assertThat(promptNames).containsExactly("test_simple_prompt",
                    "test_prompt_with_arguments", "test_prompt_with_embedded_resource", "test_prompt_with_image");
            assertThat(prompts.get(1).path("arguments").findValuesAsText("name")).containsExactly("arg1", "arg2");
            JsonNode simple = peer.call(11, "prompts/get", Json.object().put("name", "test_simple_prompt"))
                    .path("result").path("messages");
            assertThat(simple.path(0).path("role").asText()).isEqualTo("user");
            assertThat(simple.path(0).path("content").path("text").asText()).isEqualTo("This is a simple prompt for testing.");
            ObjectNode withArgs = Json.object().put("name", "test_prompt_with_arguments");
            withArgs.putObject("arguments").put("arg1", "hello").put("arg2", "world");
            assertThat(peer.call(12, "prompts/get", withArgs).path("result").path("messages").path(0)
                    .path("content").path("text").asText()).isEqualTo("Prompt with arguments: arg1='hello', arg2='world'");
            ((ObjectNode) withArgs.get("arguments")).remove("arg2");
            assertThat(peer.call(13, "prompts/get", withArgs).path("error").path("code").asInt()).isEqualTo(-32602);
            ObjectNode withResource = Json.object().put("name", "test_prompt_with_embedded_resource");
            withResource.putObject("arguments").put("resourceUri", "test://example-resource");
            JsonNode resourcePrompt = peer.call(14, "prompts/get", withResource).path("result").path("messages");
            assertThat(resourcePrompt.path(0).path("content").path("type").asText()).isEqualTo("resource");
            assertThat(resourcePrompt.path(0).path("content").path("resource").path("uri").asText())
                    .isEqualTo("test://example-resource");
            JsonNode imagePrompt = peer.call(15, "prompts/get", Json.object().put("name", "test_prompt_with_image"))
                    .path("result").path("messages");
            assertThat(imagePrompt.path(0).path("content").path("type").asText()).isEqualTo("image");
            assertThat(imagePrompt.path(0).path("content").path("mimeType").asText()).isEqualTo("image/png");
            assertThat(peer.call(16, "prompts/get", Json.object().put("name", "nope")).path("error").path("code").asInt())
                    .isEqualTo(-32602);

            assertThat(complete(peer, 17, "ref/prompt", "name", "test_prompt_with_arguments", "arg1", "par"))
                    .containsExactly("paris", "park", "party");
            assertThat(complete(peer, 18, "ref/prompt", "name", "test_prompt_with_arguments", "arg1", "test"))
                    .containsExactly("test", "testing");
            assertThat(complete(peer, 19, "ref/resource", "uri", "test://template/{id}/data", "id", "1"))
                    .containsExactly("1", "12", "123");
            assertThat(complete(peer, 20, "ref/prompt", "name", "test_simple_prompt", "x", "")).isEmpty();
            ObjectNode unknown = Json.object();
            unknown.putObject("ref").put("type", "ref/prompt").put("name", "nope");
            unknown.putObject("argument").put("name", "a").put("value", "");
            assertThat(peer.call(21, "completion/complete", unknown).path("error").path("code").asInt()).isEqualTo(-32602);
        }
    }

    private static List<String> complete(StdioPeer peer, long id, String refType, String refKey, String refValue,
                                         String argument, String typed) throws Exception {
        ObjectNode params = Json.object();
        params.putObject("ref").put("type", refType).put(refKey, refValue);
        params.putObject("argument").put("name", argument).put("value", typed);
        JsonNode completion = peer.call(id, "completion/complete", params).path("result").path("completion");
        assertThat(completion.path("hasMore").asBoolean()).isFalse();
        assertThat(completion.path("total").asInt()).isEqualTo(completion.path("values").size());
        List<String> values = new ArrayList<>();
        completion.path("values").forEach(v -> values.add(v.asText()));
        return values;
    }

    // ---- over Streamable HTTP ----

    private static TestkitHttpServer conformanceServer() {
        return TestkitHttpServer.start(TestkitOptions.builder().conformance(true).build());
    }

    /** initialize over HTTP with sampling and elicitation declared. */
    private static void initialize(HttpPeer peer) {
        ObjectNode params = Wire.initializeParams("2025-11-25");
        ObjectNode caps = (ObjectNode) params.get("capabilities");
        caps.putObject("sampling");
        caps.putObject("elicitation");
        HttpResponse<String> r = peer.post(Wire.request(0, "initialize", params));
        assertThat(r.statusCode()).isEqualTo(200);
        peer.sessionId = r.headers().firstValue("Mcp-Session-Id").orElseThrow();
        peer.protocolVersion = HttpPeer.messages(r).getLast().path("result").path("protocolVersion").asText();
        assertThat(peer.post(Wire.notification("notifications/initialized", null)).statusCode()).isEqualTo(202);
    }

    @Test
    void samplingAndElicitationTravelOnTheCallsStreamOverHttp() {
        try (TestkitHttpServer server = conformanceServer()) {
            HttpPeer peer = new HttpPeer(server.url());
            initialize(peer);
            HttpResponse<Stream<String>> call = peer.postStreaming(Wire.request(1, "tools/call",
                    Wire.toolCall("test_sampling", Wire.args("prompt", "over http"))));
            assertThat(call.headers().firstValue("Content-Type")).hasValue("text/event-stream");
            Iterator<String> lines = call.body().iterator();
            JsonNode request = HttpPeer.nextEvent(lines);
            assertThat(request.path("method").asText()).isEqualTo("sampling/createMessage");
            assertThat(request.path("params").path("messages").path(0).path("content").path("text").asText())
                    .isEqualTo("over http");
            ObjectNode reply = Json.object().put("jsonrpc", "2.0");
            reply.set("id", request.get("id"));
            reply.putObject("result").put("role", "assistant").put("model", "m")
                    .putObject("content").put("type", "text").put("text", "answered by POST");
            assertThat(peer.post(reply).statusCode()).isEqualTo(202);
            JsonNode result = HttpPeer.nextEvent(lines);
            assertThat(result.path("id").asInt()).isEqualTo(1);
            assertThat(Wire.text(result)).isEqualTo("LLM response: answered by POST");
            assertThat(HttpPeer.nextEvent(lines)).as("the response ends the stream").isNull();

            HttpResponse<Stream<String>> elicit = peer.postStreaming(Wire.request(2, "tools/call",
                    Wire.toolCall("test_elicitation_sep1034_defaults", null)));
            Iterator<String> elicitLines = elicit.body().iterator();
            JsonNode elicitation = HttpPeer.nextEvent(elicitLines);
            assertThat(elicitation.path("method").asText()).isEqualTo("elicitation/create");
            ObjectNode accept = Json.object().put("jsonrpc", "2.0");
            accept.set("id", elicitation.get("id"));
            accept.putObject("result").put("action", "accept").putObject("content").put("name", "Jane");
            assertThat(peer.post(accept).statusCode()).isEqualTo(202);
            assertThat(Wire.text(HttpPeer.nextEvent(elicitLines)))
                    .isEqualTo("Elicitation completed: action=accept, content={\"name\":\"Jane\"}");
        }
    }

    @Test
    void progressAndLogsTravelOnTheCallsStreamOverHttp() {
        try (TestkitHttpServer server = conformanceServer()) {
            HttpPeer peer = new HttpPeer(server.url());
            initialize(peer);
            List<JsonNode> progress = HttpPeer.messages(peer.post(Wire.request(1, "tools/call",
                    Wire.withProgressToken(Wire.toolCall("test_tool_with_progress", null), 7))));
            assertThat(progress).hasSize(4);
            assertThat(methods(progress, "notifications/progress")).hasSize(3);
            assertThat(progress.getLast().path("id").asInt()).isEqualTo(1);

            List<JsonNode> logs = HttpPeer.messages(peer.post(Wire.request(2, "tools/call",
                    Wire.toolCall("test_tool_with_logging", null))));
            assertThat(methods(logs, "notifications/message")).hasSize(3);
            assertThat(Wire.text(logs.getLast())).isEqualTo("Tool with logging executed successfully");
        }
    }

    @Test
    void resourceUpdatesReachSubscribedSessionsOnly() throws Exception {
        try (TestkitHttpServer server = conformanceServer()) {
            HttpPeer subscriber = new HttpPeer(server.url());
            initialize(subscriber);
            HttpPeer bystander = new HttpPeer(server.url());
            initialize(bystander);
            HttpResponse<Stream<String>> stream = subscriber.openGetStream();
            assertThat(stream.statusCode()).isEqualTo(200);
            Iterator<String> lines = stream.body().iterator();
            CompletableFuture<JsonNode> firstEvent = CompletableFuture.supplyAsync(() -> HttpPeer.nextEvent(lines));

            assertThat(server.server().resourceUpdated("test://watched-resource")).as("nobody subscribed yet").isZero();
            assertThat(HttpPeer.messages(subscriber.post(Wire.request(1, "resources/subscribe",
                    Json.object().put("uri", "test://watched-resource")))).getFirst().path("result").size()).isZero();
            assertThat(server.server().resourceUpdated("test://watched-resource")).isEqualTo(1);
            assertThat(server.server().resourceUpdated("test://static-text")).isZero();

            JsonNode updated = firstEvent.get(HttpPeer.WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(updated.path("method").asText()).isEqualTo("notifications/resources/updated");
            assertThat(updated.path("params").path("uri").asText()).isEqualTo("test://watched-resource");

            subscriber.post(Wire.request(2, "resources/unsubscribe", Json.object().put("uri", "test://watched-resource")));
            assertThat(server.server().resourceUpdated("test://watched-resource")).as("unsubscribed").isZero();
            assertThat(subscriber.delete().statusCode()).isEqualTo(200);
        }
    }
}
