package io.mcppool.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of {@code mcp-pool-bench.jar}.
 *
 * <pre>
 * java -jar mcp-pool-bench.jar echo [--duration 10s] [--warmup 3s] [--concurrency 1,32] ...
 * java -jar mcp-pool-bench.jar gateway [--duration 5s] [--warmup 2s] [--concurrency 1,16,64] ...
 * java -jar mcp-pool-bench.jar saturation [--payloads 32k,1m] [--callers 1,32,128] ...
 * java -jar mcp-pool-bench.jar jmh [JMH options and benchmark regexps]
 * </pre>
 *
 * {@code echo} runs {@link EchoScenario} (session per call vs one shared session vs the pool, against
 * the testkit stdio echo server) and prints a Markdown table. {@code gateway} runs
 * {@link io.mcppool.bench.gateway.GatewayScenario} (the pool direct, the mcp-pool gateway, supergateway and
 * mcp-proxy in front of the same stdio server) and prints a Markdown table. {@code saturation} runs
 * {@link io.mcppool.bench.saturation.SaturationScenario} (large echo calls at up to 128 callers, on this engine and
 * on an older one built by {@code scripts/bench-baseline.sh}) and prints a Markdown table. {@code jmh} hands its arguments to
 * JMH's own command line ({@code org.openjdk.jmh.Main}), adding short defaults for the options not
 * given ({@link #JMH_DEFAULTS}): {@code jmh -h} lists JMH's options, {@code jmh -l} the benchmarks.
 */
public final class BenchMain {
    /** Short runs unless told otherwise: one fork, 3 warm-up and 5 measured iterations of one second. */
    static final List<String> JMH_DEFAULTS = List.of("-f", "1", "-wi", "3", "-i", "5", "-w", "1s", "-r", "1s");

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help") || args[0].equals("help")) {
            System.out.println(usage());
            return;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "echo" -> System.exit(EchoScenario.run(rest));
            case "gateway" -> System.exit(io.mcppool.bench.gateway.GatewayScenario.run(rest));
            case "saturation" -> System.exit(io.mcppool.bench.saturation.SaturationScenario.run(rest));
            case "jmh" -> org.openjdk.jmh.Main.main(jmhArgs(rest));
            default -> {
                System.err.println("unknown command '" + args[0] + "'");
                System.err.println(usage());
                System.exit(2);
            }
        }
    }

    /** The user's JMH arguments plus each default option the user did not give. */
    static String[] jmhArgs(String[] user) {
        List<String> out = new ArrayList<>();
        List<String> given = Arrays.asList(user);
        boolean informational = given.contains("-h") || given.contains("-l") || given.contains("-lp")
                || given.contains("-lprof") || given.contains("-lrf");
        if (!informational) {
            for (int i = 0; i < JMH_DEFAULTS.size(); i += 2) {
                String flag = JMH_DEFAULTS.get(i);
                if (!given.contains(flag)) {
                    out.add(flag);
                    out.add(JMH_DEFAULTS.get(i + 1));
                }
            }
        }
        out.addAll(given);
        return out.toArray(new String[0]);
    }

    public static String usage() {
        return """
                usage: java -jar mcp-pool-bench.jar <command> [options]

                  echo   session-per-call vs one shared session vs the pool, against the testkit stdio
                         echo tool; prints a Markdown table. Options (defaults in brackets):
                           --duration 10s            measured time per strategy and concurrency
                           --warmup 3s               warm-up per strategy before that
                           --slice 200ms             shared session and pool are measured alternately,
                                                     in slices of this length (A B B A A B ...)
                           --concurrency 1,32        caller threads, one set of rows per level
                           --strategies session-per-call,shared-session,pool
                           --pool-min-sessions 1     pool: sessions opened at start
                           --pool-max-sessions 4     pool: maxSessions
                           --pool-max-concurrent 16  pool: maxConcurrentRequests per session
                           --spc-duration 15s        session-per-call: callers start calls this long;
                                                     every call counts, until the last one ends
                           --threads platform        platform | virtual caller threads
                           --payload-bytes 0         extra characters appended to every message
                  gateway  the testkit stdio echo tool called directly through the pool, through the mcp-pool
                         gateway (`serve` in a child JVM), and through supergateway and mcp-proxy (Node, from
                         .npm-peers); prints a Markdown table. Options (defaults in brackets):
                           --concurrency 1,16,64     clients (threads, each with its own MCP session per gateway)
                           --duration 5s             measured time per row and concurrency
                           --warmup 2s               warm-up per row and concurrency before that
                           --jit-warmup 3s           one unmeasured pass per row at 16 clients first (0: none)
                           --slice 500ms             rows are measured alternately, in slices of this length
                           --targets direct,mcp-pool,supergateway,mcp-proxy
                           --pool-max-sessions 4     direct and mcp-pool: maxSessions
                           --pool-max-concurrent 16  direct and mcp-pool: maxConcurrentRequests per session
                           --max-time 3m             the whole run is stopped (exit 4) after this long
                           --npm-peers DIR           where supergateway and mcp-proxy are installed
                                                     (default: .npm-peers/node_modules found above the
                                                     working directory or this jar)
                           --gateway-jvm-opts "..."  JVM options of the mcp-pool gateway's JVM (profiling)
                  saturation  the testkit stdio echo tool with large messages at many callers, on this engine
                         ("after") and on an older one ("before", built by scripts/bench-baseline.sh [commit]),
                         each cell in a JVM of its own; prints a Markdown table. Options (defaults in brackets):
                           --payloads 32k,1m         message sizes (k and m are 1,024 and 1,048,576 bytes)
                           --callers 1,32,128        virtual-thread callers in a closed loop, one cell per value
                           --warmup 2s               per cell and engine, not measured (longer until every caller
                                                     has had a call end)
                           --duration 6s             measured per cell and engine
                           --call-timeout 30s        every call's timeout (CallOptions)
                           --acquire-timeout 30s     pool: acquireTimeout
                           --hang-after 35s          a driver that sees no call answered for this long reports
                                                     "hung" (default: the call timeout plus 5s)
                           --close-timeout 15s       how long a driver waits for close() to return (the pool's
                                                     shutdownGrace is 10s)
                           --max-sessions 4          pool: maxSessions
                           --max-concurrent 16       pool: maxConcurrentRequests per session
                           --engines before,after    which engines to run
                           --baseline-classpath CP   the "before" class path, or @FILE holding it (default: the
                                                     one scripts/bench-baseline.sh wrote to target/baseline/)
                           --max-time 15m            the whole run is stopped (exit 4) after this long
                  jmh    the JMH benchmarks in this jar (in-process pool hot path); JMH options follow,
                         defaults when not given: %s
                """.formatted(String.join(" ", JMH_DEFAULTS));
    }
}
