package io.mcppool.gateway.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.config.Redaction;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.PoolMode;
import io.mcppool.config.PoolSettings;
import io.mcppool.config.Replica;
import io.mcppool.config.ServerConfig;
import io.mcppool.protocol.Content;
import io.mcppool.protocol.Json;
import java.io.File;
import java.io.PrintWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** How the commands print things: one-line summaries, aligned columns, content blocks, JSON. */
final class Text {
    /** Lines are cut to this width: about a terminal's, and stable for scripts and docs. */
    static final int WIDTH = 100;
    /** The longest an endpoint is shown in a table. */
    static final int ENDPOINT_WIDTH = 60;
    static final String ELLIPSIS = "...";

    private Text() {
    }

    // ------------------------------------------------------------------ strings

    /** Whitespace runs (newlines included) become one space. */
    static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s+", " ");
    }

    static String cut(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        return max <= ELLIPSIS.length() ? s.substring(0, max) : s.substring(0, max - ELLIPSIS.length()) + ELLIPSIS;
    }

    /** {@code 250ms}, {@code 30s}, {@code 1m30s}, {@code 2h}: the way config files write durations. */
    static String duration(java.time.Duration d) {
        if (d.isZero()) {
            return "0";
        }
        long ms = d.toMillis();
        if (ms < 1000 || ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        StringBuilder sb = new StringBuilder();
        if (s >= 3600) {
            sb.append(s / 3600).append('h');
            s %= 3600;
        }
        if (s >= 60) {
            sb.append(s / 60).append('m');
            s %= 60;
        }
        if (s > 0) {
            sb.append(s).append('s');
        }
        return sb.toString();
    }

    static String plural(long n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    // ------------------------------------------------------------------ tables

    /** Prints rows as columns two spaces apart; the last column is cut so a line fits {@link #WIDTH}. */
    static void table(PrintWriter out, List<List<String>> rows) {
        table(out, rows, true);
    }

    /** Prints rows as columns two spaces apart; with {@code fit}, lines are cut to {@link #WIDTH}. */
    static void table(PrintWriter out, List<List<String>> rows, boolean fit) {
        if (rows.isEmpty()) {
            return;
        }
        int columns = rows.stream().mapToInt(List::size).max().orElse(0);
        int[] widths = new int[columns];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size() - 1; i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i);
                if (i < row.size() - 1) {
                    line.append(cell).append(" ".repeat(widths[i] - cell.length() + 2));
                } else {
                    line.append(cell);
                }
            }
            String text = line.toString().stripTrailing();
            out.println(fit ? cut(text, WIDTH) : text);
        }
    }

    // ------------------------------------------------------------------ servers and endpoints

    static String transport(EndpointConfig endpoint) {
        return switch (endpoint) {
            case EndpointConfig.Stdio ignored -> "stdio";
            case EndpointConfig.Http ignored -> "http";
            case EndpointConfig.Custom ignored -> "custom";
        };
    }

    /** A server's transport: its endpoints' one kind, or {@code mixed}. */
    static String transport(ServerConfig server) {
        List<String> kinds = server.replicas().stream().map(r -> transport(r.endpoint())).distinct().toList();
        return kinds.size() == 1 ? kinds.get(0) : "mixed";
    }

    /** A server's endpoint as {@link #endpoint(EndpointConfig)} shows it, or "3 endpoints (balance)" for several. */
    static String endpoint(ServerConfig server) {
        if (server.replicas().size() == 1) {
            return endpoint(server.endpoint());
        }
        return plural(server.replicas().size(), "endpoint", "endpoints") + " (" + server.balance().configName() + ")";
    }

    /** How one of several endpoints is named: its name, else its position. */
    static String replicaName(Replica replica, int index) {
        return replica.name().orElse("#" + index);
    }

    /** What sets one of several endpoints apart besides where it is: weight and tier, when not the defaults. */
    static String replicaShare(Replica replica) {
        List<String> parts = new ArrayList<>();
        if (replica.weight() != 1) {
            parts.add("weight " + replica.weight());
        }
        if (replica.tier() != 0) {
            parts.add("tier " + replica.tier());
        }
        return String.join(", ", parts);
    }

    /** The endpoint short enough for a table: the command's file name and short args, or the URL without secrets. */
    static String endpoint(EndpointConfig endpoint) {
        return switch (endpoint) {
            case EndpointConfig.Stdio s -> command(s.command(), s.args());
            case EndpointConfig.Http h -> url(h.url());
            case EndpointConfig.Custom c -> cut(oneLine(c.description()), ENDPOINT_WIDTH);
        };
    }

    /** The same for an endpoint label as messages and snapshots carry it (the command line joined by spaces). */
    static String endpointLabel(String label) {
        if (label == null) {
            return "";
        }
        if (label.startsWith("http://") || label.startsWith("https://")) {
            try {
                return url(URI.create(label.strip()));
            } catch (IllegalArgumentException e) {
                return cut(label, ENDPOINT_WIDTH);
            }
        }
        String[] words = Redaction.text(label).strip().split("\\s+");
        return command(words[0], List.of(words).subList(1, words.length));
    }

    /** A command line made short, its arguments redacted first (a cut must not show the start of a secret). */
    static String command(String command, List<String> args) {
        List<String> words = new ArrayList<>();
        words.add(fileName(command));
        for (String a : Redaction.args(args)) {
            words.add(shortArg(a));
        }
        String all = String.join(" ", words);
        if (all.length() <= ENDPOINT_WIDTH || words.size() == 1) {
            return cut(all, ENDPOINT_WIDTH);
        }
        // Keep the program and its last word (the script, main class or package), which say the most.
        String shortest = words.get(0) + " " + ELLIPSIS + " " + words.get(words.size() - 1);
        return cut(shortest, ENDPOINT_WIDTH);
    }

    private static String shortArg(String arg) {
        if (!arg.contains("://") && arg.contains(File.pathSeparator) && arg.contains(File.separator)) {
            String[] entries = arg.split(java.util.regex.Pattern.quote(File.pathSeparator));
            String first = fileName(entries[0]);
            return entries.length == 1 ? first : first + File.pathSeparator + ELLIPSIS + "(" + entries.length + ")";
        }
        if (arg.length() > 30 && arg.startsWith(File.separator)) {
            return ELLIPSIS + File.separator + fileName(arg);
        }
        return arg;
    }

    private static String fileName(String path) {
        String p = path;
        while (p.length() > 1 && p.endsWith(File.separator)) {
            p = p.substring(0, p.length() - 1);
        }
        int slash = p.lastIndexOf(File.separatorChar);
        return slash < 0 || slash == p.length() - 1 ? p : p.substring(slash + 1);
    }

    /** Scheme, host, port and path only: user info and query strings may carry secrets. */
    static String url(URI url) {
        StringBuilder sb = new StringBuilder();
        if (url.getScheme() != null) {
            sb.append(url.getScheme()).append("://");
        }
        if (url.getHost() != null) {
            sb.append(url.getHost());
        }
        if (url.getPort() >= 0) {
            sb.append(':').append(url.getPort());
        }
        if (url.getRawPath() != null) {
            sb.append(url.getRawPath());
        }
        if (url.getRawQuery() != null) {
            sb.append("?").append(ELLIPSIS);
        }
        return cut(sb.toString(), ENDPOINT_WIDTH);
    }

    static String pool(PoolSettings p) {
        String mode = p.mode().configName();
        if (p.mode() == PoolMode.STICKY) {
            return mode + ", up to " + plural(p.maxSessions(), "key", "keys");
        }
        String sessions = p.minSessions() == p.maxSessions() ? Integer.toString(p.maxSessions())
                : p.minSessions() + "-" + p.maxSessions();
        String s = mode + ", " + sessions + (sessions.equals("1") ? " session" : " sessions");
        return p.mode() == PoolMode.EXCLUSIVE ? s : s + " x " + p.maxConcurrentRequests() + " calls";
    }

    /**
     * One row per server: name, transport, endpoint (or the number of endpoints and the balance), pool, and
     * "trusted" where it is.
     */
    static List<List<String>> serverRows(Map<String, ServerConfig> servers) {
        List<List<String>> rows = new ArrayList<>();
        for (ServerConfig s : servers.values()) {
            rows.add(List.of(s.name(), transport(s), endpoint(s),
                    pool(s.pool()) + (s.trusted() ? ", trusted" : "")));
        }
        return rows;
    }

    // ------------------------------------------------------------------ content

    /** Text blocks as they are; every other block as one bracketed line. */
    static void content(PrintWriter out, List<Content> blocks) {
        for (Content c : blocks) {
            switch (c) {
                case Content.Text t -> printText(out, t.text());
                case Content.Image i -> out.println("[image " + mime(i.mimeType()) + ", " + bytes(i.data()) + " bytes]");
                case Content.Audio a -> out.println("[audio " + mime(a.mimeType()) + ", " + bytes(a.data()) + " bytes]");
                case Content.ResourceLink l -> out.println("[resource link " + l.uri()
                        + (l.name() == null ? "" : " (" + l.name() + ")") + "]");
                case Content.EmbeddedResource r -> out.println("[resource " + resource(r.resource()) + "]");
                case Content.Other o -> out.println("[" + (o.type().isEmpty() ? "unknown" : o.type()) + " block]");
            }
        }
    }

    private static String resource(JsonNode r) {
        if (r == null || !r.isObject()) {
            return "(empty)";
        }
        String uri = r.path("uri").asText("?");
        String mime = r.path("mimeType").asText(null);
        String size = r.hasNonNull("text") ? plural(r.get("text").asText().length(), "char", "chars")
                : r.hasNonNull("blob") ? bytes(r.get("blob").asText()) + " bytes" : "no contents";
        return uri + (mime == null ? "" : " " + mime) + ", " + size;
    }

    static void printText(PrintWriter out, String text) {
        if (text.endsWith("\n")) {
            out.print(text);
        } else {
            out.println(text);
        }
    }

    static String mime(String mime) {
        return mime == null || mime.isBlank() ? "(no type)" : mime;
    }

    /** The decoded size of base64 data (estimated from its length when it is not valid base64). */
    static long bytes(String base64) {
        if (base64 == null) {
            return 0;
        }
        try {
            return Base64.getMimeDecoder().decode(base64).length;
        } catch (IllegalArgumentException e) {
            return base64.length() * 3L / 4;
        }
    }

    // ------------------------------------------------------------------ JSON

    static String pretty(Object value) {
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    static String compact(JsonNode value) {
        return Json.write(value);
    }

    /** The arguments object as the map {@code callTool} takes, values kept as the JSON they are. */
    static Map<String, Object> map(ObjectNode node) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }
}
