package io.mcppool.gateway.mcp;

import io.mcppool.config.ClientLimits;
import io.mcppool.gateway.auth.ClientIdentity;
import io.mcppool.protocol.JsonRpcCodec;
import io.mcppool.protocol.JsonRpcError;
import io.mcppool.protocol.JsonRpcMessage;
import io.mcppool.protocol.JsonRpcNotification;
import io.mcppool.protocol.JsonRpcRequest;
import io.mcppool.protocol.JsonRpcResponse;
import io.mcppool.protocol.MalformedMessageException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway over stdio, for an MCP host that launches mcp-pool as its one server: newline-delimited
 * JSON-RPC on stdin and stdout (logs go to stderr), one client session for the life of the process. The
 * host is local and trusted, as any stdio server's host is: no authentication.
 *
 * <p>Stdout has one writer thread ({@link StdoutWriter}); whoever produces a message for the host only queues it,
 * so a host that stops reading stdout never blocks an upstream's reader or the pool. The queue holds
 * {@code gateway.maxStreamMessages} and {@code maxStreamSize}: past them notifications are dropped, and stdin is not
 * read until there is room again, so the host, the one client, is held back instead of the gateway's memory growing.
 * The answers still to come count as queued, so the host has at most {@code maxStreamMessages} requests in flight,
 * and a {@code notifications/cancelled} it sends waits in the pipe while that many are.
 */
public final class StdioGateway {
    private static final Logger log = LoggerFactory.getLogger(StdioGateway.class);

    private final GatewayDispatcher dispatcher;
    private final ClientSession session;
    private final StdoutWriter stdout;
    private final MessageSink sink;
    /** The host's requests read and not yet answered: their answers will need room on stdout. */
    private final AtomicInteger pending = new AtomicInteger();

    /** Serves with the dispatcher's {@link ClientLimits} (the pool config's {@code gateway} block). */
    public StdioGateway(GatewayDispatcher dispatcher, ClientIdentity client, OutputStream out) {
        this.dispatcher = dispatcher;
        ClientLimits limits = dispatcher.limits();
        this.session = new ClientSession("stdio", client, limits, dispatcher.events());
        this.stdout = new StdoutWriter(out, limits.maxStreamMessages(), limits.maxStreamBytes());
        this.sink = new MessageSink() {
            @Override
            public boolean send(JsonRpcMessage message) {
                return stdout.offer(message); // progress, notifications, an upstream's requests: dropped when full
            }

            @Override
            public boolean isOpen() {
                return !session.isClosed() && stdout.isOpen();
            }
        };
        session.openStandaloneStream(sink);
    }

    public ClientSession session() {
        return session;
    }

    /** Notifications to the host dropped so far because stdout was full. */
    public long droppedNotifications() {
        return stdout.droppedNotifications();
    }

    /**
     * Serves until stdin ends; then ends the session and lets the writer write what is left (for up to
     * {@code gateway.drainTimeout}).
     */
    public void run(InputStream in) {
        stdout.start();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while (true) {
                stdout.awaitRoom(pending::get); // the host's next request only when its answer has room
                line = reader.readLine();
                if (line == null) {
                    break;
                }
                if (!line.isBlank()) {
                    handle(line);
                }
            }
        } catch (IOException e) {
            log.warn("stdio: reading stdin failed: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            dispatcher.sessionEnded(session);
            stdout.finish(dispatcher.pool().config().gateway().drainTimeout());
        }
    }

    private void handle(String line) {
        JsonRpcMessage message;
        try {
            message = JsonRpcCodec.decode(line);
        } catch (MalformedMessageException | IllegalArgumentException e) {
            stdout.put(JsonRpcResponse.failure(null, JsonRpcError.of(JsonRpcError.PARSE_ERROR,
                    "Parse error: " + e.getMessage())));
            return;
        }
        switch (message) {
            case JsonRpcRequest r -> {
                pending.incrementAndGet();
                dispatcher.request(session, r, sink).whenComplete((response, e) -> {
                    if (response != null) {
                        stdout.put(response); // an answer is never dropped
                    }
                    pending.decrementAndGet();
                    stdout.answered();
                });
            }
            case JsonRpcNotification n -> dispatcher.notification(session, n);
            case JsonRpcResponse r -> dispatcher.response(session, r);
        }
    }
}
