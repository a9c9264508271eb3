package io.mcppool.it.routing;

import io.mcppool.status.BreakerState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.McpPool;
import io.mcppool.call.NoEndpointAvailableException;
import io.mcppool.status.PoolSnapshot;
import io.mcppool.config.BalanceStrategy;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.HealthSettings;
import io.mcppool.config.PoolSettings;
import io.mcppool.config.Replica;
import io.mcppool.config.ServerConfig;
import io.mcppool.events.CallContext;
import io.mcppool.events.PoolEvents;
import io.mcppool.protocol.Json;
import io.mcppool.status.BreakerControl;
import io.mcppool.status.EndpointStatus;
import io.mcppool.status.HealthStatus;
import io.mcppool.testkit.TestkitCommand;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Replicas through the public API: names, round robin over real processes, an operator forcing a
 * breaker open and resetting it, active health checks, and the snapshot as JSON.
 */
class ReplicaRoutingTest {

    static Replica replica(Optional<String> name) {
        List<String> cmd = TestkitCommand.stdio();
        return new Replica(name, new EndpointConfig.Stdio(cmd.get(0), cmd.subList(1, cmd.size())), 1, 0);
    }

    /** Counts the endpoints calls were routed to. */
    static final class Picks implements PoolEvents {
        final Map<String, AtomicInteger> byEndpoint = new ConcurrentHashMap<>();

        @Override
        public void endpointPicked(CallContext call, String endpoint) {
            byEndpoint.computeIfAbsent(endpoint, k -> new AtomicInteger()).incrementAndGet();
        }

        int of(String endpoint) {
            AtomicInteger n = byEndpoint.get(endpoint);
            return n == null ? 0 : n.get();
        }
    }

    @Test
    void callsGoRoundTheReplicasAndAnOperatorCanTakeOneOutAndBack() throws Exception {
        ServerConfig server = ServerConfig.builder("tk", List.of(replica(Optional.of("a")), replica(Optional.empty()),
                        replica(Optional.empty())))
                .balance(BalanceStrategy.ROUND_ROBIN)
                .pool(PoolSettings.builder().minSessions(1).maxSessions(1).build())
                .health(HealthSettings.DEFAULTS.withEnabled(true))
                .build();
        Picks picks = new Picks();
        try (McpPool pool = McpPool.builder().server(server).eventListener(picks).build()) {
            List<String> names = pool.endpoints("tk").stream().map(EndpointStatus::name).toList();
            // Identical command lines get #2, #3; a configured name is kept.
            assertThat(names).hasSize(3).doesNotHaveDuplicates();
            assertThat(names.get(0)).isEqualTo("a");
            assertThat(names.get(2)).isEqualTo(names.get(1) + " #2");
            await().atMost(Duration.ofSeconds(30)).until(() -> pool.endpoints("tk").stream().allMatch(EndpointStatus::ready));
            // The catalog's first listing goes through the balancer too: let it end, then count from a clean slate.
            assertThat(pool.listTools("tk")).isNotEmpty();
            picks.byEndpoint.clear();

            for (int i = 0; i < 30; i++) {
                assertThat(pool.callTool("tk", "echo", Map.of("message", "m" + i)).text()).isEqualTo("m" + i);
            }
            for (String name : names) {
                assertThat(picks.of(name)).as(name).isEqualTo(10);
            }
            // Three replicas are three processes.
            assertThat(pool.endpoints("tk").stream().mapToLong(s -> s.pool().sessionsOpened()).sum()).isEqualTo(3);

            BreakerControl b = pool.circuitBreaker("tk", names.get(1));
            b.forceOpen();
            picks.byEndpoint.clear();
            for (int i = 0; i < 20; i++) {
                pool.callTool("tk", "echo", Map.of("message", "x"));
            }
            assertThat(picks.of(names.get(1))).isZero();
            assertThat(picks.of(names.get(0)) + picks.of(names.get(2))).isEqualTo(20);
            EndpointStatus forced = pool.endpoints("tk").get(1);
            assertThat(forced.available()).isFalse();
            assertThat(forced.breaker().state()).isEqualTo(BreakerState.FORCED_OPEN);

            // The snapshot serialises, with health and breaker as operators read them.
            JsonNode json = Json.mapper().readTree(Json.mapper().writeValueAsString(pool.snapshot()));
            JsonNode s = json.path("servers").get(0);
            assertThat(s.path("balance").asText()).isEqualTo("round_robin");
            assertThat(s.path("status").get(1).path("breaker").path("state").asText()).isEqualTo("forced_open");
            assertThat(s.path("status").get(0).path("health").asText()).isEqualTo("healthy");

            b.reset();
            picks.byEndpoint.clear();
            for (int i = 0; i < 30; i++) {
                pool.callTool("tk", "echo", Map.of("message", "y"));
            }
            assertThat(picks.of(names.get(1))).isEqualTo(10);
        }
    }

    @Test
    void aHigherTierTakesCallsOnlyWhileNoLowerTierEndpointCan() {
        List<String> cmd = TestkitCommand.stdio();
        EndpointConfig.Stdio stdio = new EndpointConfig.Stdio(cmd.get(0), cmd.subList(1, cmd.size()));
        ServerConfig server = ServerConfig.builder("tk", List.of(new Replica(Optional.of("main"), stdio, 1, 0),
                        new Replica(Optional.of("spare"), stdio, 1, 1)))
                .balance(BalanceStrategy.LEAST_OUTSTANDING)
                .pool(PoolSettings.builder().minSessions(0).maxSessions(1).build()).build();
        Picks picks = new Picks();
        try (McpPool pool = McpPool.builder().server(server).eventListener(picks).build()) {
            for (int i = 0; i < 10; i++) {
                pool.callTool("tk", "echo", Map.of("message", "x"));
            }
            assertThat(picks.of("main")).isEqualTo(10);
            assertThat(picks.of("spare")).isZero();
            pool.circuitBreaker("tk", "main").forceOpen();
            for (int i = 0; i < 10; i++) {
                pool.callTool("tk", "echo", Map.of("message", "x"));
            }
            assertThat(picks.of("spare")).isEqualTo(10);
            pool.circuitBreaker("tk", "main").reset();
            pool.callTool("tk", "echo", Map.of("message", "x"));
            assertThat(picks.of("main")).isEqualTo(11);
        }
    }

    @Test
    void withEveryBreakerForcedOpenACallFailsAtOnceNamingEachEndpoint() {
        ServerConfig server = ServerConfig.builder("tk", List.of(replica(Optional.of("left")), replica(Optional.of("right"))))
                .pool(PoolSettings.builder().minSessions(0).build()).build();
        try (McpPool pool = McpPool.builder().server(server).build()) {
            pool.circuitBreaker("tk", "left").forceOpen();
            pool.circuitBreaker("tk", "right").forceOpen();
            assertThatThrownBy(() -> pool.callTool("tk", "echo", Map.of("message", "x")))
                    .isInstanceOf(NoEndpointAvailableException.class)
                    .hasMessageContaining("server 'tk'")
                    .hasMessageContaining("left: breaker forced open")
                    .hasMessageContaining("right: breaker forced open")
                    .satisfies(e -> assertThat(((NoEndpointAvailableException) e).endpointStates())
                            .containsOnlyKeys("left", "right"));
            // Nothing was started for it: no process, no session.
            assertThat(pool.endpoints("tk")).allSatisfy(s -> assertThat(s.pool().sessionsOpened()).isZero());
            assertThatThrownBy(() -> pool.circuitBreaker("tk", "middle"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("left, right");
        }
    }

    @Test
    void anEndpointThatStopsAnsweringPingsBecomesUnhealthyGetsNoCallsAndComesBack() throws Exception {
        ServerConfig server = ServerConfig.builder("tk", List.of(replica(Optional.of("good")), replica(Optional.of("bad"))))
                .pool(PoolSettings.builder().minSessions(1).maxSessions(1).build())
                .health(new HealthSettings(true, Duration.ofMillis(100), Duration.ofMillis(300), 2, 2))
                .build();
        Map<String, Long> pids = new ConcurrentHashMap<>();
        Picks picks = new Picks();
        PoolEvents processes = new PoolEvents() {
            @Override
            public void processStarted(String s, String endpoint, long pid) {
                pids.put(endpoint, pid);
            }
        };
        try (McpPool pool = McpPool.builder().server(server).eventListener(picks).eventListener(processes).build()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> pids.size() == 2 && pool.endpoints("tk").stream()
                    .allMatch(s -> s.ready() && s.health() == HealthStatus.HEALTHY));
            long bad = pids.get("bad");
            // A stopped process keeps its pipes open but answers nothing: only the pings can tell.
            signal("STOP", bad);
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> pool.endpoints("tk").get(1).health() == HealthStatus.UNHEALTHY);
                EndpointStatus down = pool.endpoints("tk").get(1);
                assertThat(down.healthReason()).contains("health check(s) in a row failed");
                assertThat(down.available()).isFalse();
                picks.byEndpoint.clear();
                for (int i = 0; i < 20; i++) {
                    assertThat(pool.callTool("tk", "echo", Map.of("message", "m" + i)).text()).isEqualTo("m" + i);
                }
                assertThat(picks.of("bad")).isZero();
                assertThat(picks.of("good")).isEqualTo(20);
            } finally {
                signal("CONT", bad);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.endpoints("tk").get(1).health() == HealthStatus.HEALTHY);
            picks.byEndpoint.clear();
            for (int i = 0; i < 20; i++) {
                pool.callTool("tk", "echo", Map.of("message", "again"));
            }
            assertThat(picks.of("bad")).isEqualTo(10);
        }
    }

    static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }
}
