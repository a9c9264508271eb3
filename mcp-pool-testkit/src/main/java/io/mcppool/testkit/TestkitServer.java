package io.mcppool.testkit;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a testkit server as a process.
 *
 * <pre>
 * java -cp ... io.mcppool.testkit.TestkitServer [--stdio] [options]       one session over stdin/stdout
 * java -cp ... io.mcppool.testkit.TestkitServer --http [--port P] [options]  Streamable HTTP on 127.0.0.1
 * </pre>
 *
 * Options are those of {@link TestkitOptions}. Logs go to stderr only. {@link TestkitCommand}
 * builds these command lines for tests.
 */
public final class TestkitServer {
    private TestkitServer() {
    }

    public static void main(String[] args) throws Exception {
        boolean http = false;
        int port = 0;
        List<String> rest = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--stdio" -> http = false;
                    case "--http" -> http = true;
                    case "--port" -> {
                        if (++i >= args.length) {
                            throw new IllegalArgumentException("--port needs a value");
                        }
                        port = parsePort(args[i]);
                    }
                    case "--help", "-h" -> {
                        System.err.println(usage());
                        return;
                    }
                    default -> rest.add(args[i]);
                }
            }
            TestkitOptions options = TestkitOptions.parse(rest);
            if (http && !options.stdioOnlyFlags().isEmpty()) {
                throw new IllegalArgumentException(String.join(", ", options.stdioOnlyFlags()) + ": stdio only");
            }
            TestServer server = TestServer.create(options);
            if (http) {
                runHttp(server, port);
            } else {
                runStdio(server);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("testkit: " + e.getMessage());
            System.err.println(usage());
            System.exit(2);
        }
    }

    private static void runStdio(TestServer server) throws Exception {
        // stdout carries the protocol and nothing else: keep the real stream for the runner and
        // point System.out at stderr, so a stray println anywhere cannot corrupt the stream
        OutputStream stdout = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 64 * 1024);
        System.setOut(System.err);
        new StdioRunner(server, new FileInputStream(FileDescriptor.in), stdout).run();
        // stdin closed: the client is done with us (the spec's first shutdown step)
        System.exit(0);
    }

    private static void runHttp(TestServer server, int port) {
        TestkitHttpServer http = TestkitHttpServer.start(server, port);
        // a process should die when told to crash, not linger with its listener closed
        http.onCrash(code -> {
            System.err.println("testkit: crash requested, exiting with " + code);
            Runtime.getRuntime().halt(code);
        });
        System.err.println("listening on " + http.url());
        // the HTTP server's dispatcher thread keeps the JVM alive; SIGTERM ends it
    }

    private static int parsePort(String value) {
        try {
            int p = Integer.parseInt(value);
            if (p >= 0 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--port needs a number from 0 to 65535, got '" + value + "'");
    }

    private static String usage() {
        return """
                usage: TestkitServer [--stdio | --http [--port P]] [options]
                  --stdio                 serve one session on stdin/stdout (default)
                  --http                  serve Streamable HTTP at http://127.0.0.1:P/mcp (P=0: any free port)
                  --tools-page-size N     tools per tools/list page (default 100)
                  --extra-tools N         add N filler tools tool_0001.. for pagination tests
                  --slow-start MS         wait MS before answering initialize
                  --hang-initialize       never answer initialize
                  --protocol-version V    always answer initialize with version V
                  --stderr-noise          write a line to stderr for every request
                  --journal FILE          append "<key>\\n" to FILE for every execution of record
                  --label TEXT            a marker shown in serverInfo.title and stats; no other effect
                  --conformance           serve the MCP conformance suite's fixtures instead of the built-in tools
                stdio only, servers that misbehave on purpose:
                  --sequential            read a message, answer it, then read the next, on one thread
                  --stop-reading-after N  stop reading stdin after N messages; keep running, stdout open
                  --flood-notifications N write N notifications/message to stdout after initialized, at full speed
                  --flood-bytes B         the size of each flood notification's data (default 256)
                  --fork-on-start         leave a child sharing stdio (sh ... mcp-pool-testkit-orphan <label>),
                                          exit with 0 at the first tools/call""";
    }
}
