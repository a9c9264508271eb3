package io.mcppool.gateway.cli;

import io.mcppool.config.McpPoolConfig;
import io.mcppool.gateway.Gateway;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", sortOptions = false,
        header = "Serve every configured server as one MCP endpoint (Streamable HTTP), with auth, metrics and a status page.",
        description = {"Starts the gateway on the config (default: the built-in one, whose 'testkit' server runs from this"
                + " jar). MCP clients connect to http://HOST:PORT/mcp; tools and prompts are named <server>__<name>."
                + " Also served: /metrics (Prometheus), /healthz, /readyz, /api/status and a status page at /.",
                "The config file is reloaded when it changes and on SIGHUP; SIGTERM lets in-flight calls finish"
                        + " (gateway.drainTimeout), then stops."})
final class ServeCommand extends BaseCommand {
    @Option(names = "--host", paramLabel = "HOST", description = "Address to bind (overrides gateway.host; default 127.0.0.1).")
    String host;

    @Option(names = "--port", paramLabel = "PORT", description = "Port (overrides gateway.port; default 8080; 0 picks one).")
    Integer port;

    @Override
    public Integer call() throws InterruptedException {
        McpPoolConfig config = root.loadConfig();
        if (host != null || port != null) {
            config = config.withGateway(config.gateway().withHostPort(host != null ? host : config.gateway().host(),
                    port != null ? port : config.gateway().port()));
        }
        Logging.serving();
        Gateway gateway = Gateway.start(config, Optional.ofNullable(root.config));
        CountDownLatch stopped = new CountDownLatch(1);
        Signals.onHangup(gateway::reload);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.drainAndStop();
            stopped.countDown();
        }, "mcp-pool-shutdown"));
        PrintWriter out = out();
        out.println("mcp-pool gateway: " + gateway.mcpUri() + "  (status page " + gateway.baseUri() + ", "
                + Text.plural(config.servers().size(), "server", "servers") + ", config "
                + config.source() + ")");
        out.flush();
        stopped.await();
        return ExitCodes.OK;
    }
}
