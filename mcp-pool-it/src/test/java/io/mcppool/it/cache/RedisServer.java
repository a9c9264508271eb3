package io.mcppool.it.cache;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.RedisClient;

/**
 * A real {@code redis-server} (Debian's package) on 127.0.0.1 and a port of its own, without persistence, for one
 * test class. {@link #kill()} ends it as a crash would; {@link #start()} brings it back on the same port.
 */
final class RedisServer implements AutoCloseable {
    static final String BINARY = "/usr/bin/redis-server";

    private final int port;
    private final Path log;
    private Process process;

    RedisServer() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            this.port = s.getLocalPort();
        }
        this.log = Files.createTempFile("redis-server-", ".log");
    }

    static RedisServer started() throws IOException {
        RedisServer r = new RedisServer();
        r.start();
        return r;
    }

    URI url() {
        return URI.create("redis://127.0.0.1:" + port);
    }

    void start() throws IOException {
        if (!new File(BINARY).canExecute()) {
            throw new IllegalStateException(BINARY + " is missing: apt-get install redis-server");
        }
        process = new ProcessBuilder(List.of(BINARY, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).ignoreExceptions().until(() -> {
            try (RedisClient c = client()) {
                return "PONG".equals(c.ping());
            }
        });
    }

    /** SIGKILL: no shutdown, connections reset. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    RedisClient client() {
        return RedisClient.create(url());
    }

    /** Every key under {@code prefix}. */
    List<String> keys(String prefix) {
        try (RedisClient c = client()) {
            return List.copyOf(c.keys(prefix + "*"));
        }
    }

    @Override
    public void close() throws InterruptedException, IOException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        Files.deleteIfExists(log);
    }
}
