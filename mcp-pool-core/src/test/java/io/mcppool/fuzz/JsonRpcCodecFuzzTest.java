package io.mcppool.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.protocol.JsonRpcCodec;
import io.mcppool.protocol.JsonRpcError;
import io.mcppool.protocol.JsonRpcMessage;
import io.mcppool.protocol.JsonRpcNotification;
import io.mcppool.protocol.JsonRpcRequest;
import io.mcppool.protocol.JsonRpcResponse;
import io.mcppool.protocol.MalformedMessageException;
import io.mcppool.protocol.RequestId;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * {@link JsonRpcCodec} on whatever bytes a peer may send, and on whatever messages a caller may build.
 * Properties: bad input fails only with {@link MalformedMessageException} or {@link IllegalArgumentException};
 * what decodes re-encodes as one line of UTF-8 that decodes to the same message, from bytes and from text alike;
 * and a message costs a bounded multiple of its size to decode.
 *
 * <p>Without {@code JAZZER_FUZZ} this runs over the committed inputs ({@code JsonRpcCodecFuzzTestInputs}) as
 * part of the ordinary build; {@code scripts/fuzz.sh codec DURATION} fuzzes it (docs/fuzzing.md).
 */
class JsonRpcCodecFuzzTest {
    /**
     * What a decode may allocate: this many times the input, plus a constant for the parser's own buffers. The
     * codec keeps the whole message as a tree, a few dozen bytes per token; anything far past that is a parser
     * that expands its input.
     */
    static final long BYTES_PER_INPUT_BYTE = 200;
    static final long FIXED_BYTES = 2L << 20;

    @FuzzTest
    @Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void decodeThenEncode(byte[] input) {
        Allocation.Measured<JsonRpcMessage> decoded = Allocation.measureWarm(
                () -> JsonRpcCodec.decode(input, 0, input.length),
                FIXED_BYTES + BYTES_PER_INPUT_BYTE * input.length);
        assertThat(decoded.bytes()).as("bytes allocated to decode %d bytes", input.length)
                .isLessThanOrEqualTo(FIXED_BYTES + BYTES_PER_INPUT_BYTE * input.length);
        String text = sameTextAsBytes(input);
        if (decoded.failure() != null) {
            assertRefused(decoded.failure());
            if (text != null) {
                // The same text as a String (the stdio reader's and the tests' path) is refused too.
                RuntimeException again = refusal(() -> JsonRpcCodec.decode(text));
                assertThat(again).as("decode(String) of text that decode(byte[]) refused").isNotNull();
                assertRefused(again);
            }
            return;
        }
        JsonRpcMessage message = decoded.value();
        if (text != null) {
            assertThat(JsonRpcCodec.decode(text)).as("decode(String) of the same text").isEqualTo(message);
        }
        assertRoundTrip(message);
    }

    /** Messages built by a caller (the pool, the gateway), including values no decode produces. */
    @FuzzTest
    @Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void encodeThenDecode(FuzzedDataProvider data) {
        JsonRpcMessage message = message(data);
        byte[] wire;
        try {
            wire = JsonRpcCodec.encode(message);
        } catch (IllegalArgumentException e) {
            return; // a value JSON cannot carry, refused by name
        }
        assertOneLineOfUtf8(wire);
        JsonRpcMessage back = JsonRpcCodec.decode(wire, 0, wire.length);
        assertThat(sameMessage(back, message)).as("decode(encode(m)) of %s is %s", message, back).isTrue();
    }

    /**
     * Equal as JSON says: an integer is the same whether a tree held it as an int, a long or a BigInteger (the
     * parser picks the smallest that fits), and nothing else is loosened.
     */
    private static boolean sameMessage(JsonRpcMessage a, JsonRpcMessage b) {
        return switch (a) {
            case JsonRpcRequest r when b instanceof JsonRpcRequest o ->
                    r.id().equals(o.id()) && r.method().equals(o.method()) && sameJson(r.params(), o.params());
            case JsonRpcNotification n when b instanceof JsonRpcNotification o ->
                    n.method().equals(o.method()) && sameJson(n.params(), o.params());
            case JsonRpcResponse r when b instanceof JsonRpcResponse o -> java.util.Objects.equals(r.id(), o.id())
                    && sameJson(r.result(), o.result()) && (r.error() == null ? o.error() == null : o.error() != null
                    && r.error().code() == o.error().code() && r.error().message().equals(o.error().message())
                    && sameJson(r.error().data(), o.error().data()));
            default -> false;
        };
    }

    private static boolean sameJson(JsonNode a, JsonNode b) {
        return a == null ? b == null : b != null && a.equals(SAME_NUMBER, b);
    }

    private static final java.util.Comparator<JsonNode> SAME_NUMBER = (x, y) -> {
        if (x.isIntegralNumber() && y.isIntegralNumber()) {
            return x.bigIntegerValue().compareTo(y.bigIntegerValue());
        }
        return x.equals(y) ? 0 : 1;
    };

    private static void assertRoundTrip(JsonRpcMessage message) {
        byte[] wire = JsonRpcCodec.encode(message);
        assertOneLineOfUtf8(wire);
        JsonRpcMessage back = JsonRpcCodec.decode(wire, 0, wire.length);
        assertThat(back).as("decode(encode(m)) of %s", new String(wire, StandardCharsets.UTF_8)).isEqualTo(message);
        assertThat(JsonRpcCodec.encode(back)).as("encoding is stable").isEqualTo(wire);
    }

    private static void assertOneLineOfUtf8(byte[] wire) {
        String text = strictUtf8(wire);
        assertThat(text).as("the encoding is UTF-8").isNotNull();
        assertThat(text).as("the encoding is one line").doesNotContain("\n", "\r");
    }

    private static void assertRefused(RuntimeException e) {
        assertThat(e).as("how bad input is refused")
                .isInstanceOfAny(MalformedMessageException.class, IllegalArgumentException.class);
        assertThat(e.getMessage()).as("a refusal says why").isNotBlank();
    }

    private static RuntimeException refusal(Runnable work) {
        try {
            work.run();
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    /**
     * The text of {@code bytes} if decoding it as a String must give what decoding the bytes gives, else null: the
     * bytes are well-formed UTF-8, and Jackson's detection of the encoding from the first four bytes (a byte order
     * mark, or the zero bytes of UTF-16 and UTF-32) has nothing to find, which a String has no use for.
     */
    private static String sameTextAsBytes(byte[] bytes) {
        for (int i = 0; i < Math.min(4, bytes.length); i++) {
            if (bytes[i] == 0) {
                return null;
            }
        }
        String text = strictUtf8(bytes);
        return text == null || text.startsWith("\uFEFF") ? null : text;
    }

    /** The text of {@code bytes} if they are well-formed UTF-8, else null. */
    static String strictUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    // ------------------------------------------------------------------ messages from fuzz data

    private static JsonRpcMessage message(FuzzedDataProvider data) {
        return switch (data.consumeInt(0, 3)) {
            case 0 -> new JsonRpcRequest(id(data), data.consumeString(40), params(data));
            case 1 -> new JsonRpcNotification(data.consumeString(40), params(data));
            case 2 -> JsonRpcResponse.success(id(data), value(data, 0));
            // error data that is JSON null is read back as no data: the codec treats both alike
            default -> JsonRpcResponse.failure(data.consumeBoolean() ? null : id(data), new JsonRpcError(
                    data.consumeInt(), data.consumeString(60), data.consumeBoolean() ? null : object(data, 1)));
        };
    }

    private static RequestId id(FuzzedDataProvider data) {
        return data.consumeBoolean() ? RequestId.of(data.consumeLong()) : RequestId.of(data.consumeString(20));
    }

    /** Null or a structured value, as JSON-RPC has them (a JSON null would come back as no params at all). */
    private static JsonNode params(FuzzedDataProvider data) {
        return switch (data.consumeInt(0, 2)) {
            case 0 -> null;
            case 1 -> object(data, 1);
            default -> array(data, 1);
        };
    }

    private static JsonNode value(FuzzedDataProvider data, int depth) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (data.consumeInt(0, depth >= 6 ? 5 : 7)) {
            case 0 -> f.nullNode();
            case 1 -> f.booleanNode(data.consumeBoolean());
            case 2 -> f.numberNode(data.consumeLong());
            // finite, as JSON numbers are; what a caller's NaN should become is not this test's question
            case 3 -> f.numberNode(data.consumeRegularDouble());
            case 4 -> f.textNode(data.consumeString(80));
            case 5 -> f.numberNode(new BigInteger(1, data.consumeBytes(24)));
            case 6 -> object(data, depth + 1);
            default -> array(data, depth + 1);
        };
    }

    private static ObjectNode object(FuzzedDataProvider data, int depth) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        int n = data.consumeInt(0, 6);
        for (int i = 0; i < n; i++) {
            o.set(data.consumeString(16), value(data, depth));
        }
        return o;
    }

    private static ArrayNode array(FuzzedDataProvider data, int depth) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        int n = data.consumeInt(0, 6);
        for (int i = 0; i < n; i++) {
            a.add(value(data, depth));
        }
        return a;
    }
}
