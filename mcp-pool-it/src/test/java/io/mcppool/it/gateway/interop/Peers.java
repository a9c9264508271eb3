package io.mcppool.it.gateway.interop;

import static org.junit.jupiter.api.Assertions.fail;

import io.mcppool.config.EndpointConfig;
import io.mcppool.config.McpPoolConfig;
import io.mcppool.config.PoolSettings;
import io.mcppool.config.ServerConfig;
import io.mcppool.gateway.Gateway;
import io.mcppool.testkit.TestkitCommand;
import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the clients nobody here wrote are (the Inspector CLI and the TypeScript SDK under
 * {@code .npm-peers/node_modules}, {@code node}, {@code curl}) and where the runnable gateway jar is.
 * A missing one is a test failure that says how to get it, never a skip: a skipped interop suite
 * looks like a green one.
 */
final class Peers {
    static final String INSPECTOR = "@modelcontextprotocol/inspector";
    static final String SDK = "@modelcontextprotocol/sdk";

    /** Generous per-step deadline: the build machine runs several JVMs and Node processes at once. */
    static final Duration STEP_TIMEOUT = Duration.ofSeconds(60);

    private Peers() {
    }

    /**
     * The repository root: two folders up from {@code mcppool.npmDir} (which Surefire sets to
     * {@code <root>/.npm-peers/node_modules}), else the nearest folder up from the working directory
     * holding the {@code mcp-pool-it} module.
     */
    static Path repoRoot() {
        String npm = System.getProperty("mcppool.npmDir");
        if (npm != null && !npm.isBlank()) {
            Path root = Path.of(npm).toAbsolutePath().normalize().getParent().getParent();
            if (Files.isDirectory(root.resolve("mcp-pool-gateway"))) {
                return root;
            }
        }
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("mcp-pool-it")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        return dir;
    }

    /** {@code mcp-pool-gateway/target/mcp-pool.jar}, which {@code mvn package} builds before this module's tests. */
    static Path gatewayJar() {
        Path jar = repoRoot().resolve("mcp-pool-gateway").resolve("target").resolve("mcp-pool.jar");
        if (!Files.isRegularFile(jar)) {
            fail("The runnable gateway jar " + jar + " is missing. Build it first: 'mvn -B -o -q -pl mcp-pool-gateway"
                    + " -am package -DskipTests' (a full 'mvn verify' packages it before these tests run).");
        }
        return jar;
    }

    static Path npmDir() {
        String property = System.getProperty("mcppool.npmDir");
        Path dir = property != null && !property.isBlank() ? Path.of(property)
                : repoRoot().resolve(".npm-peers").resolve("node_modules");
        if (!Files.isDirectory(dir)) {
            fail("The npm peers are not installed: " + dir.toAbsolutePath() + " does not exist. Run ./run-tests from"
                    + " the repository root (it runs 'npm ci' in .npm-peers/), or 'cd .npm-peers && npm ci'.");
        }
        return dir.toAbsolutePath().normalize();
    }

    static Path packageDir(String name) {
        Path dir = npmDir().resolve(name);
        if (!Files.isRegularFile(dir.resolve("package.json"))) {
            fail("The npm package " + name + " is not installed under " + npmDir()
                    + ". Run ./run-tests from the repository root, or 'cd .npm-peers && npm ci'.");
        }
        return dir;
    }

    /** The Inspector's launcher (its {@code bin.inspector}), which takes {@code --cli}. */
    static Path inspector() {
        Path launcher = packageDir(INSPECTOR).resolve("clients/launcher/build/index.js");
        if (!Files.isRegularFile(launcher)) {
            fail("The Inspector has no " + launcher + "; reinstall it: 'cd .npm-peers && npm ci'.");
        }
        return launcher;
    }

    /** An executable found on PATH (its absolute path); fails the test when there is none. */
    static String onPath(String name, String why) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                Path candidate = dir.isEmpty() ? null : Path.of(dir, name);
                if (candidate != null && Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate.toString();
                }
            }
        }
        return fail("'" + name + "' is not on PATH (" + path + "); " + why);
    }

    static String node() {
        return onPath("node", "the interop tests run the Inspector CLI and the TypeScript SDK with it (Node 20+).");
    }

    static String curl() {
        return onPath("curl", "the gateway's curl tests need it.");
    }

    /** A test resource as a file (the test classes are a folder, never a jar, under Surefire). */
    static Path resource(String name) {
        URL url = Peers.class.getResource(name);
        if (url == null) {
            return fail("test resource " + name + " is missing");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A gateway in this JVM on 127.0.0.1 and a free port, in front of one stdio testkit server named
     * {@code testkit} with exactly one session: every call reaches the same process, so its
     * {@code stats} tool sees all of them.
     */
    static Gateway testkitGateway() {
        List<String> cmd = TestkitCommand.stdio();
        ServerConfig server = ServerConfig.builder("testkit", new EndpointConfig.Stdio(cmd.get(0), cmd.subList(1, cmd.size())))
                .callTimeout(Duration.ofSeconds(60))
                .pool(PoolSettings.builder().minSessions(1).maxSessions(1).build())
                .build();
        McpPoolConfig config = new McpPoolConfig(Map.of("testkit", server));
        return Gateway.start(config.withGateway(config.gateway().withHostPort("127.0.0.1", 0)), Optional.empty());
    }
}
