package io.mcppool.gateway.server;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The response every handler behind the {@link FrontDoor} writes to: a 429 or 503 that goes out without
 * {@code Retry-After} gets {@value #DEFAULT_SECONDS} seconds, so that no refusal leaves a client to guess when to come
 * back (RFC 9110 15.6.4; MCP clients back off by it). Where the wait is known, the handler says it itself (a rate
 * limit's next token, a throttle's); this is the floor under everyone else's.
 */
final class RetryAfter extends Response.Wrapper {
    /** A wait for a refusal that does not know its own: the session cap, a draining gateway. */
    static final long DEFAULT_SECONDS = 5;

    RetryAfter(Request request, Response wrapped) {
        super(request, wrapped);
    }

    @Override
    public void write(boolean last, ByteBuffer content, Callback callback) {
        if (!isCommitted()) {
            int status = getStatus();
            if ((status == HttpStatus.TOO_MANY_REQUESTS_429 || status == HttpStatus.SERVICE_UNAVAILABLE_503)
                    && !getHeaders().contains(HttpHeader.RETRY_AFTER)) {
                getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(DEFAULT_SECONDS));
            }
        }
        super.write(last, content, callback);
    }
}
