package io.mcppool.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The codec builds trees itself: the same tree the data binding builds, node types and key order included. */
class TreeReaderTest {

    private static JsonNode parse(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return JsonRpcCodec.parse(bytes, 0, bytes.length);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"hello\"}]}}",
            "{\"a\":1,\"b\":2147483648,\"c\":9223372036854775807,\"d\":12345678901234567890123,\"e\":-0,\"f\":-0.0}",
            "{\"g\":1.5,\"h\":1e-400,\"i\":1.0E2,\"j\":0.1,\"k\":1e308,\"l\":-2147483649,\"m\":123456789012345678901.5}",
            "{\"dup\":1,\"other\":2,\"dup\":3}",
            "[1,\"two\",null,true,false,{},[],{\"k\":[{\"k\":[]}]}]",
            "\"top\"", "7", "null", "true", "{}", "[]", "  {\"spaced\" : [ 1 , 2 ] }  ",
            "{\"s\":\"\\u00e9\\ud83d\\ude00\\n\\\"\\\\\",\"u\":\"\u00e9\"}",
    })
    void buildsTheDataBindingsTree(String json) throws Exception {
        JsonNode reference = Json.mapper().readTree(json);
        JsonNode mine = parse(json);
        assertThat(mine).isEqualTo(reference);
        assertThat(Json.write(mine)).isEqualTo(Json.write(reference)); // key order and number forms too
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"n\":1e400}", "[-1e999]", "{\"a\":[1,2,{\"b\":1.7976931348623159e308}]}"})
    void refusesANumberBeyondADouble(String json) {
        assertThatThrownBy(() -> parse(json)).isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("out of the range of a double");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "{", "{\"a\":", "[1,2", "{\"a\":1}{", "{\"a\":1} x", "{\"a\" 1}", "[1,]", "{'a':1}", "nul"})
    void refusesWhatIsNotOneJsonValue(String json) {
        assertThatThrownBy(() -> parse(json)).isInstanceOf(MalformedMessageException.class);
    }

    /** Nesting is followed without recursion: a deep value parses on a thread with a stdio reader's small stack. */
    @Test
    void deepNestingNeedsNoDeepStack() throws Exception {
        String deep = "[".repeat(999) + "{\"k\":1}" + "]".repeat(999);
        CompletableFuture<JsonNode> parsed = new CompletableFuture<>();
        Thread t = new Thread(null, () -> {
            try {
                parsed.complete(parse(deep));
            } catch (Throwable e) {
                parsed.completeExceptionally(e);
            }
        }, "small-stack", 64 * 1024);
        t.start();
        JsonNode node = parsed.get(30, TimeUnit.SECONDS);
        for (int i = 0; i < 999; i++) {
            node = node.get(0);
        }
        assertThat(node.get("k").intValue()).isEqualTo(1);
        assertThatThrownBy(() -> parse("[".repeat(1001) + "]".repeat(1001)))
                .isInstanceOf(MalformedMessageException.class); // the parser's own depth limit still holds
    }
}
