package io.mcppool.it.interop;

import static org.junit.jupiter.api.Assertions.fail;

import io.mcppool.config.EndpointConfig;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the pinned npm reference servers are and how to run them.
 *
 * <p>The packages live in {@code <repo>/.npm-peers/node_modules} (Surefire passes it as the system
 * property {@code mcppool.npmDir}; without it the folder is found from the working directory).
 * {@code ./run-tests} installs them. A missing folder or package is a test <em>failure</em> with a
 * message saying how to install it, never a skip: a skipped interop suite looks like a green one.
 * {@code node} comes from {@code PATH}.
 */
public final class NpmPeers {
    public static final String EVERYTHING = "@modelcontextprotocol/server-everything";
    static final String MEMORY = "@modelcontextprotocol/server-memory";
    static final String FILESYSTEM = "@modelcontextprotocol/server-filesystem";

    /** How long each step of a stdio server's shutdown (close stdin, then SIGTERM) may take. */
    static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(2);

    private static final Pattern VERSION = Pattern.compile("\"version\"\\s*:\\s*\"([^\"]+)\"");

    private NpmPeers() {
    }

    /** The {@code node_modules} folder holding the reference servers; fails the test when it is missing. */
    static Path npmDir() {
        String property = System.getProperty("mcppool.npmDir");
        Path dir = property != null && !property.isBlank() ? Path.of(property)
                : repoRoot().resolve(".npm-peers").resolve("node_modules");
        if (!Files.isDirectory(dir)) {
            fail("The npm reference MCP servers are not installed: " + dir.toAbsolutePath() + " does not exist"
                    + (property == null ? " (system property mcppool.npmDir is not set; looked next to the repo root)" : "")
                    + ". Run ./run-tests from the repository root (it runs 'npm ci' in .npm-peers/), or"
                    + " 'cd .npm-peers && npm ci'.");
        }
        return dir.toAbsolutePath().normalize();
    }

    /** The installed package's folder; fails the test when it is not there. */
    static Path packageDir(String name) {
        Path dir = npmDir().resolve(name);
        if (!Files.isRegularFile(dir.resolve("package.json"))) {
            fail("The npm package " + name + " is not installed under " + npmDir()
                    + ". Run ./run-tests from the repository root, or 'cd .npm-peers && npm ci'.");
        }
        return dir;
    }

    /** The package's {@code dist/index.js}; fails the test when it is not there. */
    public static Path script(String name) {
        Path script = packageDir(name).resolve("dist").resolve("index.js");
        if (!Files.isRegularFile(script)) {
            fail("The npm package " + name + " has no " + script + "; reinstall it: 'cd .npm-peers && npm ci'.");
        }
        return script;
    }

    /** The installed version, from the package's package.json. */
    static String version(String name) {
        try {
            Matcher m = VERSION.matcher(Files.readString(packageDir(name).resolve("package.json")));
            return m.find() ? m.group(1) : "?";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code node} as found on PATH (its absolute path); fails the test when there is none. */
    public static String node() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (dir.isEmpty()) {
                    continue;
                }
                Path candidate = Path.of(dir, "node");
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate.toString();
                }
            }
        }
        return fail("'node' is not on PATH (" + path + "); the interop tests run the npm reference servers with it."
                + " Install Node.js 20 or newer.");
    }

    /** {@code node <server-everything>/dist/index.js stdio}. */
    static EndpointConfig.Stdio everythingStdio() {
        return stdio(List.of(script(EVERYTHING).toString(), "stdio"), Map.of());
    }

    /** {@code node <server-memory>/dist/index.js} with its graph in {@code memoryFile}. */
    static EndpointConfig.Stdio memoryStdio(Path memoryFile) {
        return stdio(List.of(script(MEMORY).toString()), Map.of("MEMORY_FILE_PATH", memoryFile.toString()));
    }

    /** {@code node <server-filesystem>/dist/index.js <allowed dirs...>}. */
    static EndpointConfig.Stdio filesystemStdio(Path... allowed) {
        List<String> args = new ArrayList<>();
        args.add(script(FILESYSTEM).toString());
        for (Path p : allowed) {
            args.add(p.toString());
        }
        return stdio(args, Map.of());
    }

    private static EndpointConfig.Stdio stdio(List<String> args, Map<String, String> env) {
        return new EndpointConfig.Stdio(node(), args, env, Optional.empty(), SHUTDOWN_GRACE);
    }

    /**
     * The repository root: the nearest folder up from the working directory that holds the
     * {@code mcp-pool-it} module (Surefire runs in the module's folder).
     */
    static Path repoRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("mcp-pool-it")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        return dir;
    }
}
