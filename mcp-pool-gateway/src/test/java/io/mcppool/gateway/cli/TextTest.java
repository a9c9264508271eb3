package io.mcppool.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.protocol.CallToolResult;
import io.mcppool.protocol.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextTest {

    @Test
    void everyKindOfBlockIsPrintedOnItsOwnLine() throws Exception {
        String png = Base64.getEncoder().encodeToString(new byte[1234]);
        JsonNode json = Json.mapper().readTree("""
                {"content": [
                  {"type": "text", "text": "first"},
                  {"type": "image", "data": "%s", "mimeType": "image/png"},
                  {"type": "audio", "data": "AAAA", "mimeType": "audio/wav"},
                  {"type": "resource_link", "uri": "file:///srv/a.txt", "name": "a.txt"},
                  {"type": "resource", "resource": {"uri": "file:///srv/b.txt", "mimeType": "text/plain", "text": "hello"}},
                  {"type": "hologram", "data": "?"},
                  {"type": "text", "text": "last\\n"}
                ],
                 "structuredContent": {"ok": true}}
                """.formatted(png));
        CallToolResult result = Json.fromTree(json, CallToolResult.class);
        StringWriter out = new StringWriter();
        PrintWriter w = new PrintWriter(out);

        CallCommand.print(w, result);
        w.flush();

        assertThat(out.toString().lines().toList()).containsExactly(
                "first",
                "[image image/png, 1234 bytes]",
                "[audio audio/wav, 3 bytes]",
                "[resource link file:///srv/a.txt (a.txt)]",
                "[resource file:///srv/b.txt text/plain, 5 chars]",
                "[hologram block]",
                "last",
                "{",
                "  \"ok\" : true",
                "}");
    }

    @Test
    void tablesAlignColumnsAndCutLongLines() {
        StringWriter out = new StringWriter();
        PrintWriter w = new PrintWriter(out);

        Text.table(w, List.of(List.of("a", "one", "x".repeat(200)), List.of("bbbb", "2", "short")));
        w.flush();

        List<String> lines = out.toString().lines().toList();
        assertThat(lines.get(0)).hasSize(Text.WIDTH).startsWith("a     one  xxx").endsWith("...");
        assertThat(lines.get(1)).isEqualTo("bbbb  2    short");
    }

    @Test
    void oneLineCollapsesWhitespace() {
        assertThat(Text.oneLine("  a\n  b\tc  ")).isEqualTo("a b c");
        assertThat(Text.oneLine(null)).isEmpty();
    }
}
