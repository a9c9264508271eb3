package io.mcppool.internal.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.mcppool.catalog.CatalogEntry;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.Prompt;
import io.mcppool.protocol.Resource;
import io.mcppool.protocol.ResourceTemplate;
import io.mcppool.protocol.Tool;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CatalogIndexTest {

    static Tool tool(String name) {
        return new Tool(name, "the " + name + " tool", Json.object().put("type", "object"));
    }

    static Prompt prompt(String name) {
        return new Prompt(name, null, null, List.of(), null);
    }

    static Resource resource(String uri) {
        return new Resource(uri, uri, null, null, null, null, null, null);
    }

    static ResourceTemplate template(String uriTemplate) {
        return new ResourceTemplate(uriTemplate, uriTemplate, null, null, null, null, null);
    }

    static CatalogIndex.ServerView view(String server, String prefix, List<Tool> tools, List<Prompt> prompts) {
        return new CatalogIndex.ServerView(server, prefix, server.startsWith("trusted"), tools, List.of(), List.of(),
                prompts);
    }

    @Test
    void namesArePrefixSeparatorNameOrTheNameAloneWithoutAPrefix() {
        assertThat(CatalogIndex.aggregateName("files", "__", "read_file")).isEqualTo("files__read_file");
        assertThat(CatalogIndex.aggregateName("files", ".", "read_file")).isEqualTo("files.read_file");
        assertThat(CatalogIndex.aggregateName("", "__", "read_file")).isEqualTo("read_file");
    }

    @Test
    void toolsAndPromptsResolveByAggregateNameToServerAndUpstreamName() {
        Tool read = tool("read_file");
        CatalogIndex index = CatalogIndex.build(List.of(
                view("files", "files", List.of(read), List.of(prompt("summarize"))),
                view("trusted-search", "", List.of(tool("query")), List.of())), "__");

        CatalogEntry entry = index.tool("files__read_file").orElseThrow();
        assertThat(entry.server()).isEqualTo("files");
        assertThat(entry.name()).isEqualTo("read_file");
        assertThat(entry.tool()).containsSame(read);
        assertThat(entry.trusted()).isFalse();
        assertThat(index.tool("query").orElseThrow().trusted()).isTrue();
        assertThat(index.tool("read_file")).as("only under its aggregate name").isEmpty();
        assertThat(index.prompt("files__summarize").orElseThrow().tool()).isEmpty();
        assertThat(index.tool("files__summarize")).as("prompts and tools are apart").isEmpty();
        assertThat(index.clashes()).isEmpty();
    }

    @Test
    void aNameTwoServersClaimResolvesToNeitherAndIsReportedWithBoth() {
        CatalogIndex index = CatalogIndex.build(List.of(
                view("a", "", List.of(tool("search"), tool("only_a")), List.of(prompt("greet"))),
                view("b", "", List.of(tool("search")), List.of(prompt("greet"))),
                view("c", "", List.of(tool("search")), List.of())), "__");

        assertThat(index.tool("search")).isEmpty();
        assertThat(index.prompt("greet")).isEmpty();
        assertThat(index.tool("only_a")).isPresent();
        assertThat(index.clashes()).containsExactly(
                Map.entry("greet", List.of("a", "b")),
                Map.entry("search", List.of("a", "b", "c")));
    }

    @Test
    void prefixesTellClashingNamesApart() {
        CatalogIndex index = CatalogIndex.build(List.of(
                view("a", "a", List.of(tool("search")), List.of()),
                view("b", "b", List.of(tool("search")), List.of())), "__");
        assertThat(index.clashes()).isEmpty();
        assertThat(index.tool("a__search").orElseThrow().server()).isEqualTo("a");
        assertThat(index.tool("b__search").orElseThrow().server()).isEqualTo("b");
    }

    @Test
    void aPrefixedNameCanClashWithAnUnprefixedOne() {
        CatalogIndex index = CatalogIndex.build(List.of(
                view("a", "a", List.of(tool("x")), List.of()),
                view("b", "", List.of(tool("a__x")), List.of())), "__");
        assertThat(index.clashes()).containsOnlyKeys("a__x");
        assertThat(index.tool("a__x")).isEmpty();
    }

    @Test
    void aServerListingANameTwiceIsNoClash() {
        CatalogIndex index = CatalogIndex.build(List.of(view("a", "", List.of(tool("x"), tool("x")), List.of())), "__");
        assertThat(index.clashes()).isEmpty();
        assertThat(index.tool("x")).isPresent();
    }

    @Test
    void resourcesResolveByExactUriThenByTheOneMatchingTemplate() {
        CatalogIndex index = CatalogIndex.build(List.of(
                new CatalogIndex.ServerView("files", "files", false, List.of(), List.of(resource("file:///etc/motd")),
                        List.of(template("file:///{+path}")), List.of()),
                new CatalogIndex.ServerView("users", "users", false, List.of(), List.of(),
                        List.of(template("users://{id}/profile")), List.of()),
                new CatalogIndex.ServerView("other", "other", false, List.of(), List.of(resource("file:///srv/x")),
                        List.of(), List.of())), "__");

        assertThat(index.resource("file:///etc/motd")).hasValue("files");
        assertThat(index.resource("file:///srv/x")).as("an exact URI wins over a template").hasValue("other");
        assertThat(index.resource("file:///home/a.txt")).hasValue("files");
        assertThat(index.resource("users://7/profile")).hasValue("users");
        assertThat(index.resource("users://7/posts")).isEmpty();
        assertThat(index.resource("mem://x")).isEmpty();
    }

    @Test
    void ambiguousResourcesResolveToNothing() {
        CatalogIndex index = CatalogIndex.build(List.of(
                new CatalogIndex.ServerView("a", "a", false, List.of(), List.of(resource("x://same")),
                        List.of(template("t://{id}"), template("both://{+rest}")), List.of()),
                new CatalogIndex.ServerView("b", "b", false, List.of(), List.of(resource("x://same")),
                        List.of(template("t://{id}"), template("both://{x}/y")), List.of())), "__");

        assertThat(index.resource("x://same")).as("a URI two servers list").isEmpty();
        assertThat(index.resource("t://1")).as("the same template on two servers").isEmpty();
        assertThat(index.resource("both://1/y")).as("two servers' templates match").isEmpty();
        assertThat(index.resource("both://1/z")).as("only one server's template matches").hasValue("a");
        assertThat(index.clashes()).containsExactly(Map.entry("t://{id}", List.of("a", "b")),
                Map.entry("x://same", List.of("a", "b")));
    }
}
