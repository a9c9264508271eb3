package io.mcppool.gateway.cli;

import io.mcppool.protocol.GetPromptResult;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "prompt", sortOptions = false,
        header = "Get a prompt and print its messages.",
        description = "Gets one prompt with its arguments and prints its messages, each after a '[role]' line.")
final class PromptCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "SERVER", description = "The server, as named in the config.")
    String server;

    @Parameters(index = "1", paramLabel = "NAME", description = "The prompt's name, as 'prompts' lists it.")
    String name;

    @Option(names = {"-a", "--arg"}, paramLabel = "KEY=VALUE",
            description = "One argument (prompt arguments are strings); repeat for more.")
    List<String> args;

    @Option(names = "--raw", description = "Print the whole result as JSON.")
    boolean raw;

    @Override
    public Integer call() {
        Map<String, String> arguments;
        try {
            arguments = Arguments.strings(args);
        } catch (Arguments.BadArgument e) {
            throw usage(e.getMessage());
        }
        GetPromptResult result;
        try (McpPoolCommand.OpenPool open = root.open(server)) {
            result = open.pool().getPrompt(server, name, arguments);
        }
        if (raw) {
            out().println(Text.pretty(result));
            return ExitCodes.OK;
        }
        if (result.description() != null && !result.description().isBlank()) {
            out().println(Text.oneLine(result.description()));
        }
        for (GetPromptResult.PromptMessage m : result.messages()) {
            out().println("[" + m.role() + "]");
            if (m.content() != null) {
                Text.content(out(), List.of(m.content()));
            }
        }
        return ExitCodes.OK;
    }
}
