package io.mcppool.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.mcppool.config.SupervisionSettings;
import io.mcppool.events.PoolEvents;
import io.mcppool.events.SessionCloseReason;
import io.mcppool.testing.FakeServer;
import io.mcppool.testing.ManualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What a pool test drives: a timer in virtual time, a background executor the test runs by hand (a second
 * manual scheduler), one fake endpoint, and the lifecycle events the pool reported.
 */
final class PoolFixture {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    final ManualScheduler timer = new ManualScheduler();
    final ManualScheduler background = new ManualScheduler();
    final FakeServer server = new FakeServer("fake");
    final List<SessionCloseReason> closeReasons = new CopyOnWriteArrayList<>();
    final List<Throwable> openFailures = new CopyOnWriteArrayList<>();
    final PoolEvents events = new PoolEvents() {
        @Override
        public void sessionClosed(String server, String endpoint, SessionCloseReason reason) {
            closeReasons.add(reason);
        }

        @Override
        public void sessionOpenFailed(String server, String endpoint, Throwable cause) {
            openFailures.add(cause);
        }
    };

    PoolContext context() {
        return new PoolContext("fake", "fake endpoint", CONNECT_TIMEOUT, server.sessions(timer, CONNECT_TIMEOUT), timer,
                background, SessionNotices.NONE, events, new ProcessSupervisor(SupervisionSettings.DEFAULTS));
    }

    /** Closes {@code pool} (if the test made one) and lets its background work run. */
    void close(EndpointPool pool) {
        if (pool != null) {
            pool.close(Duration.ZERO);
        }
        background.runDue();
        assertNoTaskFailed();
    }

    /** Neither the timer nor the background executor saw a task throw. */
    void assertNoTaskFailed() {
        assertThat(timer.failures()).as("timer task failures").isEmpty();
        assertThat(background.failures()).as("background task failures").isEmpty();
    }

    static Lease leased(CompletableFuture<Lease> f) {
        assertThat(f).as("the acquire got a slot").isCompleted();
        return f.join();
    }
}
