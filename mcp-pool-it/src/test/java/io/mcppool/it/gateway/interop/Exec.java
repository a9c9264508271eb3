package io.mcppool.it.gateway.interop;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a client process to its end within a deadline. Output goes to files, so a chatty process never
 * blocks on a full pipe; stdin is {@code /dev/null}. A process that outlives its deadline is killed with
 * everything it started, and the test fails with what it had printed.
 */
public final class Exec {
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        /** For assertion messages. */
        public String describe() {
            return String.join(" ", command) + "\nexit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    private Exec() {
    }

    static Result run(List<String> command, Map<String, String> env, Path workDir, Duration timeout) {
        return run(command, env, workDir, timeout, false);
    }

    /** As {@link #run(List, Map, Path, Duration)}; with {@code onlyEnv}, {@code env} is the whole environment. */
    static Result run(List<String> command, Map<String, String> env, Path workDir, Duration timeout, boolean onlyEnv) {
        try {
            Path out = Files.createTempFile(workDir, "stdout", ".txt");
            Path err = Files.createTempFile(workDir, "stderr", ".txt");
            ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            if (onlyEnv) {
                pb.environment().clear();
            }
            pb.environment().putAll(env);
            Process p = pb.start();
            boolean ended;
            try {
                ended = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ended = false;
            }
            if (!ended) {
                destroyTree(p.toHandle());
                p.waitFor(10, TimeUnit.SECONDS);
                return fail("no exit within " + timeout + ": " + String.join(" ", command) + "\n--- stdout\n"
                        + Files.readString(out, StandardCharsets.UTF_8) + "\n--- stderr\n"
                        + Files.readString(err, StandardCharsets.UTF_8));
            }
            return new Result(command, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Kills the process and every descendant, children first seen before the parent goes. */
    static void destroyTree(ProcessHandle process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
    }
}
