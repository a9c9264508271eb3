package io.mcppool.gateway.ops;

import io.mcppool.status.BreakerState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.McpPool;
import io.mcppool.call.McpPoolException;
import io.mcppool.config.BreakerSettings;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.HealthSettings;
import io.mcppool.config.ServerConfig;
import io.mcppool.protocol.Json;
import io.mcppool.internal.resilience.CircuitBreaker;
import io.mcppool.status.HealthStatus;
import io.mcppool.testkit.TestkitHttpServer;
import io.mcppool.testkit.TestkitOptions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 5: {@code /readyz} turns unready when a required server's only endpoint is down, and ready when it returns. */
class ReadinessTest {
    /** A check every 100 ms; one failure makes the endpoint unhealthy, one success healthy again. */
    static final HealthSettings QUICK = new HealthSettings(true, Duration.ofMillis(100), Duration.ofMillis(500), 1, 1);

    @Test
    void readyzFollowsTheRequiredServersOnlyEndpointAndIgnoresOptionalOnes() throws Exception {
        try (TestkitHttpServer required = TestkitHttpServer.start(TestkitOptions.defaults());
             TestkitHttpServer optional = TestkitHttpServer.start(TestkitOptions.defaults());
             McpPool pool = McpPool.builder()
                     .server(ServerConfig.builder("req", new EndpointConfig.Http(required.uri())).required(true)
                             .health(QUICK).build())
                     .server(ServerConfig.builder("opt", new EndpointConfig.Http(optional.uri())).health(QUICK).build())
                     .build();
             OpsServer ops = new OpsServer(new TestGateway(pool), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                     new RecentErrors(), null)) {
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                    .until(() -> ops.get("/readyz").statusCode() == 200);

            // An optional server going down makes the pool degraded, not the gateway unready.
            optional.stop();
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                    .until(() -> pool.endpoints("opt").get(0).health() == HealthStatus.UNHEALTHY);
            assertThat(ops.get("/readyz").statusCode()).isEqualTo(200);

            required.stop();
            long stopped = System.nanoTime();
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                    .until(() -> ops.get("/readyz").statusCode() == 503);
            System.out.printf("readyz: 503 %d ms after the required server stopped%n",
                    (System.nanoTime() - stopped) / 1_000_000);
            HttpResponse<String> down = ops.get("/readyz");
            JsonNode body = Json.mapper().readTree(down.body());
            assertThat(body.path("ready").asBoolean()).isFalse();
            assertThat(body.path("notReady")).hasSize(1);
            assertThat(body.path("notReady").get(0).path("server").asText()).isEqualTo("req");
            assertThat(body.path("notReady").get(0).path("reason").asText())
                    .startsWith("no endpoint can take calls: " + required.url() + " unhealthy");

            required.start();
            long started = System.nanoTime();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .until(() -> ops.get("/readyz").statusCode() == 200);
            System.out.printf("readyz: 200 %d ms after the required server came back%n",
                    (System.nanoTime() - started) / 1_000_000);
            assertThat(Json.mapper().readTree(ops.get("/readyz").body()).path("notReady")).isEmpty();
        }
    }

    @Test
    void anOpenBreakerMakesItUnreadyUntilItsOpenTimeIsOver() throws Exception {
        BreakerSettings breaker = BreakerSettings.builder().consecutiveFailures(1).openFor(Duration.ofMillis(500)).build();
        try (TestkitHttpServer server = TestkitHttpServer.start(TestkitOptions.defaults());
             McpPool pool = McpPool.builder()
                     .server(ServerConfig.builder("req", new EndpointConfig.Http(server.uri())).required(true)
                             .breaker(breaker).health(HealthSettings.DISABLED).build())
                     .build()) {
            TestGateway gateway = new TestGateway(pool);
            String endpoint = pool.endpoints("req").get(0).name();
            assertThat(Readiness.of(gateway).ready()).isTrue();

            pool.circuitBreaker("req", endpoint).forceOpen();
            Readiness forced = Readiness.of(gateway);
            assertThat(forced.ready()).isFalse();
            assertThat(forced.notReady().get(0).reason()).endsWith("breaker forced_open");
            pool.circuitBreaker("req", endpoint).reset();
            assertThat(Readiness.of(gateway).ready()).isTrue();

            // A failed call opens it (health checks are off: the breaker alone judges the endpoint)...
            server.stop();
            assertThatThrownBy(() -> pool.callTool("req", "echo", Map.of("message", "x")))
                    .isInstanceOf(McpPoolException.class);
            assertThat(pool.endpoints("req").get(0).breaker().state()).isEqualTo(BreakerState.OPEN);
            assertThat(Readiness.of(gateway).ready()).isFalse();
            // ...and once its open time is over it lets trial calls through: ready again, though the server is still
            // down, since only traffic can tell (an unready gateway that waited for the breaker would get none).
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                    .until(() -> Readiness.of(gateway).ready());
            assertThat(pool.endpoints("req").get(0).breaker().state()).isIn(BreakerState.OPEN,
                    BreakerState.HALF_OPEN);
        }
    }

    @Test
    void withoutRequiredServersItIsReadyWhileThePoolIsUp() throws Exception {
        try (TestkitHttpServer server = TestkitHttpServer.start(TestkitOptions.defaults())) {
            McpPool pool = McpPool.builder()
                    .server(ServerConfig.builder("opt", new EndpointConfig.Http(server.uri())).build()).build();
            TestGateway gateway = new TestGateway(pool);
            try {
                assertThat(Readiness.of(gateway).ready()).isTrue();
                server.stop(); // not required: still ready
                assertThat(Readiness.of(gateway).ready()).isTrue();
            } finally {
                pool.close();
            }
            Readiness closed = Readiness.of(gateway);
            assertThat(closed.ready()).isFalse();
            assertThat(closed.notReady()).extracting(Readiness.NotReady::server).containsExactly("pool");
        }
    }
}
