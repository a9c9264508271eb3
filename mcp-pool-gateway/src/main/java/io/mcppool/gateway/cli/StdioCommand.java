package io.mcppool.gateway.cli;

import io.mcppool.McpPool;
import io.mcppool.config.McpPoolConfig;
import io.mcppool.config.RateLimit;
import io.mcppool.gateway.auth.AccessPolicy;
import io.mcppool.gateway.auth.ClientIdentity;
import io.mcppool.gateway.mcp.GatewayDispatcher;
import io.mcppool.gateway.mcp.StdioGateway;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.OutputStream;
import picocli.CommandLine.Command;

@Command(name = "stdio", sortOptions = false,
        header = "Serve every configured server as one MCP server over stdio, for an MCP host to launch.",
        description = "Reads JSON-RPC from stdin and writes it to stdout (logs go to stderr); ends when stdin ends."
                + " Put it in a host's mcpServers: {\"command\": \"mcp-pool\", \"args\": [\"stdio\", \"--config\", FILE]}.")
final class StdioCommand extends BaseCommand {

    @Override
    public Integer call() {
        McpPoolConfig config = root.loadConfig();
        // stdout belongs to the protocol: write it unbuffered by anything else in this process
        OutputStream stdout = new FileOutputStream(FileDescriptor.out);
        try (McpPool pool = McpPool.create(config)) {
            ClientIdentity host = new ClientIdentity("stdio", AccessPolicy.ALL, RateLimit.NONE, true);
            new StdioGateway(new GatewayDispatcher(pool), host, stdout).run(System.in);
        }
        return ExitCodes.OK;
    }
}
