package io.mcppool.gateway.server;

import io.mcppool.config.Redaction;
import io.mcppool.protocol.JsonRpcError;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Jetty answers when a handler fails (an exception, or the JVM out of memory while building an answer):
 * a JSON-RPC error whose message is the HTTP status's reason and nothing else. Jetty's own page put the
 * exception's message in the body ({@code java.lang.OutOfMemoryError: Java heap space}); the cause goes to the
 * log instead, for operators. It answers also what Jetty refuses before any handler runs (a {@code Host} that is
 * empty, given twice or no host and port: 400; a head over 8 KiB: 431), which the request fuzz test found
 * answered with an HTML page or no body.
 */
final class StableErrorHandler extends ErrorHandler {
    private static final Logger log = LoggerFactory.getLogger(StableErrorHandler.class);

    /** Every method gets the JSON body: Jetty's default writes one for GET, POST and HEAD only, and none for DELETE. */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        if (cause != null) {
            log.warn("{} {} answered HTTP {}: {}", request.getMethod(), Request.getPathInContext(request), code,
                    Redaction.text(String.valueOf(cause)));
            log.debug("the cause", cause);
        }
        int rpc = code >= 500 ? JsonRpcError.INTERNAL_ERROR : JsonRpcError.INVALID_REQUEST;
        String reason = HttpStatus.getMessage(code);
        byte[] body = ("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":" + rpc + ",\"message\":\""
                + (reason == null ? "HTTP " + code : reason) + "\"}}\n").getBytes(StandardCharsets.UTF_8);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
