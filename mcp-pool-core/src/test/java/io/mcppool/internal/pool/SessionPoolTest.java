package io.mcppool.internal.pool;

import static io.mcppool.internal.pool.PoolFixture.leased;
import static io.mcppool.protocol.McpMethods.PING;
import static io.mcppool.protocol.McpMethods.TOOLS_CALL;
import static io.mcppool.testing.Futures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mcppool.status.EndpointSnapshot;
import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.config.PoolMode;
import io.mcppool.config.PoolSettings;
import io.mcppool.events.SessionCloseReason;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.JsonRpcError;
import io.mcppool.protocol.JsonRpcRequest;
import io.mcppool.internal.session.McpSession;
import io.mcppool.testing.FakeTransport;
import io.mcppool.transport.TransportException;
import io.mcppool.config.SupervisionSettings;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import io.mcppool.events.PoolEvents;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pool's hand-offs, retirements and shutdown in virtual time over fake sessions: each test fixes one
 * interleaving of the caller, the timer and the background executor, and checks the pool's books after it.
 */
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // an engine loop that spins fails the test, not the build
class SessionPoolTest {
    private static final Duration SECOND = Duration.ofSeconds(1);
    /** Reached as soon as any time at all passes: the pool reads these against System.nanoTime. */
    private static final Duration AT_ONCE = Duration.ofNanos(1);

    private final PoolFixture fx = new PoolFixture();
    private SessionPool pool;

    private SessionPool pool(PoolSettings settings) {
        pool = new SessionPool(fx.context(), settings);
        pool.start();
        fx.background.runDue();
        return pool;
    }

    private static PoolSettings.Builder settings() {
        return PoolSettings.builder().minSessions(1).maxSessions(1).maxConcurrentRequests(1)
                .acquireTimeout(Duration.ofSeconds(5));
    }

    @AfterEach
    void close() {
        fx.close(pool);
    }

    private static CompletableFuture<JsonNode> call(McpSession session, Duration timeout) {
        return session.request(TOOLS_CALL, Json.object().put("name", "work"), timeout.toNanos(), null);
    }

    // ------------------------------------------------------------------ hand-off against expiry

    @Test
    void aSlotReleasedAtTheInstantTheWaiterExpiresGoesToTheWaiterWhenTheReleaseRunsFirst() {
        pool(settings().mode(PoolMode.EXCLUSIVE).build());
        Lease first = leased(pool.acquire(null, SECOND.toNanos()));
        McpSession session = first.session();
        // The first call ends by its deadline, which falls on the same instant as the waiter's and was set first.
        call(session, SECOND).whenComplete((r, e) -> first.release());
        CompletableFuture<Lease> waiter = pool.acquire(null, SECOND.toNanos());
        assertThat(waiter).isNotDone();

        fx.timer.advance(SECOND);

        Lease handedOff = leased(waiter);
        assertThat(handedOff.session()).isSameAs(session);
        EndpointSnapshot s = pool.snapshot();
        assertThat(s.inFlight()).isEqualTo(1);
        assertThat(s.pendingAcquires()).isZero();
        assertThat(s.acquireTimeouts()).as("the waiter got the slot: no timeout counted").isZero();
        handedOff.release();
        assertThat(pool.snapshot().inFlight()).isZero();
        assertThat(pool.acquire(null, 0)).as("the slot is free again, not leaked").isCompleted();
    }

    @Test
    void aSlotReleasedAtTheInstantTheWaiterExpiresIsFreedWhenTheExpiryRunsFirst() {
        pool(settings().mode(PoolMode.EXCLUSIVE).build());
        Lease first = leased(pool.acquire(null, SECOND.toNanos()));
        // This time the waiter's deadline was set first: it fires first at that instant.
        CompletableFuture<Lease> waiter = pool.acquire(null, SECOND.toNanos());
        call(first.session(), SECOND).whenComplete((r, e) -> first.release());

        fx.timer.advance(SECOND);

        assertThat(failure(waiter)).isInstanceOf(AcquireTimeoutException.class);
        EndpointSnapshot s = pool.snapshot();
        assertThat(s.inFlight()).as("the released slot went to nobody").isZero();
        assertThat(s.pendingAcquires()).isZero();
        assertThat(s.acquireTimeouts()).isEqualTo(1);
        assertThat(pool.acquire(null, 0)).as("the slot is free again, not leaked").isCompleted();
    }

    // ------------------------------------------------------------------ retire while leased

    @Test
    void aSessionPastMaxLifetimeTakesNoNewCallsAndClosesAfterItsLastCall() {
        pool(settings().maxSessions(2).maxConcurrentRequests(2).maxLifetime(AT_ONCE).build());
        McpSession old = pool.sessions().get(0);
        Lease a = leased(pool.acquire(null, SECOND.toNanos()));
        Lease b = leased(pool.acquire(null, SECOND.toNanos()));

        pool.housekeep(); // past maxLifetime: retired, but two calls are in flight on it

        assertThat(old.isOpen()).isTrue();
        CompletableFuture<Lease> c = pool.acquire(null, SECOND.toNanos());
        assertThat(c).as("a retiring session takes no new call").isNotDone();
        fx.background.runDue(); // its replacement opens
        Lease onNew = leased(c);
        assertThat(onNew.session()).isNotSameAs(old);

        a.release();
        assertThat(old.isOpen()).isTrue();
        assertThat(fx.closeReasons).isEmpty();
        b.release();
        fx.background.runDue();

        assertThat(old.isOpen()).isFalse();
        assertThat(fx.closeReasons).containsExactly(SessionCloseReason.MAX_LIFETIME);
        assertThat(fx.server.connections().get(0).closeCalls()).isEqualTo(1);
        assertThat(pool.sessions()).containsExactly(onNew.session());
        assertThat(pool.snapshot().sessionsClosed()).isEqualTo(1);
    }

    @Test
    void aSessionWhoseKeepaliveFailsWhileCallsAreInFlightClosesAfterTheLastOfThem() {
        pool(settings().maxConcurrentRequests(4).keepaliveInterval(AT_ONCE).build());
        McpSession old = pool.sessions().get(0);
        FakeTransport first = fx.server.last();
        pool.housekeep(); // idle past keepaliveInterval: pinged
        first.request(PING);
        Lease a = leased(pool.acquire(null, SECOND.toNanos()));
        Lease b = leased(pool.acquire(null, SECOND.toNanos()));

        fx.timer.advance(PoolFixture.CONNECT_TIMEOUT); // the ping gets no answer

        CompletableFuture<Lease> c = pool.acquire(null, Duration.ofSeconds(30).toNanos());
        assertThat(c).as("no new call goes to a session that failed its keepalive").isNotDone();
        a.release();
        fx.background.runDue();
        assertThat(old.isOpen()).isTrue();
        assertThat(c).isNotDone();
        b.release();
        fx.background.runDue(); // closes the old session, opens the next

        assertThat(old.isOpen()).isFalse();
        assertThat(fx.closeReasons).containsExactly(SessionCloseReason.KEEPALIVE_FAILED);
        assertThat(leased(c).session()).isNotSameAs(old);
        assertThat(first.requests(TOOLS_CALL)).isEmpty();
    }

    // ------------------------------------------------------------------ close during acquire

    @Test
    void closeBetweenTheClosedCheckAndTheQueueingOfAWaiterFailsTheAcquireAtOnce() {
        pool(settings().minSessions(0).build());
        // close() runs inside acquire, while it schedules the waiter's expiry: after acquire found the pool
        // open and before the waiter is in the queue close drains.
        fx.timer.onNextSchedule(() -> pool.close(Duration.ZERO));

        CompletableFuture<Lease> f = pool.acquire(null, Duration.ofSeconds(5).toNanos());

        assertThat(failure(f)).as("fails now, not after its 5 s").isInstanceOf(PoolClosingException.class);
        EndpointSnapshot s = pool.snapshot();
        assertThat(s.pendingAcquires()).isZero();
        assertThat(s.acquireTimeouts()).isZero();
        assertThat(fx.background.pending()).as("nothing opens for a closed pool").isZero();
        assertThat(fx.server.connections()).isEmpty();
    }

    @Test
    void closeFailsTheWaitersItFinds() {
        pool(settings().build());
        Lease busy = leased(pool.acquire(null, SECOND.toNanos()));
        CompletableFuture<Lease> waiter = pool.acquire(null, SECOND.toNanos());

        pool.close(Duration.ZERO);

        assertThat(failure(waiter)).isInstanceOf(PoolClosingException.class);
        assertThat(pool.snapshot().pendingAcquires()).isZero();
        assertThat(failure(pool.acquire(null, SECOND.toNanos()))).isInstanceOf(PoolClosingException.class);
        busy.release();
    }

    // ------------------------------------------------------------------ open failures and validation

    @Test
    void anOpenFailureFailsTheWaitersAtOnceWhenNothingIsOpenOrComing() {
        fx.server.setup(t -> t.refuseStart(() -> new TransportException("connection refused", null, true)));
        pool(settings().minSessions(0).build());

        CompletableFuture<Lease> f = pool.acquire(null, Duration.ofSeconds(5).toNanos());
        assertThat(f).isNotDone();
        fx.background.runDue();

        Throwable e = failure(f);
        assertThat(e).isInstanceOf(AcquireTimeoutException.class).hasMessageContaining("connection refused");
        assertThat(((AcquireTimeoutException) e).connectFailure()).isTrue();
        EndpointSnapshot s = pool.snapshot();
        assertThat(s.acquireTimeouts()).isEqualTo(1);
        assertThat(s.pendingAcquires()).isZero();
        assertThat(s.lastOpenFailure()).contains("connection refused");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS) // real time: without the cap, the 9 attempts take 11 s
    void failedOpensAreRetriedWithinTheSupervisionMaxBackoff() {
        List<Long> failedAt = failedOpens(Duration.ofMillis(50), Duration.ofMillis(300), 9, Duration.ofMillis(20));
        // Its own backoff doubles from 100 ms to 5 s (1.6 s, 3.2 s and 5 s before the 7th, 8th and 9th attempts);
        // within the operator's 300 ms no gap comes near 2.5 s, even on a loaded machine.
        long widest = 0;
        for (int i = 1; i < failedAt.size(); i++) {
            widest = Math.max(widest, failedAt.get(i) - failedAt.get(i - 1));
        }
        assertThat(Duration.ofNanos(widest)).as("the widest gap between failed opens").isLessThan(Duration.ofMillis(2500));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aMaxBackoffOfZeroStillWaits100MsBetweenFailedOpens() {
        List<Long> failedAt = failedOpens(Duration.ZERO, Duration.ZERO, 5, Duration.ofMillis(5));
        // A fork loop would fail hundreds of times in the time 4 waits of 100 ms take.
        long narrowest = Long.MAX_VALUE;
        for (int i = 1; i < failedAt.size(); i++) {
            narrowest = Math.min(narrowest, failedAt.get(i) - failedAt.get(i - 1));
        }
        assertThat(Duration.ofNanos(narrowest)).as("the narrowest gap between failed opens")
                .isGreaterThanOrEqualTo(Duration.ofMillis(95));
    }

    /**
     * Starts a pool (minSessions 1) whose every open fails, with these supervision backoffs, and returns when
     * {@code count} opens have failed: the real time of each. The pool's wait before a retry runs on the real clock, so
     * the timer is driven along by {@code step} at each poll.
     */
    private List<Long> failedOpens(Duration initialBackoff, Duration maxBackoff, int count, Duration step) {
        fx.server.setup(t -> t.refuseStart(() -> new TransportException("killed while starting", null, true)));
        SupervisionSettings supervision = new SupervisionSettings(initialBackoff, maxBackoff,
                SupervisionSettings.DEFAULTS.crashLoopRestarts(), SupervisionSettings.DEFAULTS.crashLoopWindow(),
                SupervisionSettings.DEFAULTS.stableAfter());
        List<Long> failedAt = new CopyOnWriteArrayList<>();
        PoolEvents timed = new PoolEvents() {
            @Override
            public void sessionOpenFailed(String server, String endpoint, Throwable cause) {
                failedAt.add(System.nanoTime());
            }
        };
        pool = new SessionPool(new PoolContext("fake", "fake endpoint", PoolFixture.CONNECT_TIMEOUT,
                fx.server.sessions(fx.timer, PoolFixture.CONNECT_TIMEOUT), fx.timer, fx.background, SessionNotices.NONE,
                timed, new ProcessSupervisor(supervision)), settings().minSessions(1).build());
        pool.start();
        await().atMost(Duration.ofSeconds(50)).pollInterval(step).until(() -> {
            fx.timer.advance(step);
            fx.background.runDue();
            return failedAt.size() >= count;
        });
        return failedAt;
    }

    @Test
    void anOpenFailureLeavesTheWaitersToASessionThatIsOpen() {
        pool(settings().maxSessions(2).build());
        Lease busy = leased(pool.acquire(null, SECOND.toNanos()));
        fx.server.setup(t -> t.refuseStart(() -> new TransportException("connection refused", null, true)));

        CompletableFuture<Lease> f = pool.acquire(null, Duration.ofSeconds(5).toNanos());
        fx.background.runDue(); // the second session cannot open

        assertThat(fx.openFailures).hasSize(1);
        assertThat(f).as("a session is open: its release will serve the waiter").isNotDone();
        busy.release();
        assertThat(leased(f).session()).isSameAs(busy.session());
        assertThat(pool.snapshot().acquireTimeouts()).isZero();
    }

    @Test
    void anIdleSessionIsPingedBeforeItIsHandedOut() {
        pool(settings().maxSessions(2).validateAfterIdle(AT_ONCE).build());
        McpSession session = pool.sessions().get(0);
        FakeTransport first = fx.server.last();

        CompletableFuture<Lease> f = pool.acquire(null, Duration.ofSeconds(5).toNanos());
        assertThat(f).as("not before the ping is answered").isNotDone();
        first.reply(first.request(PING), Json.object());

        Lease lease = leased(f);
        assertThat(lease.session()).isSameAs(session);
        lease.release();
    }

    @Test
    void anIdleSessionThatFailsValidationIsReplacedAndTheCallerGetsTheNewOne() {
        pool(settings().maxSessions(2).validateAfterIdle(AT_ONCE).build());
        McpSession session = pool.sessions().get(0);
        FakeTransport first = fx.server.last();

        CompletableFuture<Lease> f = pool.acquire(null, Duration.ofSeconds(5).toNanos());
        JsonRpcRequest ping = first.request(PING);
        first.replyError(ping, JsonRpcError.INTERNAL_ERROR, "stale");
        assertThat(f).isNotDone();
        fx.background.runDue();

        assertThat(leased(f).session()).isNotSameAs(session);
        assertThat(session.isOpen()).isFalse();
        assertThat(fx.closeReasons).containsExactly(SessionCloseReason.VALIDATION_FAILED);
        assertThat(pool.snapshot().sessions()).isEqualTo(1);
    }
}
