package io.mcppool.gateway.cli;

import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;

/** Runs the CLI in-process with captured output, and checks that no child process outlives a test. */
final class CliTestSupport {
    private CliTestSupport() {
    }

    record Run(int code, String out, String err) {
        List<String> outLines() {
            return out.lines().toList();
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    /** Every process this JVM started has ended (the pool closes its servers when the command ends). */
    static void awaitNoChildProcesses() {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() ->
                ProcessHandle.current().descendants().noneMatch(ProcessHandle::isAlive));
    }

    static List<String> liveChildren() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
    }
}
