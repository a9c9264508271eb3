package io.mcppool.it.abuse;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.protocol.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 written by hand, for what a well-behaved client never sends and {@code java.net.http} refuses to: a
 * foreign {@code Host}, a body shorter than its {@code Content-Length}, a request from another loopback address
 * ({@code 127.0.0.2}: Linux answers every address of 127.0.0.0/8). One request per connection; the answer is read to
 * its end, chunked or not.
 */
final class RawHttp {
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** An answer: its status, its headers by lower-case name (repeated ones joined by {@code ", "}) and its body. */
    record Answer(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        JsonNode json() {
            try {
                return Json.mapper().readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (HTTP " + status + "): " + body, e);
            }
        }

        /** For failure messages. */
        String describe() {
            return "HTTP " + status + " " + headers + "\n" + (body.length() > 2000 ? body.substring(0, 2000) + "…" : body);
        }
    }

    /** A request; build it with the with-methods, send it with {@link #send}. */
    static final class Request {
        private final URI base;
        private final String method;
        private final String path;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private byte[] body;
        private long declaredLength = -1;
        private InetAddress from;

        private Request(URI base, String method, String path) {
            this.base = base;
            this.method = method;
            this.path = path;
            headers.put("Host", base.getHost() + ":" + base.getPort());
        }

        /** Sets a header (replacing one of the same name as written here); {@code Host} may be replaced too. */
        Request header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        Request bearer(String token) {
            return header("Authorization", "Bearer " + token);
        }

        Request json(String text) {
            header("Content-Type", "application/json");
            header("Accept", "application/json, text/event-stream");
            return body(text.getBytes(StandardCharsets.UTF_8));
        }

        Request body(byte[] bytes) {
            this.body = bytes;
            return this;
        }

        /** Declares this {@code Content-Length} whatever the body's length: a client that promises more than it sends. */
        Request declaredLength(long length) {
            this.declaredLength = length;
            return this;
        }

        /** Connects from this local address (another loopback address is another client address to the gateway). */
        Request from(String localAddress) {
            try {
                this.from = InetAddress.getByName(localAddress);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Answer send() {
            try (Socket socket = new Socket()) {
                if (from != null) {
                    socket.bind(new InetSocketAddress(from, 0));
                }
                socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), (int) TIMEOUT.toMillis());
                socket.setSoTimeout((int) TIMEOUT.toMillis());
                StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n");
                Map<String, String> all = new LinkedHashMap<>(headers);
                all.put("Connection", "close");
                if (body != null || declaredLength >= 0) {
                    all.put("Content-Length", Long.toString(declaredLength >= 0 ? declaredLength : body.length));
                }
                all.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
                head.append("\r\n");
                OutputStream out = socket.getOutputStream();
                out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
                if (body != null) {
                    out.write(body);
                }
                out.flush();
                return read(socket.getInputStream());
            } catch (IOException e) {
                throw new UncheckedIOException(method + " " + path + ": " + e, e);
            }
        }
    }

    private RawHttp() {
    }

    static Request request(URI base, String method, String path) {
        return new Request(base, method, path);
    }

    static Request get(URI base, String path) {
        return request(base, "GET", path);
    }

    static Request post(URI base, String path) {
        return request(base, "POST", path);
    }

    private static Answer read(InputStream in) throws IOException {
        String statusLine = line(in);
        if (statusLine == null) {
            throw new IOException("the connection closed before a status line");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        String line;
        while ((line = line(in)) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(),
                        (a, b) -> a + ", " + b);
            }
        }
        byte[] body;
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (true) {
                String size = line(in);
                if (size == null) {
                    break;
                }
                int semicolon = size.indexOf(';');
                int n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
                if (n == 0) {
                    break;
                }
                out.write(in.readNBytes(n));
                line(in);
            }
            body = out.toByteArray();
        } else if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else {
            body = in.readAllBytes();
        }
        return new Answer(Integer.parseInt(statusLine.split(" ")[1]), headers, new String(body, StandardCharsets.UTF_8));
    }

    /** One CRLF-ended line, without its end; null at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                byte[] b = out.toByteArray();
                int length = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
                return new String(b, 0, length, StandardCharsets.ISO_8859_1);
            }
            out.write(c);
        }
        return out.size() == 0 ? null : out.toString(StandardCharsets.ISO_8859_1);
    }

    /** Every JSON-RPC message of an answer whose body is JSON or an SSE stream. */
    static List<JsonNode> messages(Answer a) {
        List<JsonNode> out = new ArrayList<>();
        String type = a.header("content-type") == null ? "" : a.header("content-type");
        if (type.startsWith("text/event-stream")) {
            for (String l : a.body().split("\r?\n")) {
                if (l.startsWith("data:")) {
                    out.add(parse(l.substring(5).trim()));
                }
            }
        } else if (!a.body().isBlank()) {
            JsonNode tree = a.json();
            if (tree.isArray()) {
                tree.forEach(out::add);
            } else {
                out.add(tree);
            }
        }
        return out;
    }

    static JsonNode parse(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
