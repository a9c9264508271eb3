package io.mcppool.gateway.server;

import java.util.List;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The MCP endpoint at its path; everything else to the operations handler (or 404). A container, so Jetty
 * hands its server to both handlers before starting them (else each logs "No Server set" on every start).
 */
final class PathRouter extends Handler.AbstractContainer {
    private final String mcpPath;
    private final Handler mcp;
    private final Handler ops;
    private final List<Handler> handlers;

    PathRouter(String mcpPath, Handler mcp, Handler ops) {
        this.mcpPath = mcpPath;
        this.mcp = mcp;
        this.ops = ops;
        this.handlers = ops == null ? List.of(mcp) : List.of(mcp, ops);
        handlers.forEach(this::addBean);
    }

    @Override
    public List<Handler> getHandlers() {
        return handlers;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        if (path.equals(mcpPath) || path.equals(mcpPath + "/")) {
            return mcp.handle(request, response, callback);
        }
        if (ops != null && ops.handle(request, response, callback)) {
            return true;
        }
        Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
        return true;
    }
}
