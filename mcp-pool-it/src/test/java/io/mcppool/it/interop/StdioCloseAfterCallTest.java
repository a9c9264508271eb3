package io.mcppool.it.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.mcppool.McpPool;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression test: {@code McpPool.close()} right after a call returns must shut the stdio server
 * down the way the spec says (close stdin, wait, then SIGTERM, then SIGKILL) and return only once
 * the process is gone. The testkit server exits by itself as soon as its stdin closes, so neither
 * signal is ever needed.
 *
 * <p>Before commit 42d1fdc ("Stdio shutdown keeps its grace periods when interrupted or closed
 * twice") this failed in roughly a third of the rounds: the call's lease was released just
 * <em>after</em> the caller had its result (the release is a {@code whenComplete} registered on the
 * answer before the caller's stage, and CompletableFuture runs dependents last-in first-out), so
 * the release found the session retiring and closed it through {@code closeInBackground} on the
 * background executor; {@code SessionPool.close}'s own closer then returned at once (already
 * closed), {@code McpPool.close} called {@code background.shutdownNow()}, and the interrupted
 * {@code StdioTransport.close} skipped its grace periods: SIGTERM and SIGKILL within milliseconds
 * (logged as "ignored SIGTERM for PT2S; sending SIGKILL"), and {@code close()} returned while the
 * server was still alive.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class StdioCloseAfterCallTest {
    private static io.mcppool.config.EndpointConfig.Stdio patient(io.mcppool.config.EndpointConfig.Stdio stdio) {
        return new io.mcppool.config.EndpointConfig.Stdio(stdio.command(), stdio.args(), stdio.env(), stdio.cwd(),
                java.time.Duration.ofSeconds(10));
    }

    private static final String TESTKIT_MAIN = "io.mcppool.testkit.TestkitServer";
    private static final int ROUNDS = 10;

    @Test
    void closeRightAfterACallShutsTheServerDownGracefullyAndWaitsForIt() {
        String server = "tk-close";
        List<String> problems = new ArrayList<>();
        try (LogCapture transportLog = LogCapture.of("io.mcppool.internal.transport.StdioTransport")) {
            for (int round = 1; round <= ROUNDS; round++) {
                Set<Long> before = ChildProcesses.matching(TESTKIT_MAIN, "--stdio");
                // Each stop step may take 10 s: a JVM that exits on stdin EOF can take more than the default 2 s to do so
                // on a loaded machine, and this test is about the pool keeping its steps, not about the machine's speed.
                McpPool pool = McpPool.builder().server(Interop.server(server, patient(Interop.testkitStdio()), 1, 1))
                        .build();
                int logged = transportLog.lines().size();
                try {
                    assertThat(pool.callTool(server, "echo", Map.of("message", "round " + round)).text())
                            .isEqualTo("round " + round);
                } finally {
                    pool.close();
                }
                List<String> alive = ChildProcesses.newSince(before, TESTKIT_MAIN, "--stdio");
                List<String> lines = transportLog.lines();
                List<String> signals = lines.subList(logged, lines.size()).stream()
                        .filter(l -> l.contains("SIGTERM") || l.contains("SIGKILL")).toList();
                if (!alive.isEmpty()) {
                    problems.add("round " + round + ": close() returned while the server was still running: " + alive);
                }
                if (!signals.isEmpty()) {
                    problems.add("round " + round + ": a server that exits on stdin EOF was signalled: " + signals);
                }
                // do not let one round's leftovers spill into the next round's numbers
                ChildProcesses.awaitGone(before, java.time.Duration.ofSeconds(10), TESTKIT_MAIN, "--stdio");
            }
        }
        assertThat(problems).as("graceful stdio shutdown on close(), " + ROUNDS + " rounds").isEmpty();
    }
}
