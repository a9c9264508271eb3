package io.mcppool.gateway.ops;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * {@code promtool check metrics} (Debian's {@code prometheus} package, which {@code .ci/run} installs). A machine
 * without it fails the test rather than skip it: the check is an acceptance criterion.
 */
final class Promtool {
    static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    record Result(int exitCode, String output) {
    }

    private Promtool() {
    }

    static Result check(String text) throws IOException, InterruptedException {
        if (!Files.isExecutable(PROMTOOL)) {
            fail("promtool is not installed (apt-get install --no-install-recommends prometheus)");
        }
        Process p = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("promtool check metrics did not finish within 30 s");
        }
        return new Result(p.exitValue(), output);
    }
}
