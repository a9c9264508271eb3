package io.mcppool.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonRpcCodecTest {

    @Test
    void requestRoundTripsAsOneLine() {
        var params = Json.object();
        params.put("name", "echo");
        params.putObject("arguments").put("message", "line1\nline2");
        String wire = JsonRpcCodec.encodeToString(new JsonRpcRequest(RequestId.of(7), "tools/call", params));
        assertThat(wire).doesNotContain("\n").startsWith("{\"jsonrpc\":\"2.0\",\"id\":7,");
        JsonRpcMessage back = JsonRpcCodec.decode(wire);
        assertThat(back).isInstanceOf(JsonRpcRequest.class);
        JsonRpcRequest r = (JsonRpcRequest) back;
        assertThat(r.id()).isEqualTo(RequestId.of(7));
        assertThat(r.params().path("arguments").path("message").asText()).isEqualTo("line1\nline2");
    }

    @Test
    void classifiesNotificationsResponsesAndErrors() {
        assertThat(JsonRpcCodec.decode("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"))
                .isEqualTo(new JsonRpcNotification("notifications/initialized", null));
        JsonRpcResponse ok = (JsonRpcResponse) JsonRpcCodec.decode("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"result\":{}}");
        assertThat(ok.id()).isEqualTo(RequestId.of("a"));
        assertThat(ok.isError()).isFalse();
        JsonRpcResponse err = (JsonRpcResponse) JsonRpcCodec.decode(
                "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error\"}}");
        assertThat(err.id()).isNull();
        assertThat(err.error().code()).isEqualTo(JsonRpcError.PARSE_ERROR);
    }

    @Test
    void errorResponseEncodesCodeAndMessage() {
        String wire = JsonRpcCodec.encodeToString(JsonRpcResponse.failure(RequestId.of("x"),
                JsonRpcError.of(JsonRpcError.METHOD_NOT_FOUND, "Method not found")));
        assertThat(wire).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"error\":{\"code\":-32601,\"message\":\"Method not found\"}}");
    }

    @Test
    void decodesFromBytesSlice() {
        byte[] bytes = "xx{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"a\":1}}yy".getBytes(StandardCharsets.UTF_8);
        JsonRpcResponse r = (JsonRpcResponse) JsonRpcCodec.decode(bytes, 2, bytes.length - 4);
        assertThat(r.result().path("a").asInt()).isEqualTo(1);
    }

    @Test
    void refusesWhatIsNotJsonRpc() {
        assertThatThrownBy(() -> JsonRpcCodec.decode("hello")).isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("not JSON");
        assertThatThrownBy(() -> JsonRpcCodec.decode("[1,2]")).hasMessageContaining("batches");
        assertThatThrownBy(() -> JsonRpcCodec.decode("{\"id\":1,\"result\":{}}")).hasMessageContaining("jsonrpc");
        assertThatThrownBy(() -> JsonRpcCodec.decode("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"x\"}"))
                .hasMessageContaining("id must be an integer or a string");
        assertThatThrownBy(() -> JsonRpcCodec.decode("{\"jsonrpc\":\"2.0\",\"id\":1}")).hasMessageContaining("neither");
        assertThatThrownBy(() -> JsonRpcCodec.decode("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}} {}"))
                .hasMessageContaining("trailing");
    }

    @Test
    void jsonrpcMustBeTheString2AndIdsAreStringsOrIntegersAsWritten() {
        assertThatThrownBy(() -> JsonRpcCodec.decode("{\"jsonrpc\":2.0,\"id\":1,\"method\":\"x\"}"))
                .hasMessageContaining("jsonrpc");
        assertThatThrownBy(() -> JsonRpcCodec.decode("{\"jsonrpc\":\"2\",\"id\":1,\"method\":\"x\"}"))
                .hasMessageContaining("jsonrpc");
        for (String id : new String[] {"1.0", "1e2", "-0.0", "12345678901234567890"}) {
            assertThatThrownBy(() -> JsonRpcCodec.decode("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"x\"}"))
                    .as(id).hasMessageContaining("id must be an integer or a string");
        }
        JsonRpcRequest r = (JsonRpcRequest) JsonRpcCodec.decode("{\"jsonrpc\":\"2.0\",\"id\":-7,\"method\":\"x\"}");
        assertThat(r.id()).isEqualTo(RequestId.of(-7));
    }

    @Test
    void parseTakesOneValueAndIdOfFindsAUsableId() {
        byte[] two = "{\"a\":1} {\"b\":2}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> JsonRpcCodec.parse(two, 0, two.length)).hasMessageContaining("trailing");
        byte[] empty = "  ".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> JsonRpcCodec.parse(empty, 0, empty.length)).isInstanceOf(MalformedMessageException.class);
        byte[] one = " [1, {\"id\": \"x\"}] \n".getBytes(StandardCharsets.UTF_8);
        JsonNode batch = JsonRpcCodec.parse(one, 0, one.length);
        assertThat(batch.isArray()).isTrue();
        assertThat(JsonRpcCodec.idOf(batch.get(0))).isNull();
        assertThat(JsonRpcCodec.idOf(batch.get(1))).isEqualTo(RequestId.of("x"));
        assertThat(JsonRpcCodec.idOf(readTree("{\"id\": 1.5}"))).isNull();
        assertThat(JsonRpcCodec.idOf(readTree("{\"id\": null}"))).isNull();
        assertThat(JsonRpcCodec.idOf(readTree("{\"id\": 3}"))).isEqualTo(RequestId.of(3));
    }

    @Test
    void callToolResultKeepsUnknownContentAsSent() {
        String json = "{\"content\":[{\"type\":\"text\",\"text\":\"hi\"},{\"type\":\"hologram\",\"depth\":3}],\"isError\":false}";
        CallToolResult r = Json.fromTree(Json.write(Json.toTree(Json.fromTree(readTree(json), CallToolResult.class)))
                .transform(JsonRpcCodecTest::readTree), CallToolResult.class);
        assertThat(r.text()).isEqualTo("hi");
        assertThat(r.content().get(1)).isInstanceOf(Content.Other.class);
        assertThat(r.content().get(1).json().path("depth").asInt()).isEqualTo(3);
        assertThat(r.failed()).isFalse();
    }

    /** Text and its bytes mean the same: a backslash-u escape whose last digit is not ASCII is refused either way. */
    @Test
    void anEscapeWithANonAsciiDigitIsRefusedAsTextAndAsBytes() {
        String text = "{\"jsonrpc\":\"2.0\",\"method\":\"a\",\"params\":{\"k\":\"\\u15e\u0463\"}}";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> JsonRpcCodec.decode(bytes, 0, bytes.length))
                .isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> JsonRpcCodec.decode(text))
                .isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> JsonRpcCodec.decode("{\"jsonrpc\":\"2.0\",\"method\":\"a\uD800\"}"))
                .as("a lone surrogate in text").isInstanceOf(MalformedMessageException.class);
    }

    /** A body Jackson takes for UTF-32 by its zero bytes is no JSON (-32700), not an I/O failure (the gateway's 500). */
    @Test
    void aBodyThatLooksLikeUtf32IsNotJson() {
        byte[] body = new byte[200];
        byte[] batch = "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(batch, 0, body, body.length - batch.length, batch.length);
        assertThatThrownBy(() -> JsonRpcCodec.parse(body, 0, body.length)).isInstanceOf(MalformedMessageException.class);
    }

    private static com.fasterxml.jackson.databind.JsonNode readTree(String s) {
        try {
            return Json.mapper().readTree(s);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
