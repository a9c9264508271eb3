package io.mcppool.gateway.cli;

import io.mcppool.protocol.Prompt;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "prompts", sortOptions = false,
        header = "List a server's prompts.",
        description = "Every prompt (all pages), one per line: name, arguments (* = required), title and description.")
final class PromptsCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "SERVER", description = "The server, as named in the config.")
    String server;

    @Option(names = "--json", description = "Print the prompt list as JSON.")
    boolean json;

    @Override
    public Integer call() {
        try (McpPoolCommand.OpenPool open = root.open(server)) {
            List<Prompt> prompts = open.pool().listPrompts(server);
            if (json) {
                out().println(Text.pretty(prompts));
                return ExitCodes.OK;
            }
            List<List<String>> rows = new ArrayList<>();
            for (Prompt p : prompts) {
                List<String> args = new ArrayList<>();
                if (p.arguments() != null) {
                    for (Prompt.PromptArgument a : p.arguments()) {
                        args.add(a.name() + (Boolean.TRUE.equals(a.required()) ? "*" : ""));
                    }
                }
                String description = Text.oneLine(p.description());
                String about = p.title() == null ? description
                        : description.isEmpty() ? p.title() : p.title() + ": " + description;
                rows.add(List.of(p.name(), args.isEmpty() ? "-" : String.join(",", args), about));
            }
            Text.table(out(), rows);
        }
        return ExitCodes.OK;
    }
}
