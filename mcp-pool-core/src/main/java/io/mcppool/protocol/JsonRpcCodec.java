package io.mcppool.protocol;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ShortNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.NumericNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Reads and writes JSON-RPC 2.0 messages. Output is one compact line with no embedded newline, as
 * the stdio transport requires; input is validated just enough to classify the message and refuse
 * what is not JSON-RPC 2.0.
 */
public final class JsonRpcCodec {
    private static final ObjectMapper MAPPER = Json.mapper();
    private static final JsonFactory FACTORY = MAPPER.getFactory();
    private static final JsonNodeFactory NODES = new FiniteNumbers();

    private JsonRpcCodec() {
    }

    public static byte[] encode(JsonRpcMessage message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128); // a request or a short answer fits
        write(message, out);
        return out.toByteArray();
    }

    public static String encodeToString(JsonRpcMessage message) {
        return new String(encode(message), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Writes the message to {@code out} without a trailing newline and without closing it. */
    public static void write(JsonRpcMessage message, OutputStream out) {
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.writeStartObject();
            g.writeStringField("jsonrpc", "2.0");
            switch (message) {
                case JsonRpcRequest r -> {
                    writeId(g, r.id());
                    g.writeStringField("method", r.method());
                    if (r.params() != null) {
                        g.writeFieldName("params");
                        writeTree(g, r.params());
                    }
                }
                case JsonRpcNotification n -> {
                    g.writeStringField("method", n.method());
                    if (n.params() != null) {
                        g.writeFieldName("params");
                        writeTree(g, n.params());
                    }
                }
                case JsonRpcResponse r -> {
                    writeId(g, r.id());
                    if (r.error() != null) {
                        g.writeObjectFieldStart("error");
                        g.writeNumberField("code", r.error().code());
                        g.writeStringField("message", r.error().message() == null ? "" : r.error().message());
                        if (r.error().data() != null) {
                            g.writeFieldName("data");
                            writeTree(g, r.error().data());
                        }
                        g.writeEndObject();
                    } else {
                        g.writeFieldName("result");
                        if (r.result() == null) {
                            g.writeStartObject();
                            g.writeEndObject();
                        } else {
                            writeTree(g, r.result());
                        }
                    }
                }
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes a tree as the data binding would, without making a serializer provider for it: objects, arrays, strings,
     * booleans, nulls, ints and longs are written here, every other node (a double, a big number, binary, a POJO) by
     * the data binding, so each writes exactly what it did before.
     */
    static void writeTree(JsonGenerator g, JsonNode node) throws IOException {
        switch (node.getNodeType()) {
            case OBJECT -> {
                g.writeStartObject();
                for (Map.Entry<String, JsonNode> e : node.properties()) {
                    g.writeFieldName(e.getKey());
                    writeTree(g, e.getValue());
                }
                g.writeEndObject();
            }
            case ARRAY -> {
                g.writeStartArray();
                for (JsonNode item : node) {
                    writeTree(g, item);
                }
                g.writeEndArray();
            }
            case STRING -> g.writeString(node.textValue());
            case BOOLEAN -> g.writeBoolean(node.booleanValue());
            case NULL -> g.writeNull();
            case NUMBER -> {
                if (node instanceof IntNode || node instanceof ShortNode) {
                    g.writeNumber(node.intValue());
                } else if (node instanceof LongNode) {
                    g.writeNumber(node.longValue());
                } else {
                    MAPPER.writeTree(g, node);
                }
            }
            default -> MAPPER.writeTree(g, node);
        }
    }

    private static void writeId(JsonGenerator g, RequestId id) throws IOException {
        if (id == null) {
            g.writeNullField("id");
        } else if (id.isNumber()) {
            g.writeNumberField("id", id.number());
        } else {
            g.writeStringField("id", id.string());
        }
    }

    public static JsonRpcMessage decode(String text) {
        return decode(readTree(text));
    }

    public static JsonRpcMessage decode(byte[] bytes, int offset, int length) {
        try (JsonParser p = FACTORY.createParser(bytes, offset, length)) {
            return decode(readSingle(p));
        } catch (JsonProcessingException e) {
            throw new MalformedMessageException("not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw notJson(e);
        }
    }

    /**
     * Parses one JSON value, as the body of an HTTP request: a value that is not JSON, is empty, or is followed by
     * anything but whitespace (a second message) is a {@link MalformedMessageException}, which JSON-RPC answers with
     * -32700 (parse error). Whether the value is a JSON-RPC message is {@link #decode(JsonNode)}'s to say (-32600).
     * Jackson's read limits apply: nesting depth, number and string lengths.
     */
    public static JsonNode parse(byte[] bytes, int offset, int length) {
        try (JsonParser p = FACTORY.createParser(bytes, offset, length)) {
            return readSingle(p);
        } catch (JsonProcessingException e) {
            throw new MalformedMessageException("not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw notJson(e);
        }
    }

    /**
     * Text is parsed as its UTF-8 bytes, by the same parser as bytes. Jackson's parser of characters reads the four
     * hex digits of a backslash-u escape by their low byte only, so an escape ending in U+0463 (a Cyrillic letter
     * whose low byte is the letter c) was read as if it ended in c, where the byte parser refuses it (found by the
     * codec fuzz test): a message must mean one thing whichever way it came in. Text with a lone surrogate has no
     * UTF-8 form and is no message.
     */
    private static JsonNode readTree(String text) {
        byte[] bytes;
        try {
            bytes = toUtf8(text);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new MalformedMessageException("not JSON: text with a lone surrogate, which has no UTF-8 form", e);
        }
        try (JsonParser p = FACTORY.createParser(bytes)) {
            return readSingle(p);
        } catch (JsonProcessingException e) {
            throw new MalformedMessageException("not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw notJson(e);
        }
    }

    private static byte[] toUtf8(String text) throws java.nio.charset.CharacterCodingException {
        java.nio.ByteBuffer encoded = java.nio.charset.StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                .encode(java.nio.CharBuffer.wrap(text));
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        return bytes;
    }

    /**
     * An I/O failure of a parser that reads memory is the content's: bytes Jackson took for UTF-32 by their zero
     * bytes but that are not ({@link java.io.CharConversionException}). Such bytes are not a message, as any
     * other unreadable line; a stdio reader that saw an {@link UncheckedIOException} would end the session.
     */
    private static MalformedMessageException notJson(IOException e) {
        return new MalformedMessageException("not JSON: " + e.getMessage(), e);
    }

    private static JsonNode readSingle(JsonParser p) throws IOException {
        JsonToken first = p.nextToken();
        if (first == null) {
            throw new MalformedMessageException("empty message");
        }
        JsonNode node = readValue(p, first);
        if (p.nextToken() != null) {
            throw new MalformedMessageException("trailing data after the JSON value");
        }
        return node;
    }

    /**
     * The tree of the value that starts at {@code first}, built as the data binding builds it (the same node types,
     * a repeated key's last value in its first place, numbers through {@link FiniteNumbers}) but without a
     * deserialization context per message. Nesting is followed with a stack of its own, not by recursion: a stdio
     * reader's stack is small, and the parser allows deep nesting (its own limits apply: depth, lengths).
     */
    static JsonNode readValue(JsonParser p, JsonToken first) throws IOException {
        if (first != JsonToken.START_OBJECT && first != JsonToken.START_ARRAY) {
            return scalar(p, first);
        }
        ContainerNode<?> root = first == JsonToken.START_OBJECT ? NODES.objectNode() : NODES.arrayNode();
        ContainerNode<?>[] stack = null;
        int depth = 0;
        ContainerNode<?> current = root;
        while (true) {
            String field = null;
            JsonToken t;
            if (current instanceof ObjectNode) {
                field = p.nextFieldName();
                if (field == null) { // the object's end
                    if (depth == 0) {
                        return root;
                    }
                    current = stack[--depth];
                    continue;
                }
                t = p.nextToken();
            } else {
                t = p.nextToken();
                if (t == JsonToken.END_ARRAY) {
                    if (depth == 0) {
                        return root;
                    }
                    current = stack[--depth];
                    continue;
                }
            }
            if (t == null) {
                throw new MalformedMessageException("not JSON: the input ends inside a value");
            }
            JsonNode value;
            boolean container = t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY;
            value = container ? (t == JsonToken.START_OBJECT ? NODES.objectNode() : NODES.arrayNode()) : scalar(p, t);
            if (current instanceof ObjectNode o) {
                o.replace(field, value);
            } else {
                ((ArrayNode) current).add(value);
            }
            if (container) {
                if (stack == null) {
                    stack = new ContainerNode<?>[8];
                } else if (depth == stack.length) {
                    stack = java.util.Arrays.copyOf(stack, depth * 2);
                }
                stack[depth++] = current;
                current = (ContainerNode<?>) value;
            }
        }
    }

    private static JsonNode scalar(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case VALUE_STRING -> NODES.textNode(p.getText());
            case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
                case INT -> NODES.numberNode(p.getIntValue());
                case LONG -> NODES.numberNode(p.getLongValue());
                default -> NODES.numberNode(p.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> p.getNumberType() == JsonParser.NumberType.BIG_DECIMAL
                    ? NODES.numberNode(p.getDecimalValue()) : NODES.numberNode(p.getDoubleValue());
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default -> throw new MalformedMessageException("not JSON: unexpected " + t);
        };
    }

    /**
     * Trees of messages read here. A number beyond a double's range (1e400) would be read as Infinity, which
     * Jackson writes back as the string "Infinity": a message passed on would carry another value of another
     * type. It is refused instead, as a number JSON allows but this codec cannot carry.
     */
    private static final class FiniteNumbers extends JsonNodeFactory {
        private static final long serialVersionUID = 1L;

        @Override
        public NumericNode numberNode(double v) {
            return super.numberNode(finite(v));
        }

        @Override
        public NumericNode numberNode(float v) {
            return super.numberNode((float) finite(v));
        }

        private static double finite(double v) {
            if (!Double.isFinite(v)) {
                throw new MalformedMessageException("a number is out of the range of a double");
            }
            return v;
        }
    }

    /** Classifies an already parsed JSON value. */
    public static JsonRpcMessage decode(JsonNode node) {
        if (!node.isObject()) {
            throw new MalformedMessageException(node.isArray()
                    ? "JSON-RPC batches are not supported" : "a JSON-RPC message must be an object, got " + node.getNodeType());
        }
        JsonNode version = node.get("jsonrpc");
        // The string "2.0" exactly: asText() would also take the number 2.0.
        if (version == null || !version.isTextual() || !"2.0".equals(version.textValue())) {
            throw new MalformedMessageException("missing or wrong \"jsonrpc\": expected \"2.0\"");
        }
        JsonNode method = node.get("method");
        JsonNode idNode = node.get("id");
        if (method != null) {
            if (!method.isTextual()) {
                throw new MalformedMessageException("\"method\" must be a string");
            }
            JsonNode params = node.get("params");
            if (params != null && params.isNull()) {
                params = null;
            }
            if (idNode == null) {
                return new JsonRpcNotification(method.textValue(), params);
            }
            return new JsonRpcRequest(readId(idNode, false), method.textValue(), params);
        }
        JsonNode error = node.get("error");
        JsonNode result = node.get("result");
        if (error != null && error.isObject()) {
            JsonNode code = error.get("code");
            JsonNode message = error.get("message");
            JsonNode data = error.get("data");
            return JsonRpcResponse.failure(idNode == null ? null : readId(idNode, true), new JsonRpcError(
                    code != null && code.canConvertToInt() ? code.intValue() : JsonRpcError.INTERNAL_ERROR,
                    message == null ? "" : message.asText(), data == null || data.isNull() ? null : data));
        }
        if (result != null) {
            if (idNode == null || idNode.isNull()) {
                throw new MalformedMessageException("a result without an id");
            }
            return JsonRpcResponse.success(readId(idNode, false), result);
        }
        throw new MalformedMessageException("neither a request, a notification nor a response");
    }

    /**
     * The id of a message that may not be valid otherwise, so that an error about it can name it: its {@code id}
     * when that is a string or an integer, else null (JSON-RPC: "If there was an error in detecting the id in the
     * Request object (e.g. Parse error/Invalid Request), it MUST be Null").
     */
    public static RequestId idOf(JsonNode message) {
        JsonNode id = message == null || !message.isObject() ? null : message.get("id");
        if (id == null) {
            return null;
        }
        try {
            return readId(id, true);
        } catch (MalformedMessageException e) {
            return null;
        }
    }

    /** A request id written in a message's params ({@code notifications/cancelled}'s {@code requestId}). */
    public static RequestId requestId(JsonNode id) {
        return readId(id, false);
    }

    private static RequestId readId(JsonNode id, boolean nullAllowed) {
        JsonNodeType type = id.getNodeType();
        return switch (type) {
            case NUMBER -> {
                // Not 1.0 nor 1e2 either: read as the integer 1, the answer would carry an id the client never sent.
                if (!id.isIntegralNumber() || !id.canConvertToLong()) {
                    throw new MalformedMessageException("id must be an integer or a string, got " + id);
                }
                yield RequestId.of(id.longValue());
            }
            case STRING -> RequestId.of(id.textValue());
            case NULL -> {
                if (nullAllowed) {
                    yield null;
                }
                throw new MalformedMessageException("id must not be null");
            }
            default -> throw new MalformedMessageException("id must be an integer or a string, got " + type);
        };
    }
}
