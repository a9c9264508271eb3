package io.mcppool.gateway.fuzz;

/**
 * Requests Jetty refuses itself, before any handler of the gateway sees them: a {@code Host} header that is empty,
 * given twice, or not a host and port (400), a head over 8 KiB (431), a request target over that (414). Jetty's
 * default error handler answers with its own HTML page or no body at all, not a JSON-RPC error. A finding of this fuzz test for the gateway's server (server/GatewayServer installs
 * no error handler of its own), known and reported; it is let through here so that a fuzzing run goes on to look
 * for other things, and the inputs that show it stay among the committed ones ({@code jetty-*.http}).
 *
 * <p>Jetty's error handler marks its answers with {@code Cache-Control: must-revalidate,no-cache,no-store}, which no
 * answer of the gateway's handler carries. {@code -Dmcppool.fuzz.strictJetty=true} lets none through: the
 * {@code jetty-*.http} inputs then fail for as long as the finding stands. Once the gateway answers these with
 * JSON-RPC errors, this class goes and the inputs check it in every build.
 */
final class JettyRejection {
    static final String JETTY_ERROR_CACHE_CONTROL = "must-revalidate,no-cache,no-store";
    static final java.util.Set<Integer> JETTY_STATUSES = java.util.Set.of(400, 414, 431);

    private JettyRejection() {
    }

    private static final boolean STRICT = Boolean.getBoolean("mcppool.fuzz.strictJetty");

    static boolean known(RawHttp.Response response) {
        return !STRICT && JETTY_STATUSES.contains(response.status()) && !response.contentType().startsWith("application/json")
                && JETTY_ERROR_CACHE_CONTROL.equals(response.header("cache-control"));
    }
}
