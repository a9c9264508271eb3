package io.mcppool.internal.pool;

import static io.mcppool.internal.pool.PoolFixture.leased;
import static io.mcppool.testing.Futures.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.mcppool.status.EndpointSnapshot;
import io.mcppool.config.PoolMode;
import io.mcppool.config.PoolSettings;
import io.mcppool.events.SessionCloseReason;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Sticky mode in virtual time: one session per affinity key, at most maxSessions keys. */
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // an engine loop that spins fails the test, not the build
class StickySessionPoolTest {
    private static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(5);

    private final PoolFixture fx = new PoolFixture();
    private StickySessionPool pool;

    private StickySessionPool pool(int maxKeys, Duration idleTimeout) {
        PoolSettings settings = PoolSettings.builder().mode(PoolMode.STICKY).minSessions(0).maxSessions(maxKeys)
                .maxConcurrentRequests(4).acquireTimeout(ACQUIRE_TIMEOUT).idleTimeout(idleTimeout).build();
        pool = new StickySessionPool(fx.context(), settings);
        pool.start();
        return pool;
    }

    private CompletableFuture<Lease> acquire(String key) {
        return pool.acquire(key, ACQUIRE_TIMEOUT.toNanos());
    }

    /** A slot on {@code key}'s session, once the background opened it. */
    private Lease bind(String key) {
        CompletableFuture<Lease> f = acquire(key);
        fx.background.runDue();
        return leased(f);
    }

    @AfterEach
    void close() {
        fx.close(pool);
    }

    /**
     * Issue 11: "Housekeeping can close a new affinity key's pool just before its first request is queued: the
     * call waits out acquireTimeout with no session ever opened." Housekeeping (and the background close it
     * starts) runs here inside the key pool's acquire, while that schedules the waiter's expiry: the pool was
     * open at acquire's check, holds no session, no opening and no waiter yet, so it counts as empty.
     */
    @Test
    void housekeepingThatClosesANewKeysPoolInsideItsFirstAcquireDoesNotStrandTheCall() {
        pool(1, Duration.ofMinutes(10));
        fx.timer.onNextSchedule(() -> {
            pool.housekeep();
            fx.background.runDue();
        });

        CompletableFuture<Lease> call = acquire("k");
        fx.background.runDue(); // a fresh pool for the key opens the key's session

        Lease lease = leased(call);
        assertThat(fx.timer.nanoTime()).as("no time passed: the call did not wait out a timeout").isZero();
        assertThat(fx.server.connections()).hasSize(1);
        EndpointSnapshot s = pool.snapshot();
        assertThat(s.sessions()).isEqualTo(1);
        assertThat(s.inFlight()).isEqualTo(1);
        assertThat(s.pendingAcquires()).isZero();
        lease.release();
    }

    @Test
    void aKeysCallsShareItsSessionAndOtherKeysGetTheirOwn() {
        pool(3, Duration.ofMinutes(10));
        Lease first = bind("a");
        Lease second = leased(acquire("a"));
        CompletableFuture<Lease> b = acquire("b");
        CompletableFuture<Lease> none = acquire(null);
        fx.background.runDue();

        assertThat(second.session()).isSameAs(first.session());
        assertThat(leased(b).session()).isNotSameAs(first.session());
        assertThat(leased(none).session()).isNotSameAs(first.session()).isNotSameAs(b.join().session());
        assertThat(fx.server.connections()).hasSize(3);
    }

    @Test
    void aCallForANewKeyWaitsForAPlaceAndGetsTheOneAReleasedKeyFrees() {
        pool(1, Duration.ofMinutes(10));
        Lease onA = bind("a");
        onA.release();

        CompletableFuture<Lease> b = acquire("b");
        assertThat(b).as("every place is bound to another key").isNotDone();
        assertThat(pool.snapshot().pendingAcquires()).isEqualTo(1);
        assertThat(fx.server.connections()).hasSize(1);

        pool.releaseAffinity("a");
        fx.background.runDue(); // a's session closes, its place goes to b, b's session opens

        assertThat(leased(b).session()).isNotSameAs(onA.session());
        assertThat(onA.session().isOpen()).isFalse();
        assertThat(fx.closeReasons).containsExactly(SessionCloseReason.AFFINITY_RELEASED);
        assertThat(pool.snapshot().pendingAcquires()).isZero();
    }

    @Test
    void anIdleKeyExpiresAndItsPlaceGoesToTheWaitingKey() {
        pool(1, Duration.ofNanos(1)); // any idle time at all expires a key
        Lease onA = bind("a");
        onA.release();
        CompletableFuture<Lease> b = acquire("b");

        pool.housekeep();
        fx.background.runDue();

        assertThat(onA.session().isOpen()).isFalse();
        assertThat(fx.closeReasons).containsExactly(SessionCloseReason.IDLE);
        assertThat(leased(b).session()).isNotSameAs(onA.session());
    }

    @Test
    void aCallWaitingForAPlaceFailsAtItsDeadlineAndLeavesNoWaiterBehind() {
        pool(1, Duration.ofMinutes(10));
        Lease onA = bind("a");

        CompletableFuture<Lease> b = pool.acquire("b", Duration.ofSeconds(1).toNanos());
        fx.timer.advance(Duration.ofSeconds(1));

        assertThat(failure(b)).isInstanceOf(AcquireTimeoutException.class)
                .hasMessageContaining("bound to other affinity keys");
        assertThat(pool.snapshot().pendingAcquires()).isZero();
        assertThat(fx.server.connections()).hasSize(1);
        onA.release();
    }

    @Test
    void closeFailsTheCallsWaitingForAPlace() {
        pool(1, Duration.ofMinutes(10));
        bind("a");
        CompletableFuture<Lease> b = acquire("b");

        pool.close(Duration.ZERO);

        assertThat(failure(b)).isInstanceOf(PoolClosingException.class);
        assertThat(failure(acquire("c"))).isInstanceOf(PoolClosingException.class);
    }
}
