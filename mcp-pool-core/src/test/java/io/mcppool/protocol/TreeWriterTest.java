package io.mcppool.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The codec writes trees itself: byte for byte what the data binding writes, for every kind of node. */
class TreeWriterTest {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    static Stream<JsonNode> trees() throws IOException {
        ObjectNode all = F.objectNode();
        all.put("s", "text with \"quotes\", \\ and \u00e9\ud83d\ude00 and \u0001");
        all.put("i", 42).put("neg", -7).put("l", Long.MIN_VALUE).put("short", (short) 3);
        all.put("d", 2.5).put("tiny", 1e-300).put("f", 1.1f).put("nan", Double.NaN).put("inf", Double.NEGATIVE_INFINITY);
        all.put("bd", new BigDecimal("1.10")).put("bde", new BigDecimal("1E+3")).put("bi", new BigInteger("123456789012345678901234567890"));
        all.put("t", true).put("fa", false).putNull("n");
        all.putArray("empty");
        all.putObject("emptyObject");
        all.putArray("mixed").add(1).add("two").addNull().add(F.objectNode().put("k", "v")).add(F.arrayNode().add(3.0));
        all.put("bin", new byte[] {1, 2, 3});
        all.putPOJO("pojo", java.util.Map.of("a", 1));
        all.putRawValue("raw", new com.fasterxml.jackson.databind.util.RawValue("{\"r\":1}"));
        JsonNode parsed = Json.mapper().readTree("{\"deep\":" + "[".repeat(200) + "1" + "]".repeat(200) + ",\"dup\":1,\"x\":1e5}");
        return Stream.of(all, parsed, F.objectNode(), F.arrayNode(), F.textNode("top"), F.numberNode(7), F.nullNode());
    }

    private static String reference(JsonNode tree) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = Json.mapper().getFactory().createGenerator(out, JsonEncoding.UTF8)) {
            Json.mapper().writeTree(g, tree);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String mine(JsonNode tree) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = Json.mapper().getFactory().createGenerator(out, JsonEncoding.UTF8)) {
            JsonRpcCodec.writeTree(g, tree);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @MethodSource("trees")
    void writesWhatTheDataBindingWrites(JsonNode tree) throws IOException {
        assertThat(mine(tree)).isEqualTo(reference(tree));
    }

    @ParameterizedTest
    @MethodSource("trees")
    void aMessageCarriesItsParamsAsTheDataBindingWritesThem(JsonNode tree) throws IOException {
        String encoded = JsonRpcCodec.encodeToString(new JsonRpcRequest(RequestId.of(1), "m", tree));
        assertThat(encoded).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"params\":" + reference(tree) + "}");
    }
}
