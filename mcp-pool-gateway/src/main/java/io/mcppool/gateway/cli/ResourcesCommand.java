package io.mcppool.gateway.cli;

import io.mcppool.protocol.Resource;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "resources", sortOptions = false,
        header = "List a server's resources.",
        description = "Every resource (all pages), one per line: URI, MIME type, name and description.")
final class ResourcesCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "SERVER", description = "The server, as named in the config.")
    String server;

    @Option(names = "--json", description = "Print the resource list as JSON.")
    boolean json;

    @Override
    public Integer call() {
        try (McpPoolCommand.OpenPool open = root.open(server)) {
            List<Resource> resources = open.pool().listResources(server);
            if (json) {
                out().println(Text.pretty(resources));
                return ExitCodes.OK;
            }
            List<List<String>> rows = new ArrayList<>();
            for (Resource r : resources) {
                String name = r.title() != null ? r.title() : r.name() == null ? "" : r.name();
                String description = Text.oneLine(r.description());
                rows.add(List.of(r.uri(), r.mimeType() == null ? "-" : r.mimeType(),
                        description.isEmpty() ? name : name + ": " + description));
            }
            Text.table(out(), rows);
        }
        return ExitCodes.OK;
    }
}
