package io.mcppool.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.JsonRpcError;
import java.nio.charset.StandardCharsets;

/**
 * The static resources and the one prompt a testkit server offers unless it serves the conformance
 * fixtures. They exist so clients and gateways have something real to list, read and render; nothing
 * about them changes at run time. No subscriptions, no completions.
 */
final class DefaultCatalog implements Catalog {
    static final DefaultCatalog INSTANCE = new DefaultCatalog();

    static final String README_URI = "testkit://readme";
    static final String HELLO_URI = "testkit://hello";
    static final String GREETING = "greeting";

    private static final String README = """
            # mcp-pool testkit server

            A small MCP server for tests and benchmarks. Tools: echo, add, sleep, fail, crash, counter,
            counter_get, record, garbage, huge, stats, roots, ping_client, notify_tools_changed, log.
            """;
    private static final String HELLO = "Hello from mcp-pool-testkit";

    private DefaultCatalog() {
    }

    @Override
    public String instructions() {
        return "A test server: echo, add, sleep, fail, crash, counter, record, stats and more. See the tool descriptions.";
    }

    @Override
    public JsonNode resourceList() {
        ObjectNode result = Json.object();
        ArrayNode list = result.putArray("resources");
        list.add(resource(README_URI, "readme", "What this server offers", "text/markdown", README));
        list.add(resource(HELLO_URI, "hello", "A fixed greeting", "text/plain", HELLO));
        return result;
    }

    @Override
    public JsonNode resourceTemplateList() {
        ObjectNode result = Json.object();
        result.putArray("resourceTemplates");
        return result;
    }

    @Override
    public JsonNode readResource(JsonNode params) {
        String uri = params == null ? null : params.path("uri").asText(null);
        if (uri == null) {
            throw new RequestError(JsonRpcError.INVALID_PARAMS, "resources/read needs params.uri");
        }
        String text;
        String mime;
        if (README_URI.equals(uri)) {
            text = README;
            mime = "text/markdown";
        } else if (HELLO_URI.equals(uri)) {
            text = HELLO;
            mime = "text/plain";
        } else {
            throw new RequestError(RESOURCE_NOT_FOUND, "Resource not found: " + uri);
        }
        ObjectNode result = Json.object();
        ObjectNode contents = result.putArray("contents").addObject();
        contents.put("uri", uri);
        contents.put("mimeType", mime);
        contents.put("text", text);
        return result;
    }

    @Override
    public JsonNode promptList() {
        ObjectNode result = Json.object();
        ObjectNode prompt = result.putArray("prompts").addObject();
        prompt.put("name", GREETING);
        prompt.put("description", "Asks the model to greet someone by name");
        ObjectNode arg = prompt.putArray("arguments").addObject();
        arg.put("name", "name");
        arg.put("description", "Who to greet");
        arg.put("required", true);
        return result;
    }

    @Override
    public JsonNode getPrompt(JsonNode params) {
        String name = params == null ? null : params.path("name").asText(null);
        if (!GREETING.equals(name)) {
            throw new RequestError(JsonRpcError.INVALID_PARAMS, "Unknown prompt: " + name);
        }
        JsonNode who = params.path("arguments").get("name");
        if (who == null || !who.isTextual() || who.textValue().isEmpty()) {
            throw new RequestError(JsonRpcError.INVALID_PARAMS, "Prompt greeting needs the argument 'name'");
        }
        ObjectNode result = Json.object();
        result.put("description", "A greeting for " + who.textValue());
        ObjectNode message = result.putArray("messages").addObject();
        message.put("role", "user");
        ObjectNode content = message.putObject("content");
        content.put("type", "text");
        content.put("text", "Please greet " + who.textValue() + " warmly.");
        return result;
    }

    private static ObjectNode resource(String uri, String name, String description, String mime, String text) {
        ObjectNode r = Json.object();
        r.put("uri", uri);
        r.put("name", name);
        r.put("description", description);
        r.put("mimeType", mime);
        r.put("size", text.getBytes(StandardCharsets.UTF_8).length);
        return r;
    }
}
