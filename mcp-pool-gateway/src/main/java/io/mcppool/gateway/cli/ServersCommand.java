package io.mcppool.gateway.cli;

import io.mcppool.config.McpPoolConfig;
import picocli.CommandLine.Command;

@Command(name = "servers", sortOptions = false,
        header = "List the configured servers.",
        description = "One line per server: name, transport (stdio/http), endpoint (command or URL, shortened),"
                + " pool mode and sizes. Reads the config only; no server is started.")
final class ServersCommand extends BaseCommand {
    @Override
    public Integer call() {
        McpPoolConfig config = root.loadConfig();
        Text.table(out(), Text.serverRows(config.servers()), false);
        return ExitCodes.OK;
    }
}
