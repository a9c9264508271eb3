package io.mcppool.bench.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.protocol.Json;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One MCP client of a Streamable HTTP endpoint for the load: one TCP connection (HTTP/1.1, kept alive) and
 * one MCP session on it, used by one thread at a time, one request after another.
 *
 * <p>A plain socket rather than {@code java.net.http.HttpClient}: the load generator shares two cores with
 * the gateways it measures, so its own cost per call must be small next to theirs. A request is one
 * {@code write} of bytes built from a prefix fixed per session; a response is read with a small HTTP/1.1
 * parser (Content-Length, chunked, or until close) and its body is either JSON or an SSE stream, whose
 * events are searched for the answer to the request's id.
 *
 * <p>A connection idle for more than {@link #MAX_IDLE_NANOS} is replaced before the next request, so a
 * server's keep-alive timeout (Node's default is 5 s) never races a request; the MCP session is not tied to
 * the connection.
 */
final class McpHttpClient implements AutoCloseable {
    static final String PROTOCOL_VERSION = "2025-06-18";
    private static final long MAX_IDLE_NANOS = 2_000_000_000L;
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    /** An answer that is not the expected result: a JSON-RPC error, a tool error, an HTTP error. */
    static final class CallFailure extends Exception {
        CallFailure(String message) {
            super(message);
        }
    }

    private final String host;
    private final int port;
    private final String path;
    private int readTimeoutMillis;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private long lastUsed;
    private String sessionId;
    private String protocolVersion;
    private long nextId = 1;
    /** The request line and headers up to Content-Length, fixed once the session is known. */
    private byte[] prefix;
    private final ByteArrayOutputStream request = new ByteArrayOutputStream(512);
    private final StringBuilder text = new StringBuilder(256);
    private final byte[] lineBuffer = new byte[8192];
    /** What was read from the socket and not yet parsed: {@code buffer[pos..limit)}. */
    private final byte[] buffer = new byte[16 * 1024];
    private int pos;
    private int limit;

    // what the last response said
    private int status;
    private long contentLength;
    private boolean chunked;
    private boolean closeAfter;
    private boolean eventStream;
    private String responseSession;
    private byte[] body = new byte[4096];
    private int bodyLength;

    private McpHttpClient(URI uri, int readTimeoutMillis) {
        this.host = uri.getHost();
        this.port = uri.getPort();
        this.path = uri.getRawPath();
        this.readTimeoutMillis = readTimeoutMillis;
    }

    /**
     * Connects, and performs the handshake ({@code initialize}, then {@code notifications/initialized}), waiting
     * up to {@code openTimeoutMillis} for each answer (an upstream may start for the session); then each read of
     * an answer waits up to {@code callTimeoutMillis}.
     */
    static McpHttpClient open(URI mcpUri, int openTimeoutMillis, int callTimeoutMillis, String clientName)
            throws IOException, CallFailure {
        McpHttpClient c = new McpHttpClient(mcpUri, openTimeoutMillis);
        try {
            c.handshake(clientName);
            c.readTimeoutMillis = callTimeoutMillis;
            if (c.socket != null) {
                c.socket.setSoTimeout(callTimeoutMillis);
            }
            return c;
        } catch (IOException | CallFailure | RuntimeException e) {
            c.closeSocket();
            throw e;
        }
    }

    private void handshake(String clientName) throws IOException, CallFailure {
        prefix = prefix(null, null);
        long id = nextId++;
        String init = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
                + PROTOCOL_VERSION + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"" + clientName
                + "\",\"version\":\"1\"}}}";
        exchange(init);
        JsonNode result = result(answer(id), "initialize");
        sessionId = responseSession;
        protocolVersion = result.path("protocolVersion").asText(PROTOCOL_VERSION);
        prefix = prefix(sessionId, protocolVersion);
        exchange("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        if (status / 100 != 2) {
            throw new CallFailure("notifications/initialized: HTTP " + status + " " + bodyText());
        }
    }

    /**
     * Calls {@code tool} with {@code {"message": message}} and returns the text of the result's first content
     * item. {@code message} must need no JSON escaping (the load's messages are letters, digits and '-').
     */
    String callEcho(String tool, String message) throws IOException, CallFailure {
        long id = nextId++;
        text.setLength(0);
        text.append("{\"jsonrpc\":\"2.0\",\"id\":").append(id)
                .append(",\"method\":\"tools/call\",\"params\":{\"name\":\"").append(tool)
                .append("\",\"arguments\":{\"message\":\"").append(message).append("\"}}}");
        exchange(text);
        JsonNode result = result(answer(id), "tools/call");
        if (result.path("isError").asBoolean(false)) {
            throw new CallFailure("tool error: " + result.path("content").path(0).path("text").asText());
        }
        JsonNode first = result.path("content").path(0).path("text");
        if (!first.isTextual()) {
            throw new CallFailure("no text content in " + result);
        }
        return first.asText();
    }

    /** Ends the session ({@code DELETE}, best effort) and closes the connection. */
    @Override
    public void close() {
        if (sessionId != null && socket != null && !socket.isClosed()) {
            try {
                socket.setSoTimeout(2_000);
                String head = "DELETE " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nMcp-Session-Id: "
                        + sessionId + "\r\nMCP-Protocol-Version: " + protocolVersion + "\r\nContent-Length: 0\r\n\r\n";
                out.write(head.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                readResponse();
            } catch (IOException e) {
                // the session ends with the gateway anyway
            }
        }
        closeSocket();
    }

    // ------------------------------------------------------------------ HTTP

    private byte[] prefix(String session, String version) {
        StringBuilder h = new StringBuilder(256);
        h.append("POST ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append(':').append(port).append("\r\n")
                .append("Content-Type: application/json\r\n")
                .append("Accept: application/json, text/event-stream\r\n");
        if (session != null) {
            h.append("Mcp-Session-Id: ").append(session).append("\r\n");
        }
        if (version != null) {
            h.append("MCP-Protocol-Version: ").append(version).append("\r\n");
        }
        h.append("Content-Length: ");
        return h.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Sends one POST with {@code json} (ASCII) as its body and reads the whole response. */
    private void exchange(CharSequence json) throws IOException {
        long now = System.nanoTime();
        if (socket == null || socket.isClosed() || now - lastUsed > MAX_IDLE_NANOS) {
            connect();
        }
        request.reset();
        request.write(prefix);
        int n = json.length();
        writeAscii(Integer.toString(n));
        writeAscii("\r\n\r\n");
        writeAscii(json);
        request.writeTo(out);
        out.flush();
        readResponse();
        lastUsed = System.nanoTime();
        if (closeAfter) {
            closeSocket();
        }
    }

    private void writeAscii(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            request.write(s.charAt(i));
        }
    }

    private void connect() throws IOException {
        closeSocket();
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.setKeepAlive(true);
        s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
        s.setSoTimeout(readTimeoutMillis);
        socket = s;
        in = s.getInputStream();
        pos = 0;
        limit = 0;
        out = s.getOutputStream();
    }

    private void closeSocket() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
            socket = null;
        }
    }

    private void readResponse() throws IOException {
        String statusLine = readLine();
        while (statusLine.isEmpty()) {
            statusLine = readLine(); // tolerate a stray CRLF after a previous body
        }
        if (!statusLine.startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP response: " + statusLine);
        }
        int sp = statusLine.indexOf(' ');
        status = Integer.parseInt(statusLine.substring(sp + 1, sp + 4));
        contentLength = -1;
        chunked = false;
        closeAfter = statusLine.startsWith("HTTP/1.0");
        eventStream = false;
        responseSession = null;
        String line;
        while (!(line = readLine()).isEmpty()) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> contentLength = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> closeAfter |= value.equalsIgnoreCase("close");
                case "content-type" -> eventStream = value.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
                case "mcp-session-id" -> responseSession = value;
                default -> {
                }
            }
        }
        bodyLength = 0;
        if (status / 100 == 1 || status == 204 || status == 304) {
            return;
        }
        if (chunked) {
            while (true) {
                String size = readLine();
                int semi = size.indexOf(';');
                int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                if (n == 0) {
                    while (!readLine().isEmpty()) {
                        // trailers
                    }
                    return;
                }
                readBody(n);
                if (!readLine().isEmpty()) {
                    throw new IOException("malformed chunk");
                }
            }
        } else if (contentLength >= 0) {
            readBody((int) contentLength);
        } else {
            // neither: the body ends when the server closes the connection
            int b;
            while ((b = read()) >= 0) {
                ensureBody(1);
                body[bodyLength++] = (byte) b;
            }
            closeAfter = true;
        }
    }

    private void readBody(int n) throws IOException {
        ensureBody(n);
        int buffered = Math.min(n, limit - pos);
        System.arraycopy(buffer, pos, body, bodyLength, buffered);
        pos += buffered;
        bodyLength += buffered;
        int rest = n - buffered;
        if (rest > 0) {
            int read = in.readNBytes(body, bodyLength, rest);
            if (read < rest) {
                throw new EOFException("connection closed in a response body");
            }
            bodyLength += rest;
        }
    }

    /** The next byte of the response, or -1 at the end of the stream. */
    private int read() throws IOException {
        if (pos == limit) {
            int n = in.read(buffer, 0, buffer.length);
            if (n <= 0) {
                return -1;
            }
            pos = 0;
            limit = n;
        }
        return buffer[pos++] & 0xff;
    }

    private void ensureBody(int more) {
        if (bodyLength + more > body.length) {
            body = java.util.Arrays.copyOf(body, Math.max(body.length * 2, bodyLength + more));
        }
    }

    /** One header or chunk-size line, without its CRLF (ISO-8859-1). */
    private String readLine() throws IOException {
        int n = 0;
        int b;
        while ((b = read()) >= 0) {
            if (b == '\n') {
                if (n > 0 && lineBuffer[n - 1] == '\r') {
                    n--;
                }
                return new String(lineBuffer, 0, n, StandardCharsets.ISO_8859_1);
            }
            if (n == lineBuffer.length) {
                throw new IOException("header line too long");
            }
            lineBuffer[n++] = (byte) b;
        }
        throw new EOFException(n == 0 ? "connection closed by the server" : "connection closed in a header");
    }

    private String bodyText() {
        return new String(body, 0, Math.min(bodyLength, 300), StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ MCP

    /** The JSON-RPC response to request {@code id} in the last HTTP response (JSON, or one event of an SSE stream). */
    private JsonNode answer(long id) throws IOException, CallFailure {
        if (status != 200) {
            throw new CallFailure("HTTP " + status + ": " + bodyText());
        }
        if (!eventStream) {
            JsonNode message = Json.mapper().readTree(body, 0, bodyLength);
            if (message.path("id").asLong(-1) != id) {
                throw new CallFailure("answer to another request: " + bodyText());
            }
            return message;
        }
        // SSE: events are separated by a blank line; a message is the concatenation of its data lines
        int i = 0;
        StringBuilder data = new StringBuilder();
        while (i < bodyLength) {
            int end = i;
            while (end < bodyLength && body[end] != '\n') {
                end++;
            }
            int lineEnd = end > i && body[end - 1] == '\r' ? end - 1 : end;
            if (lineEnd == i) {
                JsonNode message = event(data, id);
                if (message != null) {
                    return message;
                }
                data.setLength(0);
            } else if (startsWith(i, lineEnd, "data:")) {
                int from = i + 5;
                if (from < lineEnd && body[from] == ' ') {
                    from++;
                }
                if (!data.isEmpty()) {
                    data.append('\n');
                }
                data.append(new String(body, from, lineEnd - from, StandardCharsets.UTF_8));
            }
            i = end + 1;
        }
        JsonNode message = event(data, id);
        if (message != null) {
            return message;
        }
        throw new CallFailure("no answer to request " + id + " in the event stream: " + bodyText());
    }

    private static JsonNode event(StringBuilder data, long id) throws IOException {
        if (data.isEmpty()) {
            return null;
        }
        JsonNode message = Json.mapper().readTree(data.toString());
        return message.has("method") || message.path("id").asLong(-1) != id ? null : message;
    }

    private boolean startsWith(int from, int to, String prefix) {
        if (to - from < prefix.length()) {
            return false;
        }
        for (int k = 0; k < prefix.length(); k++) {
            if (body[from + k] != prefix.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static JsonNode result(JsonNode message, String method) throws CallFailure {
        JsonNode error = message.get("error");
        if (error != null && !error.isNull()) {
            throw new CallFailure(method + ": JSON-RPC error " + error.path("code").asInt() + " "
                    + error.path("message").asText());
        }
        JsonNode result = message.get("result");
        if (result == null || !result.isObject()) {
            throw new CallFailure(method + ": no result in " + message);
        }
        return result;
    }
}
