package io.mcppool.gateway.server;

import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Ends a response that has no body (202, 204, a DELETE's 200) with a last write of our own, rather than by completing
 * the handler's callback and leaving the last write to Jetty. When Jetty writes it, the write's completion can be run
 * after the exchange was already completed and the connection's next request begun (a race in Jetty 12's
 * HttpChannelState, seen as an AssertionError and an HTTP 500 on the next request of a keep-alive connection; compare
 * jetty/jetty.project#14745): a client that sends {@code notifications/initialized} and then its first request on one
 * connection is the common case.
 */
final class EmptyResponse {
    private EmptyResponse() {
    }

    /** Writes the headers with an empty body as the last write; {@code callback} completes when that write does. */
    static void end(Response response, Callback callback) {
        response.write(true, null, callback);
    }
}
