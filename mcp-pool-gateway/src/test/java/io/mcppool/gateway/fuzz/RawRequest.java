package io.mcppool.gateway.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A fuzz input read as an HTTP request to the MCP endpoint, and written back as a well-formed one.
 *
 * <p>The input is written like a request (so the committed inputs are real requests a person can read and add
 * to): a request line, header lines, a blank line, the body. Placeholders stand for what only exists at run time:
 * {@code {HOST}} (the gateway's host and port), {@code {ORIGIN}} (its own origin), {@code {KEY}} and
 * {@code {KEY_NARROW}} (the two clients' API keys), {@code {SESSION}} and {@code {SESSION_2025_03_26}} (open
 * sessions of the first client, negotiated at 2025-11-25 and at 2025-03-26, where batches are allowed).
 *
 * <p>What the fuzzer changes is taken leniently and the request is always sent well-formed, so that every input
 * reaches the gateway's handler rather than Jetty's HTTP parser: the method keeps only token characters (POST if
 * none are left); the path is the endpoint's, and the input's query string is kept in URL-safe characters;
 * header names keep token characters, header values lose control characters (CR, LF and NUL would start
 * another header or end the head); the framing headers ({@code Content-Length}, {@code Transfer-Encoding},
 * {@code Connection}) are the harness's, and a missing {@code Host} is added, since HTTP/1.1 requires one.
 */
record RawRequest(String method, String query, List<String[]> headers, byte[] body) {
    private static final Set<String> FRAMING = Set.of("content-length", "transfer-encoding", "connection");
    /** Headers kept from one input: far more than any real request, far under Jetty's 8 KiB head. */
    static final int MAX_HEADERS = 40;

    static RawRequest parse(byte[] input) {
        int split = indexOf(input, "\n\n".getBytes(StandardCharsets.US_ASCII));
        int splitCrlf = indexOf(input, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        int headEnd;
        int bodyStart;
        if (splitCrlf >= 0 && (split < 0 || splitCrlf < split)) {
            headEnd = splitCrlf;
            bodyStart = splitCrlf + 4;
        } else if (split >= 0) {
            headEnd = split;
            bodyStart = split + 2;
        } else {
            headEnd = input.length;
            bodyStart = input.length;
        }
        String head = new String(input, 0, headEnd, StandardCharsets.UTF_8);
        byte[] body = java.util.Arrays.copyOfRange(input, bodyStart, input.length);
        String[] lines = head.split("\r?\n", -1);
        String[] requestLine = lines[0].strip().split(" +");
        String method = token(requestLine.length > 0 ? requestLine[0] : "");
        if (method.isEmpty()) {
            method = "POST";
        }
        String target = requestLine.length > 1 ? requestLine[1] : "";
        int q = target.indexOf('?');
        String query = q < 0 ? "" : target.substring(q + 1).replaceAll("[^A-Za-z0-9=&%._~+-]", "");
        List<String[]> headers = new ArrayList<>();
        for (int i = 1; i < lines.length && headers.size() < MAX_HEADERS; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = token(lines[i].substring(0, colon));
            if (name.isEmpty() || FRAMING.contains(name.toLowerCase(Locale.ROOT))) {
                continue;
            }
            headers.add(new String[] {name, value(lines[i].substring(colon + 1))});
        }
        return new RawRequest(method, query, headers, body);
    }

    /** The request's first value of header {@code name} as written in the input (placeholders not replaced). */
    String header(String name) {
        return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).findFirst().orElse(null);
    }

    boolean mentions(String placeholder) {
        return headers.stream().anyMatch(h -> h[1].contains(placeholder));
    }

    /** The bytes sent: placeholders replaced by {@code values}, and the harness's framing. */
    byte[] encode(String path, Map<String, String> values) {
        StringBuilder head = new StringBuilder();
        head.append(method).append(' ').append(path).append(query.isEmpty() ? "" : "?" + query).append(" HTTP/1.1\r\n");
        boolean host = false;
        for (String[] h : headers) {
            host |= h[0].equalsIgnoreCase("Host");
            head.append(h[0]).append(": ").append(replace(h[1], values)).append("\r\n");
        }
        if (!host) {
            head.append("Host: ").append(values.get("{HOST}")).append("\r\n");
        }
        if (body.length > 0 || method.equals("POST") || method.equals("PUT") || method.equals("PATCH")) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length() + body.length);
        out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static String replace(String value, Map<String, String> values) {
        String out = value;
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (out.contains(e.getKey())) {
                out = out.replace(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /** The characters of {@code s} that RFC 9110 allows in a token (method, header name). */
    private static String token(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x7F && (Character.isLetterOrDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0)) {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** A header value without what would end it (CR, LF, NUL) or that no value may hold (other controls). */
    private static String value(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\t' || c >= 0x20 && c != 0x7F) {
                out.append(c);
            }
        }
        return out.toString().strip();
    }

    private static int indexOf(byte[] data, byte[] part) {
        outer:
        for (int i = 0; i + part.length <= data.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (data[i + j] != part[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
