package io.mcppool.gateway.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.JsonRpcCodec;
import io.mcppool.protocol.JsonRpcMessage;
import io.mcppool.protocol.JsonRpcResponse;
import io.mcppool.protocol.MalformedMessageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * HTTP requests to the gateway's MCP endpoint with whatever method, headers ({@code Host}, {@code Origin},
 * {@code Authorization}, {@code Content-Type}, {@code Accept}, {@code Mcp-Session-Id},
 * {@code MCP-Protocol-Version}, any other) and body, on a real socket to the real server ({@link FuzzGateway}).
 * Every input must get, within the deadline, a whole answer whose status is one a client can act on; an error
 * status carries a JSON-RPC error body; no 5xx but 503 (the gateway is full or going away) and no ERROR line in
 * the log: an exception that escaped the handler shows as one of those. After each input another client's tool
 * call still works.
 *
 * <p>Inputs are requests as written on the wire, with placeholders for the port, keys and sessions ({@link
 * RawRequest}). Without {@code JAZZER_FUZZ} this runs over {@code GatewayRequestFuzzTestInputs} in the ordinary
 * build; {@code scripts/fuzz.sh gateway DURATION} fuzzes it (docs/fuzzing.md).
 */
class GatewayRequestFuzzTest {
    /**
     * What the MCP endpoint may answer. 2xx: a result, accepted notifications, a CORS preflight. 4xx: each a refusal
     * a client can act on (bad request, credentials, origin, unknown session, method, Accept, GET stream taken,
     * body size, URI length, Content-Type, rate limit, header size). 503: full or draining, retry later.
     */
    static final Set<Integer> ALLOWED = Set.of(200, 202, 204, 400, 401, 403, 404, 405, 406, 409, 413, 414, 415, 429,
            431, 503);

    /** {@code -Dmcppool.fuzz.trace=true}: each request's answer on stdout, to see what a new input reaches. */
    private static final boolean TRACE = Boolean.getBoolean("mcppool.fuzz.trace");
    private static final ConcurrentLinkedQueue<ILoggingEvent> ERRORS = new ConcurrentLinkedQueue<>();
    private static final AppenderBase<ILoggingEvent> ERROR_APPENDER = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            if (event.getLevel().isGreaterOrEqual(Level.ERROR)) {
                ERRORS.add(event);
            }
        }
    };

    @BeforeAll
    static void watchErrors() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ERROR_APPENDER.setContext(root.getLoggerContext());
        ERROR_APPENDER.setName("fuzz-errors");
        ERROR_APPENDER.start();
        root.addAppender(ERROR_APPENDER);
    }

    @AfterAll
    static void stop() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(ERROR_APPENDER);
        ERROR_APPENDER.stop();
        ERRORS.clear();
        FuzzGateway.closeInstance();
    }

    @FuzzTest
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void request(byte[] input) throws IOException {
        FuzzGateway gateway = FuzzGateway.get();
        RawRequest request = RawRequest.parse(input);
        ERRORS.clear();
        RawHttp.Response response;
        try {
            response = gateway.exchange(request.method(), request.encode(gateway.path(), gateway.values(request)));
        } catch (RawHttp.NoAnswer e) {
            throw new AssertionError("no whole answer to " + request.method() + ": " + e.getMessage(), e);
        } finally {
            gateway.forgetEnded(request);
        }
        String opened = response.header("mcp-session-id");
        if (opened != null && response.status() == 200) {
            gateway.end(opened);
        }
        if (TRACE) {
            System.out.printf("fuzz: %s %s -> %d %s %s %s%n", request.method(), request.header("Mcp-Session-Id"),
                    response.status(), response.reason(), response.headers(), abbreviate(response.text()));
        }
        check(request, response);
        gateway.assertStillServing();
        if (!ERRORS.isEmpty()) {
            ILoggingEvent e = ERRORS.peek();
            fail("an ERROR was logged while answering %s (%d): %s %s", request.method(), response.status(),
                    e.getFormattedMessage(), e.getThrowableProxy() == null ? ""
                            : e.getThrowableProxy().getClassName() + ": " + e.getThrowableProxy().getMessage());
        }
    }

    private static void check(RawRequest request, RawHttp.Response response) {
        String what = request.method() + " answered " + response.status() + " " + response.contentType() + " "
                + abbreviate(response.text());
        assertThat(response.status()).as("status of %s", what).isIn(ALLOWED);
        if (request.method().equals("HEAD") || response.status() == 204 || response.status() == 202) {
            return;
        }
        if (response.status() >= 400) {
            assertThat(response.contentType()).as("content type of %s", what).startsWith("application/json");
            JsonRpcMessage error = decode(response.body(), what);
            assertThat(error).as("body of %s", what).isInstanceOfSatisfying(JsonRpcResponse.class,
                    r -> assertThat(r.isError()).as("an error response").isTrue());
            return;
        }
        if (response.streamLeftOpen()) {
            return; // a GET stream: its head came, and it stays open until the session ends
        }
        if (request.method().equals("DELETE") && response.body().length == 0) {
            return; // the session ended; nothing to say
        }
        if (response.contentType().startsWith("text/event-stream")) {
            for (String data : events(response.text())) {
                decode(data.getBytes(StandardCharsets.UTF_8), what);
            }
            return;
        }
        assertThat(response.contentType()).as("content type of %s", what).startsWith("application/json");
        if (response.text().strip().startsWith("[")) {
            JsonNode batch;
            try {
                batch = Json.mapper().readTree(response.body());
            } catch (IOException e) {
                throw new AssertionError("a batch answer that is not JSON: " + what, e);
            }
            batch.forEach(answer -> decode(answer, what));
        } else {
            decode(response.body(), what);
        }
    }

    private static JsonRpcMessage decode(JsonNode message, String what) {
        try {
            return JsonRpcCodec.decode(message);
        } catch (MalformedMessageException e) {
            throw new AssertionError("not a JSON-RPC message in a batch: " + what + " (" + e.getMessage() + ")", e);
        }
    }

    private static JsonRpcMessage decode(byte[] body, String what) {
        try {
            return JsonRpcCodec.decode(body, 0, body.length);
        } catch (MalformedMessageException e) {
            throw new AssertionError("not a JSON-RPC message: " + what + " (" + e.getMessage() + ")", e);
        }
    }

    /** The data of each event of an SSE body (an event's data lines joined by newlines). */
    static List<String> events(String body) {
        List<String> events = new java.util.ArrayList<>();
        StringBuilder data = null;
        for (String line : body.split("\r?\n", -1)) {
            if (line.startsWith("data:")) {
                String part = line.substring(line.startsWith("data: ") ? 6 : 5);
                data = data == null ? new StringBuilder(part) : data.append('\n').append(part);
            } else if (line.isEmpty() && data != null) {
                events.add(data.toString());
                data = null;
            }
        }
        if (data != null) {
            events.add(data.toString());
        }
        return events;
    }

    private static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "…";
    }
}
