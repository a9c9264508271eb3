package io.mcppool.gateway.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.mcppool.call.PoolExhaustedException;
import io.mcppool.call.TransportFailureException;
import io.mcppool.call.UnknownServerException;
import io.mcppool.protocol.JsonRpcError;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** What a client is told of a failure (issue 12): a stable message and an error type, never the failure's details. */
class ClientErrorsTest {

    @Test
    void aPoolFailureIsItsTypesDescriptionAndTheServerOnly() {
        JsonRpcError e = ClientErrors.of(new CompletionException(new TransportFailureException(
                "server 'db' (sh -c run mysql://root:pw@db/app), tool 'crash': process 4711 exited with code 1; its"
                        + " last stderr line: boom at com.example.Db.connect", "db", "sh -c run", "crash", null)));

        assertThat(e.code()).isEqualTo(JsonRpcError.INTERNAL_ERROR);
        assertThat(e.message()).isEqualTo("The connection broke during the call (server 'db')");
        assertThat(e.data().path("errorType").asText()).isEqualTo("transport_failure");
        assertThat(e.data().path("server").asText()).isEqualTo("db");
        assertThat(ClientErrors.of(new PoolExhaustedException("server 'db': no slot within 5s (pid 7)", "db",
                null, null, null)).message()).isEqualTo("No session slot within the acquire timeout (server 'db')");
    }

    @Test
    void anUnknownServerDoesNotListTheOthers() {
        JsonRpcError e = ClientErrors.of(new UnknownServerException("no server 'x'; configured: a, b, secret",
                "x", null, null, null));

        assertThat(e.code()).isEqualTo(JsonRpcError.INVALID_PARAMS);
        assertThat(e.message()).isEqualTo("Unknown server");
    }

    @Test
    void anythingElseIsAnInternalErrorWithoutAClassName() {
        JsonRpcError e = ClientErrors.of(new ClassCastException(
                "class com.fasterxml.jackson.databind.node.TextNode cannot be cast to class ObjectNode"));

        assertThat(e.code()).isEqualTo(JsonRpcError.INTERNAL_ERROR);
        assertThat(e.message()).isEqualTo("Internal error");
        assertThat(e.data().path("errorType").asText()).isEqualTo("internal");
        assertThat(ClientErrors.of(new OutOfMemoryError("Java heap space")).message())
                .isEqualTo("Internal error");
    }
}
