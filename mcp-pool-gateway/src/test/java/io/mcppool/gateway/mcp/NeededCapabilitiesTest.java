package io.mcppool.gateway.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.protocol.Json;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** What a client session keeps of the capabilities its client declared in {@code initialize}. */
class NeededCapabilitiesTest {

    @Test
    void onlySamplingAndElicitationWithTheirKnownSubCapabilitiesAsEmptyObjects() throws IOException {
        JsonNode declared = Json.mapper().readTree("""
                {"sampling": {"tools": {"x": "y"}, "context": {}, "junk": [1, 2, 3]},
                 "elicitation": {"form": {}, "url": "not an object"},
                 "roots": {"listChanged": true},
                 "experimental": {"big": "%s"}}""".formatted("z".repeat(10_000)));
        JsonNode kept = GatewayDispatcher.neededCapabilities(declared);
        assertThat(kept).isEqualTo(Json.mapper().readTree("""
                {"sampling": {"context": {}, "tools": {}}, "elicitation": {"form": {}}}"""));
    }

    @Test
    void nothingOrSomethingThatIsNoObjectKeepsNothing() throws IOException {
        assertThat(Json.write(GatewayDispatcher.neededCapabilities(null))).isEqualTo("{}");
        assertThat(Json.write(GatewayDispatcher.neededCapabilities(Json.mapper().readTree("[1]")))).isEqualTo("{}");
        assertThat(Json.write(GatewayDispatcher.neededCapabilities(Json.mapper().readTree("{\"sampling\": true}"))))
                .isEqualTo("{}");
    }
}
