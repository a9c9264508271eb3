package io.mcppool.internal.transport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1.1 server on 127.0.0.1 written on a plain {@link ServerSocket}, so a test decides every byte a
 * hostile or quirky MCP server sends: it may answer, stream SSE events, end a stream early, or hold a
 * response open forever. It counts the responses it holds open whose connection the client has not closed
 * yet ({@link #heldOpen()}): a client that leaks a connection per unanswered request shows there.
 */
final class RawHttpServer implements AutoCloseable {

    /** One request as received, with the time it arrived ({@link System#nanoTime()}). */
    record Request(String method, String path, Map<String, String> headers, String body, long arrivedNanos) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** Writes one response. Leaving it unfinished (no {@link #json}, {@link #status} or {@link #end}) holds it open. */
    interface Handler {
        void handle(Request request, Response response) throws IOException;
    }

    /** The response to one request, written as the handler goes. */
    static final class Response {
        private final OutputStream out;
        private boolean finished;

        private Response(OutputStream out) {
            this.out = out;
        }

        void json(int status, String body, String... headerPairs) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            head(status, headerPairs, "Content-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n");
            out.write(bytes);
            out.flush();
            finished = true;
        }

        /** A status without a body (202, 405, ...). */
        void status(int status) throws IOException {
            head(status, new String[0], "Content-Length: 0\r\n");
            out.flush();
            finished = true;
        }

        /** Starts a chunked {@code text/event-stream} body. */
        void startSse(String... headerPairs) throws IOException {
            head(200, headerPairs, "Content-Type: text/event-stream\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n");
            out.flush();
        }

        /** Sends SSE text as one chunk, e.g. {@code "id: 1\nretry: 500\ndata: \n\n"}. */
        void sse(String text) throws IOException {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        /** Ends a chunked body: the server closes the stream, the connection stays open. */
        void end() throws IOException {
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            finished = true;
        }

        private void head(int status, String[] headerPairs, String fixed) throws IOException {
            StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
            sb.append(fixed);
            for (int i = 0; i + 1 < headerPairs.length; i += 2) {
                sb.append(headerPairs[i]).append(": ").append(headerPairs[i + 1]).append("\r\n");
            }
            sb.append("\r\n");
            out.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
        }

        private static String reason(int status) {
            return switch (status) {
                case 200 -> "OK";
                case 202 -> "Accepted";
                case 404 -> "Not Found";
                case 405 -> "Method Not Allowed";
                default -> "Status";
            };
        }
    }

    private final ServerSocket socket;
    private final Handler handler;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    private final AtomicInteger heldOpen = new AtomicInteger();
    private volatile boolean closed;

    private RawHttpServer(ServerSocket socket, Handler handler) {
        this.socket = socket;
        this.handler = handler;
    }

    static RawHttpServer start(Handler handler) {
        try {
            ServerSocket s = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
            RawHttpServer server = new RawHttpServer(s, handler);
            Thread.ofVirtual().name("raw-http-accept").start(server::acceptLoop);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/mcp");
    }

    /** Every request so far, in arrival order. */
    List<Request> requests() {
        return List.copyOf(requests);
    }

    List<Request> requests(String method) {
        return requests.stream().filter(r -> r.method().equals(method)).toList();
    }

    /** Responses left unfinished by the handler whose connection the client has not closed. */
    int heldOpen() {
        return heldOpen.get();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = socket.accept();
                connections.add(s);
                Thread.ofVirtual().name("raw-http-conn").start(() -> serve(s));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            while (true) {
                Request r = readRequest(in);
                if (r == null) {
                    return; // the client closed the connection
                }
                requests.add(r);
                Response response = new Response(out);
                handler.handle(r, response);
                if (!response.finished) {
                    heldOpen.incrementAndGet();
                    try {
                        // Held: nothing more is written; the client can only close the connection.
                        while (in.read() >= 0) {
                            // discard
                        }
                    } finally {
                        heldOpen.decrementAndGet();
                    }
                    return;
                }
            }
        } catch (IOException e) {
            // the client reset the connection, or the server closed
        } finally {
            connections.remove(s);
        }
    }

    private static Request readRequest(InputStream in) throws IOException {
        String line = readLine(in);
        while (line != null && line.isEmpty()) {
            line = readLine(in);
        }
        if (line == null) {
            return null;
        }
        String[] parts = line.split(" ");
        Map<String, String> headers = new TreeMap<>();
        String h;
        while ((h = readLine(in)) != null && !h.isEmpty()) {
            int colon = h.indexOf(':');
            if (colon > 0) {
                headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
            }
        }
        long arrived = System.nanoTime();
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        return new Request(parts[0], parts.length > 1 ? parts[1] : "", Map.copyOf(headers),
                new String(body, StandardCharsets.UTF_8), arrived);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                String s = line.toString(StandardCharsets.US_ASCII);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            line.write(b);
        }
        return null;
    }

    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Socket s : connections) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
