package io.mcppool.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * A gateway passes lists on "unchanged": fields of newer spec revisions that the records do not model survive
 * reading and writing, at the tool, annotation, prompt, resource and template level.
 */
class PassThroughFieldsTest {

    private static void roundTrips(String json, Class<?> type) throws Exception {
        JsonNode original = Json.mapper().readTree(json);
        JsonNode written = Json.toTree(Json.fromTree(original, type));
        // Numbers compare by value: a Long field writes 3 as a long node where the input read an int node.
        assertThat(original.equals((a, b) -> a.isNumber() && b.isNumber()
                ? a.decimalValue().compareTo(b.decimalValue()) : a.equals(b) ? 0 : 1, written))
                .as("%s written back as %s", original, written).isTrue();
    }

    @Test
    void toolKeepsUnknownFieldsAndAnnotations() throws Exception {
        roundTrips("""
                {"name":"t","title":"T","description":"d","inputSchema":{"type":"object","$schema":"https://json-schema.org/draft/2020-12/schema"},
                 "annotations":{"readOnlyHint":true,"x-vendor":{"a":1}},
                 "icons":[{"src":"data:image/png;base64,AA==","mimeType":"image/png"}],
                 "execution":{"taskSupport":"optional"},"_meta":{"k":"v"}}""", Tool.class);
    }

    @Test
    void promptsResourcesAndTemplatesKeepUnknownFields() throws Exception {
        roundTrips("""
                {"name":"p","arguments":[{"name":"a","required":true}],"icons":[{"src":"x"}]}""", Prompt.class);
        roundTrips("""
                {"uri":"test://r","name":"r","mimeType":"text/plain","icons":[{"src":"x"}],"size":3}""", Resource.class);
        roundTrips("""
                {"uriTemplate":"test://{id}","name":"t","icons":[{"src":"x"}]}""", ResourceTemplate.class);
    }

    @Test
    void annotationsStillDecideSafety() throws Exception {
        Tool t = Json.fromTree(Json.mapper().readTree("""
                {"name":"t","inputSchema":{"type":"object"},"annotations":{"readOnlyHint":true,"idempotentHint":true,"new":1}}"""),
                Tool.class);
        assertThat(t.annotations().readOnly()).isTrue();
        assertThat(t.annotations().idempotent()).isTrue();
        assertThat(t.annotations().extra()).containsKey("new");
    }
}
