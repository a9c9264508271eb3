package io.mcppool.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.protocol.CallToolResult;
import io.mcppool.protocol.Content;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.JsonRpcError;
import io.mcppool.protocol.McpMethods;
import io.mcppool.protocol.Tool;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * The fixtures of the official MCP conformance suite ({@code @modelcontextprotocol/conformance}, server
 * mode), served instead of the built-in tools, resources and prompts when a server runs with
 * {@code --conformance}: the tools, resources, template, prompts and completions its scenarios call, with the
 * names, content and behaviour each scenario checks. {@code docs/conformance.md} lists the scenarios and what
 * each fixture does.
 */
final class ConformanceFixtures implements Catalog, ToolHandler {
    static final ConformanceFixtures INSTANCE = new ConformanceFixtures();

    static final String SIMPLE_TEXT = "test_simple_text";
    static final String IMAGE = "test_image_content";
    static final String AUDIO = "test_audio_content";
    static final String EMBEDDED_RESOURCE = "test_embedded_resource";
    static final String MIXED = "test_multiple_content_types";
    static final String WITH_LOGGING = "test_tool_with_logging";
    static final String WITH_PROGRESS = "test_tool_with_progress";
    static final String ERROR = "test_error_handling";
    static final String SAMPLING = "test_sampling";
    static final String ELICITATION = "test_elicitation";
    static final String ELICITATION_DEFAULTS = "test_elicitation_sep1034_defaults";
    static final String ELICITATION_ENUMS = "test_elicitation_sep1330_enums";
    static final String JSON_SCHEMA_2020_12 = "json_schema_2020_12_tool";

    static final String STATIC_TEXT_URI = "test://static-text";
    static final String STATIC_BINARY_URI = "test://static-binary";
    static final String WATCHED_URI = "test://watched-resource";
    static final String TEMPLATE = "test://template/{id}/data";
    static final String SIMPLE_PROMPT = "test_simple_prompt";
    static final String PROMPT_WITH_ARGUMENTS = "test_prompt_with_arguments";
    static final String PROMPT_WITH_RESOURCE = "test_prompt_with_embedded_resource";
    static final String PROMPT_WITH_IMAGE = "test_prompt_with_image";

    static final String STATIC_TEXT = "This is the content of the static text resource.";
    static final String WATCHED_TEXT = "Watched resource content";
    static final String ERROR_TEXT = "This tool intentionally returns an error for testing";

    /** How long a tool waits for the client to answer its sampling or elicitation request. */
    static final long CLIENT_ANSWER_TIMEOUT_MS = 30_000;
    /** The pause between a tool's log or progress notifications: the suite wants them spread over time. */
    static final long STEP_MS = 50;

    private static final Pattern TEMPLATE_URI = Pattern.compile("test://template/([^/]+)/data");
    /** What {@code completion/complete} offers for each argument, before filtering by the typed prefix. */
    private static final List<String> ARG_CANDIDATES = List.of("paris", "park", "party", "test", "testing");
    private static final List<String> ID_CANDIDATES = List.of("1", "12", "123", "2", "42");
    private static final int MAX_COMPLETIONS = 100; // the spec's limit per response

    private ConformanceFixtures() {
    }

    // ---- tools ----

    List<ToolRegistry.Entry> tools() {
        List<ToolRegistry.Entry> list = new ArrayList<>();
        list.add(tool(SIMPLE_TEXT, "Returns one text block.", noArguments(), true));
        list.add(tool(IMAGE, "Returns one image block: a 1x1 red PNG.", noArguments(), true));
        list.add(tool(AUDIO, "Returns one audio block: a short silent WAV.", noArguments(), true));
        list.add(tool(EMBEDDED_RESOURCE, "Returns one embedded text resource.", noArguments(), true));
        list.add(tool(MIXED, "Returns a text, an image and an embedded resource block.", noArguments(), true));
        list.add(tool(WITH_LOGGING, "Sends three info log messages 50 ms apart, then returns.", noArguments(), false));
        list.add(tool(WITH_PROGRESS, "Reports progress 0, 50 and 100 of 100, 50 ms apart, when given a progressToken.",
                noArguments(), false));
        list.add(tool(ERROR, "Always fails: a result with isError true.", noArguments(), true));
        list.add(tool(SAMPLING, "Asks the client for sampling/createMessage with the prompt and returns the model's answer.",
                stringArguments("prompt", "The prompt to send to the model"), false));
        list.add(tool(ELICITATION, "Asks the client for elicitation/create (username and email) and returns the answer.",
                stringArguments("message", "The message to show the user"), false));
        list.add(tool(ELICITATION_DEFAULTS, "Asks the client for elicitation/create with a default for every primitive"
                + " type (SEP-1034) and returns the answer.", noArguments(), false));
        list.add(tool(ELICITATION_ENUMS, "Asks the client for elicitation/create with all five enum schema forms"
                + " (SEP-1330) and returns the answer.", noArguments(), false));
        list.add(tool(JSON_SCHEMA_2020_12, "Has a JSON Schema 2020-12 input schema ($schema, $defs, additionalProperties)"
                + " that must reach clients unchanged (SEP-1613); echoes its arguments.", jsonSchema2020_12(), true));
        return list;
    }

    private ToolRegistry.Entry tool(String name, String description, ObjectNode inputSchema, boolean inline) {
        return new ToolRegistry.Entry(new Tool(name, description, inputSchema), this, inline);
    }

    @Override
    public CallToolResult call(ToolContext context) throws Exception {
        JsonNode args = context.arguments();
        return switch (context.toolName()) {
            case SIMPLE_TEXT -> CallToolResult.text("This is a simple text response for testing.");
            case IMAGE -> result(image());
            case AUDIO -> result(audio());
            case EMBEDDED_RESOURCE -> result(embedded("test://embedded-resource", "text/plain",
                    "This is an embedded resource content."));
            case MIXED -> result(Content.text("Multiple content types test:"), image(),
                    embedded("test://mixed-content-resource", "application/json", "{\"test\":\"data\",\"value\":123}"));
            case WITH_LOGGING -> withLogging(context);
            case WITH_PROGRESS -> withProgress(context);
            case ERROR -> CallToolResult.error(ERROR_TEXT);
            case SAMPLING -> sampling(context, args.get("prompt").asText());
            case ELICITATION -> elicit(context, "User response", args.get("message").asText(), identitySchema());
            case ELICITATION_DEFAULTS -> elicit(context, "Elicitation completed",
                    "Please review and update the form fields with defaults", defaultsSchema());
            case ELICITATION_ENUMS -> elicit(context, "Elicitation completed",
                    "Please select options from the enum fields", enumsSchema());
            case JSON_SCHEMA_2020_12 -> CallToolResult.text("JSON Schema 2020-12 tool called with: " + Json.write(args));
            default -> throw new IllegalStateException("no conformance fixture " + context.toolName());
        };
    }

    private static CallToolResult withLogging(ToolContext context) throws InterruptedException {
        context.log("info", "Tool execution started");
        Thread.sleep(STEP_MS);
        context.log("info", "Tool processing data");
        Thread.sleep(STEP_MS);
        context.log("info", "Tool execution completed");
        return CallToolResult.text("Tool with logging executed successfully");
    }

    private static CallToolResult withProgress(ToolContext context) throws InterruptedException {
        for (int step = 0; step <= 100; step += 50) {
            if (step > 0) {
                Thread.sleep(STEP_MS);
            }
            context.progress(step, 100.0, "Completed step " + step + " of 100");
        }
        return CallToolResult.text("Progress test completed");
    }

    private static CallToolResult sampling(ToolContext context, String prompt) throws Exception {
        ServerSession session = ((ServerSession.Call) context).session();
        if (!session.clientCapabilities().has("sampling")) {
            return CallToolResult.error("The client does not support sampling (no 'sampling' capability)");
        }
        ObjectNode params = Json.object();
        ObjectNode message = params.putArray("messages").addObject();
        message.put("role", "user");
        ObjectNode content = message.putObject("content");
        content.put("type", "text");
        content.put("text", prompt);
        params.put("maxTokens", 100);
        JsonNode answer = askClient(context, McpMethods.SAMPLING_CREATE_MESSAGE, params);
        return CallToolResult.text("LLM response: " + samplingText(answer.path("content")));
    }

    /** The text of a sampling answer: one content block, or (with tools, 2025-11-25) a list of them. */
    private static String samplingText(JsonNode content) {
        if (!content.isArray()) {
            return content.path("text").asText("");
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode block : content) {
            if ("text".equals(block.path("type").asText())) {
                sb.append(block.path("text").asText());
            }
        }
        return sb.toString();
    }

    private static CallToolResult elicit(ToolContext context, String label, String message, ObjectNode schema)
            throws Exception {
        ServerSession session = ((ServerSession.Call) context).session();
        if (!session.clientCapabilities().has("elicitation")) {
            return CallToolResult.error("The client does not support elicitation (no 'elicitation' capability)");
        }
        ObjectNode params = Json.object();
        params.put("message", message);
        params.set("requestedSchema", schema);
        JsonNode answer = askClient(context, McpMethods.ELICITATION_CREATE, params);
        JsonNode content = answer.path("content");
        return CallToolResult.text(label + ": action=" + answer.path("action").asText()
                + ", content=" + Json.write(content.isObject() ? content : Json.object()));
    }

    /**
     * Sends a request to the client on the call's own stream and waits for the answer. A failure (the client
     * answered with an error, did not answer in time) is thrown, so the call ends as an {@code isError} result
     * naming it; an interrupt (the call was cancelled) withdraws the request.
     */
    private static JsonNode askClient(ToolContext context, String method, JsonNode params) throws Exception {
        CompletableFuture<JsonNode> answer = context.sendRequest(method, params);
        try {
            return answer.get(CLIENT_ANSWER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ClientErrorException ce) {
                throw new IllegalStateException(method + " failed: the client answered with error "
                        + ce.error().code() + " " + ce.error().message(), ce);
            }
            throw new IllegalStateException(method + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the client did not answer " + method + " within "
                    + CLIENT_ANSWER_TIMEOUT_MS + "ms", e);
        } finally {
            answer.cancel(false); // no-op once answered; otherwise the session stops waiting for it
        }
    }

    private static CallToolResult result(Content... blocks) {
        return new CallToolResult(List.of(blocks), null, null, null);
    }

    private static Content image() {
        ObjectNode node = Json.object();
        node.put("type", "image");
        node.put("data", Media.PNG_BASE64);
        node.put("mimeType", "image/png");
        return Content.of(node);
    }

    private static Content audio() {
        ObjectNode node = Json.object();
        node.put("type", "audio");
        node.put("data", Media.WAV_BASE64);
        node.put("mimeType", "audio/wav");
        return Content.of(node);
    }

    private static Content embedded(String uri, String mimeType, String text) {
        ObjectNode node = Json.object();
        node.put("type", "resource");
        node.set("resource", textContents(uri, mimeType, text));
        return Content.of(node);
    }

    // ---- schemas ----

    private static ObjectNode noArguments() {
        ObjectNode schema = Json.object();
        schema.put("type", "object");
        schema.putObject("properties");
        return schema;
    }

    private static ObjectNode stringArguments(String name, String description) {
        ObjectNode schema = noArguments();
        property(schema, name, "string", description);
        schema.putArray("required").add(name);
        return schema;
    }

    private static ObjectNode property(ObjectNode schema, String name, String type, String description) {
        ObjectNode p = ((ObjectNode) schema.get("properties")).putObject(name);
        p.put("type", type);
        p.put("description", description);
        return p;
    }

    private static ObjectNode jsonSchema2020_12() {
        ObjectNode schema = Json.object();
        schema.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        schema.put("type", "object");
        ObjectNode address = schema.putObject("$defs").putObject("address");
        address.put("type", "object");
        ObjectNode fields = address.putObject("properties");
        fields.putObject("street").put("type", "string");
        fields.putObject("city").put("type", "string");
        ObjectNode properties = schema.putObject("properties");
        properties.putObject("name").put("type", "string");
        properties.putObject("address").put("$ref", "#/$defs/address");
        schema.put("additionalProperties", false);
        return schema;
    }

    private static ObjectNode identitySchema() {
        ObjectNode schema = noArguments();
        property(schema, "username", "string", "User's response");
        property(schema, "email", "string", "User's email address");
        schema.putArray("required").add("username").add("email");
        return schema;
    }

    private static ObjectNode defaultsSchema() {
        ObjectNode schema = noArguments();
        property(schema, "name", "string", "User name").put("default", "John Doe");
        property(schema, "age", "integer", "User age").put("default", 30);
        property(schema, "score", "number", "User score").put("default", 95.5);
        ObjectNode status = property(schema, "status", "string", "User status");
        status.putArray("enum").add("active").add("inactive").add("pending");
        status.put("default", "active");
        property(schema, "verified", "boolean", "Verification status").put("default", true);
        schema.putArray("required");
        return schema;
    }

    private static ObjectNode enumsSchema() {
        ObjectNode schema = noArguments();
        property(schema, "untitledSingle", "string", "Select one option")
                .set("enum", strings("option1", "option2", "option3"));
        property(schema, "titledSingle", "string", "Select one option with titles")
                .set("oneOf", titled("value", "Option", "First", "Second", "Third"));
        ObjectNode legacy = property(schema, "legacyEnum", "string", "Select one option (legacy)");
        legacy.set("enum", strings("opt1", "opt2", "opt3"));
        legacy.set("enumNames", strings("Option One", "Option Two", "Option Three"));
        ObjectNode untitledMulti = property(schema, "untitledMulti", "array", "Select multiple options");
        untitledMulti.put("minItems", 1).put("maxItems", 3);
        ObjectNode items = untitledMulti.putObject("items");
        items.put("type", "string");
        items.set("enum", strings("option1", "option2", "option3"));
        ObjectNode titledMulti = property(schema, "titledMulti", "array", "Select multiple options with titles");
        titledMulti.put("minItems", 1).put("maxItems", 3);
        titledMulti.putObject("items").set("anyOf", titled("value", "Choice", "First", "Second", "Third"));
        schema.putArray("required");
        return schema;
    }

    private static ArrayNode strings(String... values) {
        ArrayNode array = Json.mapper().createArrayNode();
        for (String v : values) {
            array.add(v);
        }
        return array;
    }

    /** {@code [{"const": "value1", "title": "First Option"}, ...]}: one entry per ordinal. */
    private static ArrayNode titled(String constPrefix, String noun, String... ordinals) {
        ArrayNode array = Json.mapper().createArrayNode();
        for (int i = 0; i < ordinals.length; i++) {
            ObjectNode option = array.addObject();
            option.put("const", constPrefix + (i + 1));
            option.put("title", ordinals[i] + " " + noun);
        }
        return array;
    }

    // ---- resources, prompts, completions ----

    @Override
    public String instructions() {
        return "The fixture server of the MCP conformance suite: test_* tools, test:// resources and test_* prompts.";
    }

    @Override
    public JsonNode resourceList() {
        ObjectNode result = Json.object();
        ArrayNode list = result.putArray("resources");
        list.add(listing(STATIC_TEXT_URI, "static-text", "Static Text Resource", "A static text resource", "text/plain"));
        list.add(listing(STATIC_BINARY_URI, "static-binary", "Static Binary Resource",
                "A static binary resource: a 1x1 red PNG", "image/png"));
        list.add(listing(WATCHED_URI, "watched-resource", "Watched Resource",
                "A resource one can subscribe to", "text/plain"));
        return result;
    }

    @Override
    public JsonNode resourceTemplateList() {
        ObjectNode result = Json.object();
        ObjectNode template = result.putArray("resourceTemplates").addObject();
        template.put("uriTemplate", TEMPLATE);
        template.put("name", "template");
        template.put("title", "Resource Template");
        template.put("description", "Data for an id: the id is substituted into the content");
        template.put("mimeType", "application/json");
        return result;
    }

    @Override
    public JsonNode readResource(JsonNode params) {
        String uri = params == null ? null : params.path("uri").asText(null);
        if (uri == null) {
            throw new RequestError(JsonRpcError.INVALID_PARAMS, "resources/read needs params.uri");
        }
        ObjectNode contents;
        if (STATIC_TEXT_URI.equals(uri)) {
            contents = textContents(uri, "text/plain", STATIC_TEXT);
        } else if (WATCHED_URI.equals(uri)) {
            contents = textContents(uri, "text/plain", WATCHED_TEXT);
        } else if (STATIC_BINARY_URI.equals(uri)) {
            contents = Json.object();
            contents.put("uri", uri);
            contents.put("mimeType", "image/png");
            contents.put("blob", Media.PNG_BASE64);
        } else {
            Matcher m = TEMPLATE_URI.matcher(uri);
            if (!m.matches()) {
                throw new RequestError(RESOURCE_NOT_FOUND, "Resource not found: " + uri);
            }
            ObjectNode data = Json.object();
            data.put("id", m.group(1));
            data.put("templateTest", true);
            data.put("data", "Data for ID: " + m.group(1));
            contents = textContents(uri, "application/json", Json.write(data));
        }
        ObjectNode result = Json.object();
        result.putArray("contents").add(contents);
        return result;
    }

    @Override
    public boolean subscriptions() {
        return true;
    }

    @Override
    public void checkSubscribable(String uri) {
        if (!STATIC_TEXT_URI.equals(uri) && !STATIC_BINARY_URI.equals(uri) && !WATCHED_URI.equals(uri)
                && !TEMPLATE_URI.matcher(uri).matches()) {
            throw new RequestError(RESOURCE_NOT_FOUND, "Resource not found: " + uri);
        }
    }

    @Override
    public JsonNode promptList() {
        ObjectNode result = Json.object();
        ArrayNode list = result.putArray("prompts");
        prompt(list, SIMPLE_PROMPT, "Simple Test Prompt", "A prompt without arguments");
        ArrayNode args = prompt(list, PROMPT_WITH_ARGUMENTS, "Prompt With Arguments", "A prompt with two required arguments")
                .putArray("arguments");
        argument(args, "arg1", "First test argument");
        argument(args, "arg2", "Second test argument");
        argument(prompt(list, PROMPT_WITH_RESOURCE, "Prompt With Embedded Resource", "A prompt that embeds a resource")
                .putArray("arguments"), "resourceUri", "URI of the resource to embed");
        prompt(list, PROMPT_WITH_IMAGE, "Prompt With Image", "A prompt that includes an image");
        return result;
    }

    @Override
    public JsonNode getPrompt(JsonNode params) {
        String name = params == null ? null : params.path("name").asText(null);
        JsonNode args = params == null ? Json.object() : params.path("arguments");
        ObjectNode result = Json.object();
        ArrayNode messages = result.putArray("messages");
        if (SIMPLE_PROMPT.equals(name)) {
            message(messages, Content.text("This is a simple prompt for testing."));
        } else if (PROMPT_WITH_ARGUMENTS.equals(name)) {
            message(messages, Content.text("Prompt with arguments: arg1='" + required(args, name, "arg1")
                    + "', arg2='" + required(args, name, "arg2") + "'"));
        } else if (PROMPT_WITH_RESOURCE.equals(name)) {
            message(messages, embedded(required(args, name, "resourceUri"), "text/plain",
                    "Embedded resource content for testing."));
            message(messages, Content.text("Please process the embedded resource above."));
        } else if (PROMPT_WITH_IMAGE.equals(name)) {
            message(messages, image());
            message(messages, Content.text("Please analyze the image above."));
        } else {
            throw new RequestError(JsonRpcError.INVALID_PARAMS, "Unknown prompt: " + name);
        }
        return result;
    }

    @Override
    public boolean completions() {
        return true;
    }

    /**
     * Completes the arguments of {@code test_prompt_with_arguments} and the {@code id} of the template from
     * fixed lists, keeping the values that start with what was typed.
     */
    @Override
    public JsonNode complete(JsonNode params) {
        JsonNode ref = params == null ? Json.object() : params.path("ref");
        String argument = params == null ? null : params.path("argument").path("name").asText(null);
        if (argument == null) {
            throw new RequestError(JsonRpcError.INVALID_PARAMS, "completion/complete needs params.argument.name");
        }
        String typed = params.path("argument").path("value").asText("");
        List<String> candidates;
        switch (ref.path("type").asText()) {
            case "ref/prompt" -> {
                String prompt = ref.path("name").asText();
                if (!SIMPLE_PROMPT.equals(prompt) && !PROMPT_WITH_ARGUMENTS.equals(prompt)
                        && !PROMPT_WITH_RESOURCE.equals(prompt) && !PROMPT_WITH_IMAGE.equals(prompt)) {
                    throw new RequestError(JsonRpcError.INVALID_PARAMS, "Unknown prompt: " + prompt);
                }
                candidates = PROMPT_WITH_ARGUMENTS.equals(prompt) ? ARG_CANDIDATES : List.of();
            }
            case "ref/resource" -> {
                String uri = ref.path("uri").asText();
                if (!TEMPLATE.equals(uri)) {
                    throw new RequestError(RESOURCE_NOT_FOUND, "Resource template not found: " + uri);
                }
                candidates = "id".equals(argument) ? ID_CANDIDATES : List.of();
            }
            default -> throw new RequestError(JsonRpcError.INVALID_PARAMS, "Unknown completion ref type: "
                    + ref.path("type").asText());
        }
        ObjectNode result = Json.object();
        ObjectNode completion = result.putObject("completion");
        ArrayNode values = completion.putArray("values");
        for (String c : candidates) {
            if (c.startsWith(typed) && values.size() < MAX_COMPLETIONS) {
                values.add(c);
            }
        }
        completion.put("total", values.size());
        completion.put("hasMore", false);
        return result;
    }

    private static String required(JsonNode args, String prompt, String name) {
        JsonNode value = args.get(name);
        if (value == null || !value.isTextual()) {
            throw new RequestError(JsonRpcError.INVALID_PARAMS, "Prompt " + prompt + " needs the argument '" + name + "'");
        }
        return value.textValue();
    }

    private static ObjectNode prompt(ArrayNode list, String name, String title, String description) {
        ObjectNode prompt = list.addObject();
        prompt.put("name", name);
        prompt.put("title", title);
        prompt.put("description", description);
        return prompt;
    }

    private static void argument(ArrayNode args, String name, String description) {
        ObjectNode arg = args.addObject();
        arg.put("name", name);
        arg.put("description", description);
        arg.put("required", true);
    }

    private static void message(ArrayNode messages, Content content) {
        ObjectNode message = messages.addObject();
        message.put("role", "user");
        message.set("content", content.json());
    }

    private static ObjectNode listing(String uri, String name, String title, String description, String mimeType) {
        ObjectNode r = Json.object();
        r.put("uri", uri);
        r.put("name", name);
        r.put("title", title);
        r.put("description", description);
        r.put("mimeType", mimeType);
        return r;
    }

    private static ObjectNode textContents(String uri, String mimeType, String text) {
        ObjectNode contents = Json.object();
        contents.put("uri", uri);
        contents.put("mimeType", mimeType);
        contents.put("text", text);
        return contents;
    }

    /**
     * The image and sound the fixtures return, made here rather than stored: a 1x1 red PNG and a silent
     * 8 kHz mono WAV of 8 samples. A holder class, so they are built once and only when first used.
     */
    static final class Media {
        static final byte[] PNG = png();
        static final byte[] WAV = wav();
        static final String PNG_BASE64 = Base64.getEncoder().encodeToString(PNG);
        static final String WAV_BASE64 = Base64.getEncoder().encodeToString(WAV);

        private Media() {
        }

        private static byte[] png() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
            // width 1, height 1, 8 bits per sample, colour type 2 (RGB), default compression, filter, no interlace
            ByteBuffer header = ByteBuffer.allocate(13).putInt(1).putInt(1).put((byte) 8).put((byte) 2)
                    .put((byte) 0).put((byte) 0).put((byte) 0);
            chunk(out, "IHDR", header.array());
            // one scanline: filter type 0, then the pixel's red, green and blue
            Deflater deflater = new Deflater();
            deflater.setInput(new byte[]{0, (byte) 0xff, 0, 0});
            deflater.finish();
            byte[] buffer = new byte[64];
            int length = deflater.deflate(buffer);
            deflater.end();
            byte[] data = new byte[length];
            System.arraycopy(buffer, 0, data, 0, length);
            chunk(out, "IDAT", data);
            chunk(out, "IEND", new byte[0]);
            return out.toByteArray();
        }

        private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
            byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
            CRC32 crc = new CRC32();
            crc.update(typeBytes);
            crc.update(data);
            out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
            out.writeBytes(typeBytes);
            out.writeBytes(data);
            out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        }

        private static byte[] wav() {
            int samples = 8;
            int dataBytes = samples * 2; // 16-bit mono
            ByteBuffer b = ByteBuffer.allocate(44 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
            b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + dataBytes)
                    .put("WAVE".getBytes(StandardCharsets.US_ASCII));
            b.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16)
                    .putShort((short) 1)        // PCM
                    .putShort((short) 1)        // mono
                    .putInt(8000)               // samples per second
                    .putInt(8000 * 2)           // bytes per second
                    .putShort((short) 2)        // bytes per frame
                    .putShort((short) 16);      // bits per sample
            b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(dataBytes);
            return b.array(); // the samples are the buffer's zeros: silence
        }
    }
}
