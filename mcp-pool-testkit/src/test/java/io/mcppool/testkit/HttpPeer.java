package io.mcppool.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.protocol.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** A raw Streamable HTTP client for tests, on java.net.http: headers and bodies in plain sight. */
final class HttpPeer {
    static final Duration WAIT = Duration.ofSeconds(20);

    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    final URI uri;
    String sessionId;
    String protocolVersion;

    HttpPeer(String url) {
        this.uri = URI.create(url);
    }

    HttpRequest.Builder builder(Map<String, String> extraHeaders) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(WAIT)
                .header("Accept", "application/json, text/event-stream");
        if (sessionId != null) {
            b.header("Mcp-Session-Id", sessionId);
        }
        if (protocolVersion != null) {
            b.header("MCP-Protocol-Version", protocolVersion);
        }
        extraHeaders.forEach(b::header);
        return b;
    }

    HttpResponse<String> post(JsonNode message) {
        return post(message, Map.of());
    }

    HttpResponse<String> post(JsonNode message, Map<String, String> extraHeaders) {
        HttpRequest request = builder(extraHeaders).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(message))).build();
        return send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Posts and returns as soon as the headers are in; the body is read line by line. */
    HttpResponse<Stream<String>> postStreaming(JsonNode message) {
        HttpRequest request = builder(Map.of()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(message))).build();
        return send(request, HttpResponse.BodyHandlers.ofLines());
    }

    HttpResponse<Stream<String>> openGetStream() {
        HttpRequest request = builder(Map.of()).header("Accept", "text/event-stream").GET().build();
        return send(request, HttpResponse.BodyHandlers.ofLines());
    }

    HttpResponse<String> delete() {
        return send(builder(Map.of()).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    }

    <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return client.send(request, handler);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** initialize + notifications/initialized; keeps the session id and version for later requests. */
    JsonNode initialize() {
        sessionId = null;
        protocolVersion = null;
        HttpResponse<String> r = post(Wire.request(0, "initialize", Wire.initializeParams("2025-11-25")));
        if (r.statusCode() != 200) {
            throw new AssertionError("initialize: HTTP " + r.statusCode() + " " + r.body());
        }
        sessionId = r.headers().firstValue("Mcp-Session-Id").orElseThrow();
        JsonNode result = messages(r).getLast().get("result");
        protocolVersion = result.get("protocolVersion").asText();
        HttpResponse<String> ack = post(Wire.notification("notifications/initialized", null));
        if (ack.statusCode() != 202) {
            throw new AssertionError("initialized: HTTP " + ack.statusCode());
        }
        return result;
    }

    /** The JSON-RPC messages of a response, whether it was plain JSON or an SSE stream. */
    static List<JsonNode> messages(HttpResponse<String> r) {
        String type = r.headers().firstValue("Content-Type").orElse("");
        if (type.startsWith("text/event-stream")) {
            return sseMessages(r.body().lines().iterator());
        }
        return List.of(read(r.body()));
    }

    /** Reads SSE events until the iterator ends; each event's data is one message. */
    static List<JsonNode> sseMessages(Iterator<String> lines) {
        List<JsonNode> out = new ArrayList<>();
        StringBuilder data = new StringBuilder();
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.isEmpty()) {
                if (!data.isEmpty()) {
                    out.add(read(data.toString()));
                    data.setLength(0);
                }
            } else if (line.startsWith("data:")) {
                data.append(line.substring(5).strip());
            }
        }
        if (!data.isEmpty()) {
            out.add(read(data.toString()));
        }
        return out;
    }

    /** The next SSE event's message from a live stream, or null when the stream ends. */
    static JsonNode nextEvent(Iterator<String> lines) {
        StringBuilder data = new StringBuilder();
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.isEmpty()) {
                if (!data.isEmpty()) {
                    return read(data.toString());
                }
            } else if (line.startsWith("data:")) {
                data.append(line.substring(5).strip());
            }
        }
        return data.isEmpty() ? null : read(data.toString());
    }

    static JsonNode read(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
