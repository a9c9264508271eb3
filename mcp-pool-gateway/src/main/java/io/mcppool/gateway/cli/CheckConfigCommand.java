package io.mcppool.gateway.cli;

import io.mcppool.config.InvalidConfigException;
import io.mcppool.config.ConfigLoader;
import io.mcppool.config.McpPoolConfig;
import io.mcppool.config.Replica;
import io.mcppool.config.ServerConfig;
import io.mcppool.gateway.Gateway;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "check-config", sortOptions = false,
        header = "Validate a config file.",
        description = "Loads and validates a config file without starting any server, with the checks 'serve' makes"
                + " (the gateway's keys, PEM and JWKS files included). Prints 'OK: N servers'"
                + " and one line per server (and one per endpoint of a server with several), or every problem"
                + " found, one per line, on stdout (exit code 2).")
final class CheckConfigCommand extends BaseCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE",
            description = "The file to check. Default: the --config file, or the built-in config.")
    Path file;

    @Override
    public Integer call() {
        McpPoolConfig config;
        try {
            config = file == null ? root.loadConfig() : ConfigLoader.load(file);
            Gateway.prepare(config); // what serve builds from the config before it starts: keys, PEM and JWKS files
        } catch (InvalidConfigException e) {
            for (String problem : e.problems()) {
                out().println(Text.oneLine(problem));
            }
            out().flush();
            String where = file != null ? file.toString() : root.config != null ? root.config.toString() : "built-in config";
            err().println("mcp-pool: " + where + " is not valid: " + Text.plural(e.problems().size(), "problem", "problems"));
            return ExitCodes.USAGE;
        }
        boolean builtIn = file == null && root.config == null;
        out().println("OK: " + Text.plural(config.servers().size(), "server", "servers")
                + " (" + (builtIn ? "built-in config, " : "") + config.source() + ")");
        List<List<String>> rows = new ArrayList<>();
        for (ServerConfig s : config.servers().values()) {
            List<String> row = new ArrayList<>();
            row.add("  " + s.name());
            row.add(Text.transport(s));
            row.add(Text.endpoint(s));
            row.add(Text.pool(s.pool()) + ", call timeout " + Text.duration(s.callTimeout())
                    + (s.trusted() ? ", trusted" : "")
                    + (s.tools().isEmpty() ? "" : ", " + Text.plural(s.tools().size(), "tool setting", "tool settings")));
            rows.add(row);
            if (s.replicas().size() > 1) {
                // Each endpoint under its server, so a check shows what the balancer will choose from.
                for (int i = 0; i < s.replicas().size(); i++) {
                    Replica r = s.replicas().get(i);
                    rows.add(List.of("    " + Text.replicaName(r, i), Text.transport(r.endpoint()),
                            Text.endpoint(r.endpoint()), Text.replicaShare(r)));
                }
            }
        }
        Text.table(out(), rows, false);
        return ExitCodes.OK;
    }
}
