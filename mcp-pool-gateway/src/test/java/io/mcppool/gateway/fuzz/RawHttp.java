package io.mcppool.gateway.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 exchange on a socket of its own, written byte for byte as given: the JDK's client refuses to send a
 * {@code Host} header or odd values, which are what a fuzzer sends. The answer is read whole (by
 * {@code Content-Length}, chunks, or to the end), except a {@code text/event-stream} answer to a GET, which stays
 * open by design: its head is read and the connection closed.
 */
final class RawHttp {
    /** Bodies read at most: far above what the fuzz gateway answers, and a bound on what a test holds. */
    static final int MAX_BODY = 8 << 20;

    private RawHttp() {
    }

    record Response(int status, String reason, Map<String, String> headers, byte[] body, boolean streamLeftOpen) {
        /** A header's value, by its name in lower case. */
        String header(String lowerCaseName) {
            return headers.get(lowerCaseName);
        }

        String contentType() {
            String type = header("content-type");
            return type == null ? "" : type.toLowerCase(Locale.ROOT);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** Thrown when the answer did not come, or not whole, by the deadline. */
    static final class NoAnswer extends IOException {
        NoAnswer(String message) {
            super(message);
        }
    }

    static Response exchange(InetSocketAddress address, String method, byte[] request, Duration deadline)
            throws IOException {
        long end = System.nanoTime() + deadline.toNanos();
        try (Socket socket = new Socket()) {
            socket.connect(address, (int) deadline.toMillis());
            socket.setSoTimeout((int) deadline.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = new DeadlineStream(socket, end);
            String statusLine = line(in);
            if (statusLine == null) {
                throw new NoAnswer("the connection closed before a status line");
            }
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new NoAnswer("not an HTTP/1.1 status line: " + statusLine);
            }
            int status = Integer.parseInt(parts[1]);
            String reason = parts.length > 2 ? parts[2] : "";
            Map<String, String> headers = new LinkedHashMap<>();
            for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
                int colon = h.indexOf(':');
                if (colon > 0) {
                    headers.merge(h.substring(0, colon).strip().toLowerCase(Locale.ROOT), h.substring(colon + 1).strip(),
                            (a, b) -> a + ", " + b);
                }
            }
            String type = headers.getOrDefault("content-type", "").toLowerCase(Locale.ROOT);
            if (method.equals("GET") && status == 200 && type.startsWith("text/event-stream")) {
                return new Response(status, reason, headers, new byte[0], true);
            }
            if (method.equals("HEAD") || status == 204 || status == 304 || status / 100 == 1) {
                return new Response(status, reason, headers, new byte[0], false);
            }
            byte[] body;
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                body = chunked(in);
            } else if (headers.containsKey("content-length")) {
                long length = Long.parseLong(headers.get("content-length"));
                if (length > MAX_BODY) {
                    throw new NoAnswer("a body of " + length + " bytes, over the test's " + MAX_BODY);
                }
                body = in.readNBytes((int) length);
                if (body.length < length) {
                    throw new NoAnswer("the body ended after " + body.length + " of " + length + " bytes");
                }
            } else {
                body = bounded(in);
            }
            return new Response(status, reason, headers, body, false);
        } catch (SocketTimeoutException e) {
            throw new NoAnswer("no whole answer within " + deadline.toMillis() + " ms");
        }
    }

    private static byte[] chunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line(in);
            if (size == null) {
                throw new NoAnswer("the chunked body ended without its last chunk");
            }
            int semicolon = size.indexOf(';');
            int n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).strip(), 16);
            if (n == 0) {
                for (String trailer = line(in); trailer != null && !trailer.isEmpty(); trailer = line(in)) {
                    // trailers are not used here
                }
                return body.toByteArray();
            }
            if (body.size() + n > MAX_BODY) {
                throw new NoAnswer("a chunked body over the test's " + MAX_BODY + " bytes");
            }
            byte[] chunk = in.readNBytes(n);
            if (chunk.length < n) {
                throw new NoAnswer("a chunk ended early");
            }
            body.writeBytes(chunk);
            line(in); // the CRLF after the chunk
        }
    }

    private static byte[] bounded(InputStream in) throws IOException {
        byte[] body = in.readNBytes(MAX_BODY + 1);
        if (body.length > MAX_BODY) {
            throw new NoAnswer("a body over the test's " + MAX_BODY + " bytes");
        }
        return body;
    }

    /** A line without its CRLF, or null at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
            }
            if (line.size() > 64 * 1024) {
                throw new NoAnswer("a line of the answer's head over 64 KiB");
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    /** The socket's input, buffered, and failing once the exchange's deadline has passed. */
    private static final class DeadlineStream extends InputStream {
        private final InputStream in;
        private final Socket socket;
        private final long end;

        DeadlineStream(Socket socket, long end) throws IOException {
            this.in = new java.io.BufferedInputStream(socket.getInputStream(), 16 * 1024);
            this.socket = socket;
            this.end = end;
        }

        @Override
        public int read() throws IOException {
            arm();
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            arm();
            return in.read(b, off, len);
        }

        private void arm() throws IOException {
            long left = (end - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new SocketTimeoutException("deadline");
            }
            socket.setSoTimeout((int) Math.max(1, left));
        }
    }
}
