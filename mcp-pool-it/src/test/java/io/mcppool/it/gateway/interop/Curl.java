package io.mcppool.it.gateway.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The real {@code curl} binary, one HTTP/1.1 exchange per call, its answer parsed from {@code curl -i}. */
final class Curl {
    static final String PROTOCOL_VERSION = "2025-11-25";
    private static final String MAX_TIME_SECONDS = "30";

    /** One HTTP answer: the status of the last response line, its headers (names in lower case), the body. */
    record Response(int status, Map<String, String> headers, String body, Exec.Result raw) {
        Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
        }
    }

    private final Path workDir;
    private final URI url;

    Curl(Path workDir, URI url) {
        this.workDir = workDir;
        this.url = url;
    }

    /** POST of one JSON-RPC message as an MCP client sends it; {@code sessionId} null before initialize. */
    Response post(String sessionId, String json) {
        List<String> args = new ArrayList<>(List.of("-X", "POST",
                "-H", "Content-Type: application/json",
                "-H", "Accept: application/json, text/event-stream"));
        if (sessionId != null) {
            args.addAll(List.of("-H", "Mcp-Session-Id: " + sessionId, "-H", "MCP-Protocol-Version: " + PROTOCOL_VERSION));
        }
        args.addAll(List.of("--data-binary", json));
        return exchange(args);
    }

    Response delete(String sessionId) {
        return exchange(List.of("-X", "DELETE", "-H", "Mcp-Session-Id: " + sessionId,
                "-H", "MCP-Protocol-Version: " + PROTOCOL_VERSION));
    }

    private Response exchange(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(Peers.curl(), "-sS", "-i", "-N", "--http1.1",
                "--max-time", MAX_TIME_SECONDS));
        cmd.addAll(args);
        cmd.add(url.toString());
        Exec.Result r = Exec.run(cmd, Map.of(), workDir, Peers.STEP_TIMEOUT);
        assertThat(r.exitCode()).as("curl's exit code\n%s", r.describe()).isZero();
        return parse(r);
    }

    private static Response parse(Exec.Result r) {
        String out = r.stdout();
        int end = out.indexOf("\r\n\r\n");
        String head = end < 0 ? out : out.substring(0, end);
        String body = end < 0 ? "" : out.substring(end + 4);
        String[] lines = head.split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        return new Response(status, headers, body, r);
    }

    /** The JSON of each {@code data:} line of an SSE body, in order. */
    static List<String> sseData(String body) {
        List<String> data = new ArrayList<>();
        for (String line : body.split("\r?\n")) {
            if (line.startsWith("data:")) {
                data.add(line.substring(5).trim());
            }
        }
        return data;
    }
}
