package io.mcppool.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ArgumentsTest {

    @Test
    void numbersBooleansAndNullAreJson() {
        assertThat(Arguments.value("42").isInt()).isTrue();
        assertThat(Arguments.value("-2.5").decimalValue()).isEqualByComparingTo("-2.5");
        assertThat(Arguments.value("1e3").isNumber()).isTrue();
        assertThat(Arguments.value("true").isBoolean()).isTrue();
        assertThat(Arguments.value("null").isNull()).isTrue();
    }

    @Test
    void objectsArraysAndQuotedStringsAreJson() {
        JsonNode object = Arguments.value("{\"path\": \"/tmp\", \"depth\": 2}");
        assertThat(object.isObject()).isTrue();
        assertThat(object.path("depth").asInt()).isEqualTo(2);
        assertThat(Arguments.value("[1, \"two\"]").size()).isEqualTo(2);
        JsonNode quoted = Arguments.value("\"42\"");
        assertThat(quoted.isTextual()).isTrue();
        assertThat(quoted.asText()).isEqualTo("42");
    }

    @Test
    void anythingElseIsThePlainString() {
        for (String s : List.of("hello", "hello world", "", " ", "007", "1 2", "{not json", "True", "/srv/data", "a=b",
                "NaN", "'single'")) {
            JsonNode v = Arguments.value(s);
            assertThat(v.isTextual()).as(s).isTrue();
            assertThat(v.asText()).as(s).isEqualTo(s);
        }
    }

    @Test
    void argSplitsOnTheFirstEqualsSign() {
        ObjectNode args = Arguments.build(null, List.of("query=a=b", "n=3"));

        assertThat(args.path("query").asText()).isEqualTo("a=b");
        assertThat(args.path("n").isInt()).isTrue();
    }

    @Test
    void argWinsOverTheSameKeyInJson() {
        ObjectNode args = Arguments.build("{\"a\": 1, \"b\": {\"c\": true}}", List.of("a=2"));

        assertThat(args.path("a").asInt()).isEqualTo(2);
        assertThat(args.at("/b/c").asBoolean()).isTrue();
    }

    @Test
    void jsonMayComeFromAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("args.json");
        Files.writeString(file, "{\"message\": \"from a file\"}");

        assertThat(Arguments.build("@" + file, null).path("message").asText()).isEqualTo("from a file");
    }

    @Test
    void mistakesAreReported() {
        assertThatThrownBy(() -> Arguments.build(null, List.of("novalue"))).isInstanceOf(Arguments.BadArgument.class)
                .hasMessageContaining("KEY=VALUE");
        assertThatThrownBy(() -> Arguments.build(null, List.of("=x"))).isInstanceOf(Arguments.BadArgument.class);
        assertThatThrownBy(() -> Arguments.build("[1]", null)).hasMessageContaining("must be a JSON object");
        assertThatThrownBy(() -> Arguments.build("{\"a\": 1} x", null)).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> Arguments.build("@/no/such/file.json", null)).hasMessageContaining("cannot read");
    }

    @Test
    void durations() {
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
        for (String bad : List.of("30", "0s", "-1s", "5 s", "soon", "2d")) {
            assertThatThrownBy(() -> Durations.parse(bad)).as(bad).isInstanceOf(CommandLine.TypeConversionException.class);
        }
    }

    @Test
    void endpointsAreShortened() {
        assertThat(Text.command("/usr/lib/jvm/java-21/bin/java",
                List.of("-cp", "/a/b/one.jar:/a/b/two.jar", "com.example.Main")))
                .isEqualTo("java -cp one.jar:...(2) com.example.Main");
        assertThat(Text.command("npx", List.of("-y", "@modelcontextprotocol/server-filesystem", "/srv/data")))
                .isEqualTo("npx -y @modelcontextprotocol/server-filesystem /srv/data");
        String longOne = Text.command("/usr/bin/java", List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Xshare:auto", "-XX:-UsePerfData", "-cp", "/x/mcp-pool.jar", "io.mcppool.testkit.TestkitServer"));
        assertThat(longOne).isEqualTo("java ... io.mcppool.testkit.TestkitServer");
        assertThat(Text.url(java.net.URI.create("https://u:p@h.example:8443/mcp?key=s"))).isEqualTo("https://h.example:8443/mcp?...");
        assertThat(Text.duration(Duration.ofSeconds(90))).isEqualTo("1m30s");
        assertThat(Text.duration(Duration.ofMillis(250))).isEqualTo("250ms");
    }
}
