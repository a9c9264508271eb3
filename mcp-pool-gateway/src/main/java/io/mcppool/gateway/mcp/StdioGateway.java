package io.mcppool.gateway.mcp;

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
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway over stdio, for an MCP host that launches mcp-pool as its one server: newline-delimited
 * JSON-RPC on stdin and stdout (logs go to stderr), one client session for the life of the process. The
 * host is local and trusted, as any stdio server's host is: no authentication.
 */
public final class StdioGateway {
    private static final Logger log = LoggerFactory.getLogger(StdioGateway.class);

    private final GatewayDispatcher dispatcher;
    private final ClientSession session;
    private final OutputStream out;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final MessageSink sink;

    public StdioGateway(GatewayDispatcher dispatcher, ClientIdentity client, OutputStream out) {
        this.dispatcher = dispatcher;
        this.session = new ClientSession("stdio", client);
        this.out = out;
        this.sink = new MessageSink() {
            @Override
            public boolean send(JsonRpcMessage message) {
                return write(message);
            }

            @Override
            public boolean isOpen() {
                return !session.isClosed();
            }
        };
        session.openStandaloneStream(sink);
    }

    public ClientSession session() {
        return session;
    }

    /** Serves until stdin ends; then ends the session. */
    public void run(InputStream in) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.isBlank()) {
                    handle(line);
                }
            }
        } catch (IOException e) {
            log.warn("stdio: reading stdin failed: {}", e.toString());
        } finally {
            dispatcher.sessionEnded(session);
        }
    }

    private void handle(String line) {
        JsonRpcMessage message;
        try {
            message = JsonRpcCodec.decode(line);
        } catch (MalformedMessageException | IllegalArgumentException e) {
            write(JsonRpcResponse.failure(null, JsonRpcError.of(JsonRpcError.PARSE_ERROR, "Parse error: " + e.getMessage())));
            return;
        }
        switch (message) {
            case JsonRpcRequest r -> dispatcher.request(session, r, sink).whenComplete((response, e) -> {
                if (response != null) {
                    write(response);
                }
            });
            case JsonRpcNotification n -> dispatcher.notification(session, n);
            case JsonRpcResponse r -> dispatcher.response(session, r);
        }
    }

    private boolean write(JsonRpcMessage message) {
        byte[] bytes = JsonRpcCodec.encode(message);
        writeLock.lock();
        try {
            out.write(bytes);
            out.write('\n');
            out.flush();
            return true;
        } catch (IOException e) {
            log.debug("stdio: writing stdout failed: {}", e.toString());
            return false;
        } catch (UncheckedIOException e) {
            return false;
        } finally {
            writeLock.unlock();
        }
    }
}
