package io.mcppool.gateway.server;

import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;

/** The MCP endpoint at its path; everything else to the operations handler (or 404). */
final class PathRouter extends Handler.Abstract {
    private final String mcpPath;
    private final Handler mcp;
    private final Handler ops;

    PathRouter(String mcpPath, Handler mcp, Handler ops) {
        this.mcpPath = mcpPath;
        this.mcp = mcp;
        this.ops = ops;
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

    /** The handlers it routes to are its own: without the server they warn at start and cannot reach its executor. */
    @Override
    public void setServer(Server server) {
        super.setServer(server);
        mcp.setServer(server);
        if (ops != null) {
            ops.setServer(server);
        }
    }

    @Override
    protected void doStart() throws Exception {
        mcp.setServer(getServer());
        addBean(mcp);
        if (ops != null) {
            ops.setServer(getServer());
            addBean(ops);
        }
        super.doStart();
    }
}
