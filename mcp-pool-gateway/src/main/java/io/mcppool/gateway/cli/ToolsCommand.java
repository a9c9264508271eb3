package io.mcppool.gateway.cli;

import io.mcppool.protocol.Tool;
import io.mcppool.protocol.ToolAnnotations;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "tools", sortOptions = false,
        header = "List a server's tools.",
        description = "Every tool (all pages), one per line: name, annotation flags (read-only, idempotent,"
                + " destructive; absent hints take the MCP spec's defaults, so a tool without annotations shows as"
                + " destructive; '-' when none applies), then title and description, cut to 100 columns.")
final class ToolsCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "SERVER", description = "The server, as named in the config.")
    String server;

    @Option(names = "--json", description = "Print the tool list as a JSON array (the fields mcp-pool models: name, title, description,"
            + " inputSchema, outputSchema, annotations, _meta).")
    boolean json;

    @Override
    public Integer call() {
        try (McpPoolCommand.OpenPool open = root.open(server)) {
            List<Tool> tools = open.pool().listTools(server);
            if (json) {
                out().println(Text.pretty(tools));
            } else {
                print(tools);
            }
        }
        return ExitCodes.OK;
    }

    void print(List<Tool> tools) {
        Text.table(out(), rows(tools));
    }

    static List<List<String>> rows(List<Tool> tools) {
        List<List<String>> rows = new ArrayList<>();
        for (Tool t : tools) {
            rows.add(List.of(t.name(), flags(t.annotationsOrEmpty()), about(t)));
        }
        return rows;
    }

    /**
     * The hints that matter for calling a tool: read-only, idempotent, destructive. Absent hints take
     * the spec's defaults (not read-only, not idempotent, destructive unless read-only), so a tool
     * with no annotations shows as destructive.
     */
    static String flags(ToolAnnotations a) {
        List<String> flags = new ArrayList<>();
        if (a.readOnly()) {
            flags.add("read-only");
        }
        if (a.idempotent()) {
            flags.add("idempotent");
        }
        if (a.destructive()) {
            flags.add("destructive");
        }
        return flags.isEmpty() ? "-" : String.join(",", flags);
    }

    static String about(Tool t) {
        String title = t.title() != null ? t.title()
                : t.annotations() != null && t.annotations().title() != null ? t.annotations().title() : null;
        String description = Text.oneLine(t.description());
        if (title == null || title.isBlank()) {
            return description;
        }
        return description.isEmpty() ? Text.oneLine(title) : Text.oneLine(title) + ": " + description;
    }
}
