package io.mcppool.gateway.cli;

import static io.mcppool.gateway.cli.CliTestSupport.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.mcppool.gateway.cli.CliTestSupport.Run;
import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * {@code mcp-pool cache clear}: against a real {@code redis-server} (127.0.0.1, a port of its own), and against a
 * small HTTP server standing in for a gateway's ops API, which records what it was sent.
 */
class CacheCommandTest {
    static Process redis;
    static int redisPort;

    @BeforeAll
    static void startRedis() throws Exception {
        redisPort = freePort();
        assertThat(new File("/usr/bin/redis-server").canExecute()).as("/usr/bin/redis-server (apt-get install redis-server)").isTrue();
        redis = new ProcessBuilder(List.of("/usr/bin/redis-server", "--port", Integer.toString(redisPort), "--bind",
                "127.0.0.1", "--save", "", "--appendonly", "no")).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            try (RedisClient c = redis()) {
                return "PONG".equals(c.ping());
            }
        });
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.destroy();
        if (!redis.waitFor(10, TimeUnit.SECONDS)) {
            redis.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    static RedisClient redis() {
        return RedisClient.create(URI.create("redis://127.0.0.1:" + redisPort));
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void clearsTheSharedCacheByToolByServerAndAllAndSaysHowMany() {
        String url = "redis://127.0.0.1:" + redisPort;
        try (RedisClient c = redis()) {
            c.flushAll();
            c.set("cli:files:read_file:pool:aaa", "{}");
            c.set("cli:files:read_file:client=alice:bbb", "{}");
            c.set("cli:files:list:pool:ccc", "{}");
            c.set("cli:search:query:shared:ddd", "{}");
            c.set("other:files:read_file:pool:eee", "{}"); // another deployment's prefix

            Run tool = run("cache", "clear", "--redis", url, "--prefix", "cli:", "--server", "files", "--tool", "read_file");
            assertThat(tool.code()).as(tool.toString()).isZero();
            assertThat(tool.out()).isEqualTo("removed 2 keys of server 'files', tool 'read_file' from the shared cache at "
                    + url + " (prefix 'cli:')\n");
            assertThat(c.exists("cli:files:list:pool:ccc")).isTrue();

            Run server = run("cache", "clear", "--redis", url, "--prefix", "cli:", "-s", "files");
            assertThat(server.out()).startsWith("removed 1 key of server 'files' ");

            Run all = run("cache", "clear", "--redis", url, "--prefix", "cli:");
            assertThat(all.out()).startsWith("removed 1 key of all servers ");
            assertThat(c.keys("*")).containsExactly("other:files:read_file:pool:eee");
            assertThat(all.err()).isEmpty();
        }
    }

    @Test
    void aRedisThatDoesNotAnswerIsAFailureWithItsAddress() throws Exception {
        int closed = freePort();
        Run r = run("cache", "clear", "--redis", "redis://127.0.0.1:" + closed);
        assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.FAILURE);
        assertThat(r.err()).startsWith("mcp-pool: cannot clear the shared cache at redis://127.0.0.1:" + closed + ": ");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aConfigWithoutASharedCacheIsAUsageError() {
        Run r = run("cache", "clear");
        assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("names no shared cache (cache.redis.url)").contains("--gateway URL");
    }

    @Test
    void aToolNeedsItsServer() {
        Run r = run("cache", "clear", "--tool", "read_file", "--redis", "redis://127.0.0.1:1");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).startsWith("mcp-pool: --tool needs --server");
    }

    record Seen(String method, String uri, String authorization) {
    }

    @Test
    void withGatewayItPostsToTheOpsApiWithTheTokenAndPrintsTheAnswer() throws Exception {
        ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/", exchange -> {
            seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                    exchange.getRequestHeaders().getFirst("Authorization")));
            boolean authorized = "Bearer s3cret".equals(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = (authorized ? "{\"cleared\":true}" : "{\"error\":\"unauthorized\"}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(authorized ? 200 : 401, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        http.start();
        try {
            String base = "http://127.0.0.1:" + http.getAddress().getPort();
            Run ok = run("cache", "clear", "--gateway", base + "/", "--token", "s3cret", "--server", "my files", "--tool",
                    "read&file");
            assertThat(ok.code()).as(ok.toString()).isZero();
            assertThat(ok.out()).isEqualTo("gateway " + base + "/: cleared server 'my files', tool 'read&file'"
                    + " {\"cleared\":true}\n");
            assertThat(seen.poll()).isEqualTo(new Seen("POST", "/api/cache/clear?server=my+files&tool=read%26file",
                    "Bearer s3cret"));

            Run denied = run("cache", "clear", "--gateway", base);
            assertThat(denied.code()).as(denied.toString()).isEqualTo(ExitCodes.FAILURE);
            assertThat(denied.err()).isEqualTo("mcp-pool: the gateway at " + base
                    + " refused: not authenticated (give --token): {\"error\":\"unauthorized\"}\n");
            assertThat(seen.poll()).isEqualTo(new Seen("POST", "/api/cache/clear", null));
        } finally {
            http.stop(0);
        }
    }

    @Test
    void aGatewayThatIsNotThereIsAFailure() throws Exception {
        int closed = freePort();
        Run r = run("cache", "clear", "--gateway", "http://127.0.0.1:" + closed);
        assertThat(r.code()).isEqualTo(ExitCodes.FAILURE);
        assertThat(r.err()).isEqualTo("mcp-pool: cannot connect to the gateway at http://127.0.0.1:" + closed
                + ": connection refused\n");
    }
}
