package io.mcppool.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.mcppool.call.ErrorType;
import io.mcppool.call.McpPoolException;
import io.mcppool.internal.pool.AcquireTimeoutException;
import io.mcppool.internal.pool.PoolClosingException;
import io.mcppool.protocol.JsonRpcError;
import io.mcppool.protocol.MalformedMessageException;
import io.mcppool.internal.session.RequestTimeoutException;
import io.mcppool.protocol.RpcErrorException;
import io.mcppool.internal.transport.HttpStatusException;
import io.mcppool.transport.SessionExpiredException;
import io.mcppool.transport.TransportException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the engine throws becomes one public exception whose {@link McpPoolException#errorType()} is the type the
 * engine classifies it as: a user (and the gateway) reads the classification off the exception alone.
 */
class FailuresTest {

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of(new AcquireTimeoutException("no slot", null, false), ErrorType.POOL_EXHAUSTED),
                Arguments.of(new AcquireTimeoutException("could not open", new TransportException("refused"), true),
                        ErrorType.CONNECT_FAILURE),
                Arguments.of(new PoolClosingException("closing"), ErrorType.POOL_CLOSED),
                Arguments.of(new RequestTimeoutException("tools/call", 7, 100), ErrorType.TIMEOUT),
                Arguments.of(new RpcErrorException("tools/call", JsonRpcError.of(JsonRpcError.INVALID_PARAMS, "bad")),
                        ErrorType.INVALID_REQUEST),
                Arguments.of(new RpcErrorException("tools/call", JsonRpcError.of(JsonRpcError.INVALID_PARAMS, "Unknown tool: t")),
                        ErrorType.INVALID_REQUEST),
                Arguments.of(new RpcErrorException("tools/call", JsonRpcError.of(JsonRpcError.INTERNAL_ERROR, "oops")),
                        ErrorType.PROTOCOL_ERROR),
                Arguments.of(new TransportException("reset", null, true), ErrorType.CONNECT_FAILURE),
                Arguments.of(new TransportException("broken pipe"), ErrorType.TRANSPORT_FAILURE),
                Arguments.of(new SessionExpiredException("404"), ErrorType.SESSION_EXPIRED),
                Arguments.of(new HttpStatusException(401, "who", Duration.ZERO), ErrorType.AUTH_FAILURE),
                Arguments.of(new HttpStatusException(429, "slow down", Duration.ZERO), ErrorType.THROTTLED),
                Arguments.of(new MalformedMessageException("not JSON"), ErrorType.PROTOCOL_ERROR),
                Arguments.of(new IllegalStateException("a bug"), ErrorType.TRANSPORT_FAILURE));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("failures")
    void theMappedExceptionCarriesTheTypeTheEngineClassifies(Throwable engine, ErrorType expected) {
        assertThat(Failures.classify(engine)).isEqualTo(expected);
        RuntimeException mapped = Failures.map(new CompletionException(engine), "s", "ep", "t");
        assertThat(mapped).isInstanceOf(McpPoolException.class);
        assertThat(((McpPoolException) mapped).errorType()).isEqualTo(expected);
        assertThat(Failures.classify(mapped)).isEqualTo(expected);
    }
}
