package io.mcppool.gateway.cli;

import io.mcppool.McpPool;
import io.mcppool.call.McpPoolException;
import io.mcppool.call.UnknownServerException;
import io.mcppool.config.ConfigLoader;
import io.mcppool.config.McpPoolConfig;
import io.mcppool.config.Replica;
import io.mcppool.config.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The {@code mcp-pool} command: global options, and what every subcommand shares. */
@Command(name = "mcp-pool",
        mixinStandardHelpOptions = true,
        scope = ScopeType.INHERIT,
        versionProvider = Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        header = "A pool and gateway for MCP (Model Context Protocol) servers.",
        description = {
                "Lists and calls the tools, resources and prompts of the MCP servers in a config file, through"
                        + " warm, pooled sessions. Without --config, a built-in config with one server, 'testkit'"
                        + " (a small MCP server run from this same jar), is used: try 'mcp-pool demo'.",
                "",
                "stdout carries only a command's output; errors ('mcp-pool: <message>') and logs go to stderr."},
        subcommands = {ServersCommand.class, ToolsCommand.class, CallCommand.class, ResourcesCommand.class,
                ReadCommand.class, PromptsCommand.class, PromptCommand.class, CheckConfigCommand.class,
                DemoCommand.class, ServeCommand.class, StdioCommand.class, CacheCommand.class, ConformanceClientCommand.class,
                CommandLine.HelpCommand.class})
public final class McpPoolCommand implements java.util.concurrent.Callable<Integer> {
    /** The built-in config: one stdio server, {@code testkit}, run on this JVM's java and classpath. */
    public static final String DEFAULT_CONFIG = "/io/mcppool/gateway/default-config.yaml";

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "Config file: YAML, TOML or an MCP host's {\"mcpServers\": ...} JSON."
                    + " Default: the built-in config (server 'testkit').")
    Path config;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Log io.mcppool at DEBUG and show the servers' stderr (on stderr), and print stack traces.")
    boolean verbose;

    /** The config last loaded by a command, to shorten endpoints in messages. */
    private McpPoolConfig loaded;

    /** No subcommand: a usage error; the help goes to stderr. */
    @Override
    public Integer call() {
        spec.commandLine().getErr().println("mcp-pool: a command is needed");
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    /** The config named by {@code --config}, or the built-in one. Throws InvalidConfigException with every problem. */
    McpPoolConfig loadConfig() {
        McpPoolConfig c = config == null
                ? ConfigLoader.loadResource(DEFAULT_CONFIG, System.getenv())
                : ConfigLoader.load(config);
        loaded = c;
        return c;
    }

    McpPoolConfig loaded() {
        return loaded;
    }

    /**
     * How long closing the pool lets in-flight calls finish, at most. A command closes its pool after its
     * calls have ended, so only an interrupted command (Ctrl-C, SIGTERM) has calls in flight then, and
     * whoever interrupted it wants it to end now rather than after the config's {@code shutdownGrace}.
     */
    static final Duration CLI_SHUTDOWN_GRACE = Duration.ofSeconds(1);

    /**
     * A config with only {@code server} in it, so that a command about one server starts only that one,
     * and with a {@code shutdownGrace} of at most {@link #CLI_SHUTDOWN_GRACE}.
     */
    static McpPoolConfig only(McpPoolConfig config, String server) {
        ServerConfig s = config.servers().get(server);
        if (s == null) {
            throw new UnknownServerException("no server by this name; configured: "
                    + (config.servers().isEmpty() ? "(none)" : String.join(", ", config.servers().keySet())),
                    server, null, null, null);
        }
        Duration grace = config.shutdownGrace().compareTo(CLI_SHUTDOWN_GRACE) < 0 ? config.shutdownGrace()
                : CLI_SHUTDOWN_GRACE;
        return new McpPoolConfig(Map.of(server, s), config.housekeepingInterval(), grace, config.source());
    }

    /** Opens a pool on the config with only {@code server}; close it (try-with-resources). */
    OpenPool open(String server) {
        return OpenPool.open(only(loadConfig(), server));
    }

    /**
     * The endpoint as a table shows it. {@code label} is how the pool named it in a message or snapshot;
     * an endpoint of the loaded config gets its short form from its config: the server's only one, or the one
     * of several that the label describes.
     */
    String shortEndpoint(String server, String label) {
        ServerConfig s = loaded == null || server == null ? null : loaded.servers().get(server);
        if (s != null) {
            if (s.replicas().size() == 1) {
                return Text.endpoint(s.endpoint());
            }
            for (Replica r : s.replicas()) {
                if (r.endpoint().describe().equals(label)) {
                    return Text.endpoint(r.endpoint());
                }
            }
        }
        return Text.endpointLabel(label);
    }

    /** A failure's message with the endpoint in its short form (a stdio command line may be very long). */
    String describe(McpPoolException e) {
        String m = e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        if (e.endpoint().isPresent()) {
            String label = e.endpoint().get();
            m = m.replace("(" + label + ")", "(" + shortEndpoint(e.server().orElse(null), label) + ")");
        }
        return shorten(m);
    }

    /** {@code message} with every full endpoint description of the loaded config replaced by its short form. */
    String shorten(String message) {
        if (message == null || loaded == null) {
            return message;
        }
        String m = message;
        for (ServerConfig s : loaded.servers().values()) {
            for (Replica r : s.replicas()) {
                String d = r.endpoint().describe();
                if (d.length() > Text.ENDPOINT_WIDTH) {
                    m = m.replace(d, Text.endpoint(r.endpoint()));
                }
            }
        }
        return m;
    }

    /** A pool that is also closed by a shutdown hook, so Ctrl-C leaves no server process behind. */
    static final class OpenPool implements AutoCloseable {
        private final McpPool pool;
        private final Thread hook;

        private OpenPool(McpPool pool) {
            this.pool = pool;
            this.hook = new Thread(pool::close, "mcp-pool-cli-shutdown");
        }

        static OpenPool open(McpPoolConfig config) {
            OpenPool p = new OpenPool(McpPool.create(config));
            try {
                Runtime.getRuntime().addShutdownHook(p.hook);
            } catch (IllegalStateException shuttingDown) {
                p.pool.close();
                throw shuttingDown;
            }
            return p;
        }

        McpPool pool() {
            return pool;
        }

        @Override
        public void close() {
            try {
                pool.close();
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running or has run
                }
            }
        }
    }
}
