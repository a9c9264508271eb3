package io.mcppool.gateway.cli;

import io.mcppool.protocol.ReadResourceResult;
import io.mcppool.protocol.ResourceContents;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "read", sortOptions = false,
        header = "Read a resource and print its contents.",
        description = "Prints the text; binary contents are summarised ([blob image/png, 1234 bytes])."
                + " With several contents, each gets a '--- URI' line first.")
final class ReadCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "SERVER", description = "The server, as named in the config.")
    String server;

    @Parameters(index = "1", paramLabel = "URI", description = "The resource's URI, as 'resources' lists it.")
    String uri;

    @Option(names = "--raw", description = "Print the whole result as JSON.")
    boolean raw;

    @Override
    public Integer call() {
        ReadResourceResult result;
        try (McpPoolCommand.OpenPool open = root.open(server)) {
            result = open.pool().readResource(server, uri);
        }
        if (raw) {
            out().println(Text.pretty(result));
            return ExitCodes.OK;
        }
        boolean several = result.contents().size() > 1;
        for (ResourceContents c : result.contents()) {
            if (several) {
                out().println("--- " + c.uri() + (c.mimeType() == null ? "" : " (" + c.mimeType() + ")"));
            }
            if (c.text() != null) {
                Text.printText(out(), c.text());
            } else if (c.blob() != null) {
                out().println("[blob " + Text.mime(c.mimeType()) + ", " + Text.bytes(c.blob()) + " bytes]");
            } else {
                out().println("[no contents]");
            }
        }
        return ExitCodes.OK;
    }
}
