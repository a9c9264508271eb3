package io.mcppool.gateway.ops;

import io.mcppool.config.GatewaySettings;
import io.mcppool.gateway.auth.AuthFailures;
import io.mcppool.gateway.auth.Authenticator;
import io.mcppool.gateway.auth.RateLimiter;
import io.mcppool.gateway.auth.RequestGuard;
import io.mcppool.gateway.mcp.GatewayEvents;
import io.mcppool.gateway.server.FrontDoor;
import io.mcppool.gateway.server.RequestChecks;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** A real Jetty server on 127.0.0.1 with only the operations handler, and a client for it. */
final class OpsServer implements AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The status the handler after the operations handler answers with. */
    static final int NEXT_STATUS = 418;

    private final Server server = new Server();
    private final int port;

    OpsServer(GatewayView gateway, PrometheusMeterRegistry registry, RecentErrors errors, Authenticator operators)
            throws Exception {
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        // What comes after the operations handler in the gateway (the MCP endpoint): it gets every other path.
        Handler next = new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.setStatus(NEXT_STATUS);
                Content.Sink.write(response, true, "next handler", callback);
                return true;
            }
        };
        Handler handlers = new Handler.Sequence(new OpsHandler(gateway, registry, errors), next);
        // With an authenticator, the gateway's front door in front, as GatewayServer puts it.
        server.setHandler(operators == null ? handlers : new FrontDoor(handlers, "/mcp",
                GatewaySettings.DEFAULT_MAX_BODY_BYTES, new RequestChecks(RequestGuard.of(GatewaySettings.DEFAULTS),
                operators, new RateLimiter()), AuthFailures.NONE, GatewayEvents.NONE));
        server.start();
        port = connector.getLocalPort();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).GET(), headers);
    }

    HttpResponse<String> send(HttpRequest.Builder request, String... headers) throws IOException, InterruptedException {
        if (headers.length > 0) {
            request.headers(headers);
        }
        return CLIENT.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
