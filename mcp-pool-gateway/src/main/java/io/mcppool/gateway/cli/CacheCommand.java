package io.mcppool.gateway.cli;

import io.mcppool.McpPool;
import io.mcppool.config.McpPoolConfig;
import io.mcppool.config.SharedCacheSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "cache", sortOptions = false,
        header = "Operate the result cache.",
        description = "The result cache lives in the pools that use it (each gateway's memory) and, when the config"
                + " has a cache.redis block, in the Redis the gateways share.",
        subcommands = CacheCommand.Clear.class)
final class CacheCommand extends BaseCommand {
    @Override
    public Integer call() {
        err().println("mcp-pool: 'cache' needs a command: clear");
        spec.commandLine().usage(err());
        return ExitCodes.USAGE;
    }

    @Command(name = "clear", sortOptions = false,
            header = "Clear cached results: all, a server's, or one tool's.",
            description = {"Without --gateway: deletes the entries of the shared (Redis) cache that the config names"
                    + " (cache.redis.url and prefix, or --redis and --prefix), using SCAN, and says how many keys it"
                    + " deleted. Running gateways keep what they hold in memory until it expires: clear them with"
                    + " --gateway.",
                    "",
                    "With --gateway URL: asks a running gateway to clear its cache, memory and shared"
                            + " (POST URL/api/cache/clear?server=S&tool=T, with --token as a bearer token)."},
            footer = {"", "Examples:",
                    "  mcp-pool cache clear --config mcp-pool.yaml",
                    "  mcp-pool cache clear --config mcp-pool.yaml --server files --tool read_file",
                    "  MCP_POOL_TOKEN=... mcp-pool cache clear --gateway http://127.0.0.1:8080 --server files"})
    static final class Clear implements Callable<Integer> {
        /** How long the gateway may take to answer. */
        static final Duration GATEWAY_TIMEOUT = Duration.ofSeconds(30);

        @ParentCommand
        CacheCommand cache;

        @Spec
        CommandSpec spec;

        @Option(names = {"-s", "--server"}, paramLabel = "SERVER", description = "Only this server's entries.")
        String server;

        @Option(names = {"-t", "--tool"}, paramLabel = "TOOL", description = "Only this tool's entries (needs --server).")
        String tool;

        @Option(names = "--redis", paramLabel = "URL",
                description = "The shared cache to clear (redis://[user:password@]host:port[/db]) instead of the config's.")
        URI redis;

        @Option(names = "--prefix", paramLabel = "PREFIX",
                description = "The key prefix of the shared cache. Default: the config's, or '"
                        + SharedCacheSettings.DEFAULT_PREFIX + "'.")
        String prefix;

        @Option(names = {"-g", "--gateway"}, paramLabel = "URL",
                description = "A running gateway's base URL (http://host:port): clear its cache through its API.")
        URI gateway;

        @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:MCP_POOL_TOKEN}",
                description = "Bearer token for --gateway (an API key or a JWT the gateway accepts). Default: the"
                        + " environment variable MCP_POOL_TOKEN, which keeps it out of the process list.")
        String token;

        @Override
        public Integer call() {
            if (tool != null && server == null) {
                throw usage("--tool needs --server");
            }
            if (gateway != null) {
                if (redis != null || prefix != null) {
                    throw usage("--gateway clears through the gateway: --redis and --prefix do not apply");
                }
                return clearGateway();
            }
            if (spec.commandLine().getParseResult().hasMatchedOption("--token")) {
                throw usage("--token is for --gateway");
            }
            return clearShared(sharedSettings());
        }

        /** The shared cache the command line or the config names; a usage error when neither names one. */
        private SharedCacheSettings sharedSettings() {
            if (redis != null) {
                return SharedCacheSettings.redis(redis).withPrefix(prefix == null ? SharedCacheSettings.DEFAULT_PREFIX : prefix);
            }
            McpPoolConfig config = cache.root.loadConfig();
            SharedCacheSettings s = config.sharedCache();
            if (s.redisUrl().isEmpty()) {
                throw usage("the config (" + config.source() + ") names no shared cache (cache.redis.url); entries in"
                        + " memory belong to running pools: clear a gateway's with --gateway URL, or name a Redis"
                        + " with --redis URL");
            }
            return prefix == null ? s : s.withPrefix(prefix);
        }

        private int clearShared(SharedCacheSettings settings) {
            long removed;
            try {
                removed = McpPool.clearSharedCache(settings, server, tool);
            } catch (IllegalStateException e) {
                err().println("mcp-pool: " + Text.oneLine(e.getMessage()));
                return ExitCodes.FAILURE;
            }
            out().println("removed " + Text.plural(removed, "key", "keys") + " of " + what() + " from the shared cache"
                    + " at " + where(settings.redisUrl().orElseThrow()) + " (prefix '" + settings.prefix() + "')");
            return ExitCodes.OK;
        }

        private int clearGateway() {
            URI uri = clearUri(gateway, server, tool);
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(GATEWAY_TIMEOUT)
                    .POST(HttpRequest.BodyPublishers.noBody()).header("Accept", "application/json");
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            HttpResponse<String> response;
            try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (ConnectException e) {
                err().println("mcp-pool: cannot connect to the gateway at " + gateway + ": connection refused");
                return ExitCodes.FAILURE;
            } catch (IOException e) {
                err().println("mcp-pool: the gateway at " + gateway + " did not answer: " + Text.oneLine(String.valueOf(
                        e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())));
                return ExitCodes.FAILURE;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                err().println("mcp-pool: interrupted");
                return ExitCodes.FAILURE;
            }
            int status = response.statusCode();
            String body = response.body() == null ? "" : response.body().strip();
            if (status / 100 == 2) {
                out().println("gateway " + gateway + ": cleared " + what() + (body.isEmpty() ? "" : " " + Text.oneLine(body)));
                return ExitCodes.OK;
            }
            String why = switch (status) {
                case 401 -> "not authenticated (give --token)";
                case 403 -> "the token may not clear the cache";
                case 404 -> "no such endpoint (is this a gateway with the ops API?)";
                default -> "HTTP " + status;
            };
            err().println("mcp-pool: the gateway at " + gateway + " refused: " + why
                    + (body.isEmpty() ? "" : ": " + Text.oneLine(body)));
            return ExitCodes.FAILURE;
        }

        /** {@code base/api/cache/clear} with the server and tool as query parameters. */
        static URI clearUri(URI base, String server, String tool) {
            String b = base.toString();
            while (b.endsWith("/")) {
                b = b.substring(0, b.length() - 1);
            }
            List<String> query = new ArrayList<>();
            Optional.ofNullable(server).ifPresent(s -> query.add("server=" + URLEncoder.encode(s, StandardCharsets.UTF_8)));
            Optional.ofNullable(tool).ifPresent(t -> query.add("tool=" + URLEncoder.encode(t, StandardCharsets.UTF_8)));
            return URI.create(b + "/api/cache/clear" + (query.isEmpty() ? "" : "?" + String.join("&", query)));
        }

        private String what() {
            if (server == null) {
                return "all servers";
            }
            return tool == null ? "server '" + server + "'" : "server '" + server + "', tool '" + tool + "'";
        }

        private PrintWriter out() {
            return spec.commandLine().getOut();
        }

        private PrintWriter err() {
            return spec.commandLine().getErr();
        }

        private CommandLine.ParameterException usage(String message) {
            return new CommandLine.ParameterException(spec.commandLine(), message);
        }

        private static String where(URI url) {
            return "redis://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
        }
    }
}
