package io.mcppool.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.protocol.CallToolResult;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.MalformedMessageException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The hand binding of a tools/call result reads exactly what Jackson's data binding reads, and fails where it fails. */
class ResultBindingTest {

    private static JsonNode parse(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}",
            "{\"content\":[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"image\",\"data\":\"AA==\",\"mimeType\":\"image/png\"},"
                    + "{\"type\":\"audio\",\"data\":\"AA==\"},{\"type\":\"resource_link\",\"uri\":\"file:///a\",\"name\":\"a\"},"
                    + "{\"type\":\"resource\",\"resource\":{\"uri\":\"file:///a\",\"text\":\"x\"}},{\"type\":\"new-kind\",\"x\":1}]}",
            "{\"content\":[{\"type\":\"text\",\"text\":\"boom\"}],\"isError\":true}",
            "{\"content\":[],\"isError\":false,\"structuredContent\":{\"a\":[1,2]},\"_meta\":{\"k\":\"v\"}}",
            "{\"content\":[],\"structuredContent\":null,\"_meta\":null,\"isError\":null}",
            "{}",
            "{\"content\":null}",
            "{\"content\":[\"not an object\", 3]}",
            "{\"content\":[{\"type\":\"text\",\"text\":\"a\"}, null]}",
            "{\"content\":[],\"isError\":\"true\"}",
            "{\"content\":[],\"isError\":1}",
            "{\"content\":[],\"extra\":{\"kept\":\"out\"}}",
    })
    void readsWhatTheDataBindingReads(String json) {
        JsonNode tree = parse(json);
        CallToolResult byJackson;
        try {
            byJackson = Json.fromTree(tree, CallToolResult.class);
        } catch (MalformedMessageException refused) {
            assertThatThrownBy(() -> ResultBinding.callToolResult(tree)).isInstanceOf(MalformedMessageException.class);
            return;
        }
        assertThat(ResultBinding.callToolResult(tree)).isEqualTo(byJackson);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "\"text\"", "3", "{\"content\":{\"type\":\"text\"}}", "{\"content\":[],\"isError\":{}}"})
    void failsWhereTheDataBindingFails(String json) {
        JsonNode tree = parse(json);
        assertThatThrownBy(() -> Json.fromTree(tree, CallToolResult.class)).isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> ResultBinding.callToolResult(tree)).isInstanceOf(MalformedMessageException.class);
    }
}
