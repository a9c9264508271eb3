package io.mcppool.internal.resilience;

import io.mcppool.status.BreakerSnapshot;
import io.mcppool.status.BreakerControl;
import io.mcppool.status.BreakerSnapshot;
import io.mcppool.status.BreakerState;
import static io.mcppool.internal.resilience.CircuitBreaker.REFUSED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.mcppool.config.BreakerSettings;
import io.mcppool.status.BreakerControl;
import io.mcppool.status.BreakerSnapshot;
import io.mcppool.status.BreakerState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The breaker's state machine, driven by a fake clock. */
class CircuitBreakerTest {
    private static final long MS = 1_000_000L;
    private static final long FAST = 1 * MS;
    private static final Duration SLOW_CALL = Duration.ofSeconds(1);
    private static final Duration OPEN_FOR = Duration.ofSeconds(10);

    private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
    private final List<Transition> transitions = Collections.synchronizedList(new ArrayList<>());

    record Transition(BreakerState from, BreakerState to, String reason) {
    }

    /** Rate rules only (no consecutive-failure rule), window 10, minCalls 5, 2 trial calls. */
    private static BreakerSettings.Builder settings() {
        return BreakerSettings.builder()
                .enabled(true)
                .failureRate(50)
                .consecutiveFailures(0)
                .slowCall(SLOW_CALL)
                .slowCallRate(100)
                .window(10)
                .minCalls(5)
                .openFor(OPEN_FOR)
                .halfOpenCalls(2);
    }

    private CircuitBreaker breaker(BreakerSettings s) {
        return new CircuitBreaker(s, now::get, (from, to, reason) -> transitions.add(new Transition(from, to, reason)));
    }

    private void advance(long nanos) {
        now.addAndGet(nanos);
    }

    private static void succeed(CircuitBreaker b, int times) {
        for (int i = 0; i < times; i++) {
            long p = b.tryAcquire();
            assertThat(p).as("permit for success %d", i).isNotEqualTo(REFUSED);
            b.onSuccess(p, FAST);
        }
    }

    private static void fail(CircuitBreaker b, int times) {
        for (int i = 0; i < times; i++) {
            long p = b.tryAcquire();
            assertThat(p).as("permit for failure %d", i).isNotEqualTo(REFUSED);
            b.onFailure(p, FAST);
        }
    }

    /** Opens a fresh breaker with consecutive failures and returns it. */
    private CircuitBreaker opened(BreakerSettings s) {
        CircuitBreaker b = breaker(s.toBuilder().consecutiveFailures(1).build());
        fail(b, 1);
        assertThat(b.state()).isEqualTo(BreakerState.OPEN);
        transitions.clear();
        return b;
    }

    // ---------------------------------------------------------------- closed -> open

    @Test
    void opensOnTheFailureRateOnlyOnceMinCallsAreInTheWindow() {
        CircuitBreaker b = breaker(settings().build()); // 50%, minCalls 5
        fail(b, 4);
        assertThat(b.state()).as("4 failures of 4, below minCalls").isEqualTo(BreakerState.CLOSED);
        assertThat(b.snapshot().calls()).isEqualTo(4);
        assertThat(b.snapshot().failureRate()).isEqualTo(100.0);
        assertThat(b.permitsCalls()).isTrue();
        succeed(b, 1); // 4 of 5 failed: 80% >= 50%
        assertThat(b.state()).isEqualTo(BreakerState.OPEN);
        assertThat(transitions).hasSize(1);
        assertThat(transitions.get(0).from()).isEqualTo(BreakerState.CLOSED);
        assertThat(transitions.get(0).to()).isEqualTo(BreakerState.OPEN);
        assertThat(transitions.get(0).reason()).contains("4 of the last 5 calls failed").contains("50%");
        assertThat(b.reason()).isEqualTo(transitions.get(0).reason());
    }

    @Test
    void aFailureRateBelowTheThresholdKeepsItClosed() {
        CircuitBreaker b = breaker(settings().failureRate(50).window(10).minCalls(10).build());
        for (int round = 0; round < 20; round++) {
            // 4 of every 10 fail: 40% < 50%, however the window slides over the pattern.
            fail(b, 2);
            succeed(b, 3);
            assertThat(b.state()).as("round %d", round).isEqualTo(BreakerState.CLOSED);
        }
        assertThat(b.snapshot().calls()).isEqualTo(10);
        assertThat(b.snapshot().failureRate()).isEqualTo(40.0);
        // The last 10 are F F S S S F F S S S; two more failures keep 4 in the window, a third makes 5 (50%).
        fail(b, 2);
        assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
        fail(b, 1);
        assertThat(b.state()).isEqualTo(BreakerState.OPEN);
    }

    @Test
    void theFailureRateThresholdIsInclusive() {
        CircuitBreaker b = breaker(settings().failureRate(50).window(4).minCalls(4).build());
        succeed(b, 2);
        fail(b, 1);
        assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
        fail(b, 1); // 2 of 4 = 50%
        assertThat(b.state()).isEqualTo(BreakerState.OPEN);
    }

    @Test
    void opensOnConsecutiveFailuresWhateverTheWindowSays() {
        CircuitBreaker b = breaker(settings().consecutiveFailures(3).window(100).minCalls(100).build());
        fail(b, 2);
        succeed(b, 1); // resets the run
        fail(b, 2);
        assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
        assertThat(b.snapshot().consecutiveFailures()).isEqualTo(2);
        fail(b, 1);
        assertThat(b.state()).isEqualTo(BreakerState.OPEN);
        assertThat(b.reason()).isEqualTo("3 consecutive failures");
        assertThat(transitions).containsExactly(new Transition(BreakerState.CLOSED, BreakerState.OPEN, "3 consecutive failures"));
    }

    @Test
    void aSuccessResetsTheConsecutiveCount() {
        CircuitBreaker b = breaker(settings().consecutiveFailures(3).failureRate(100).window(100).minCalls(100).build());
        for (int i = 0; i < 50; i++) {
            fail(b, 2);
            assertThat(b.snapshot().consecutiveFailures()).isEqualTo(2);
            succeed(b, 1);
            assertThat(b.snapshot().consecutiveFailures()).isZero();
        }
        assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
    }

    @Test
    void zeroConsecutiveFailuresDisablesThatRule() {
        CircuitBreaker b = breaker(settings().consecutiveFailures(0).window(1000).minCalls(1000).build());
        fail(b, 999);
        assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
        assertThat(b.snapshot().consecutiveFailures()).isEqualTo(999);
        assertThat(transitions).isEmpty();
    }

    @Test
    void opensOnTheSlowCallRate() {
        CircuitBreaker b = breaker(settings().failureRate(100).slowCallRate(50).window(4).minCalls(4).build());
        long slow = SLOW_CALL.toNanos() + 1;
        long p = b.tryAcquire();
        b.onSuccess(p, slow);
        succeed(b, 2);
        assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
        assertThat(b.snapshot().slowCallRate()).isCloseTo(100.0 / 3, within(1e-9));
        p = b.tryAcquire();
        b.onSuccess(p, slow); // 2 of 4 slow = 50%
        assertThat(b.state()).isEqualTo(BreakerState.OPEN);
        assertThat(b.reason()).contains("2 of the last 4 calls took over 1000 ms").contains("50%");
        assertThat(b.snapshot().failureRate()).isZero();
    }

    @Test
    void aCallExactlyAsLongAsSlowCallIsNotSlow() {
        // "a call slower than this counts as slow": one that takes exactly slowCall is not slower.
        CircuitBreaker b = breaker(settings().failureRate(100).slowCallRate(100).window(2).minCalls(1).build());
        long p = b.tryAcquire();
        b.onSuccess(p, SLOW_CALL.toNanos());
        assertThat(b.snapshot().slowCallRate()).isZero();
        assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
    }

    @Test
    void aSlowCallJustUnderTheLimitIsNotSlow() {
        CircuitBreaker b = breaker(settings().failureRate(100).slowCallRate(100).window(2).minCalls(1).build());
        long p = b.tryAcquire();
        b.onSuccess(p, SLOW_CALL.toNanos() - 1);
        assertThat(b.snapshot().slowCallRate()).isZero();
        assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
    }

    @Test
    void slowRateOfOneHundredNeedsEveryCallSlow() {
        CircuitBreaker b = breaker(settings().failureRate(100).slowCallRate(100).window(5).minCalls(5).build());
        long slow = SLOW_CALL.toNanos() * 2;
        for (int i = 0; i < 4; i++) {
            b.onSuccess(b.tryAcquire(), slow);
        }
        succeed(b, 1);
        assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
        for (int i = 0; i < 4; i++) {
            b.onSuccess(b.tryAcquire(), slow);
            assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
        }
        b.onSuccess(b.tryAcquire(), slow); // the fast one is out of the window now
        assertThat(b.state()).isEqualTo(BreakerState.OPEN);
    }

    @Test
    void theWindowSlidesOldOutcomesOut() {
        CircuitBreaker b = breaker(settings().failureRate(50).window(4).minCalls(4).build());
        fail(b, 1);
        succeed(b, 3);
        assertThat(b.snapshot().failureRate()).isEqualTo(25.0);
        succeed(b, 1); // the failure leaves the window
        assertThat(b.snapshot().calls()).isEqualTo(4);
        assertThat(b.snapshot().failureRate()).isZero();
        fail(b, 1); // 1 of the last 4; had the old failure stayed, 2 of 4 would open it
        assertThat(b.snapshot().failureRate()).isEqualTo(25.0);
        assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
        // Slow calls slide out the same way.
        CircuitBreaker s = breaker(settings().failureRate(100).slowCallRate(50).window(4).minCalls(4).build());
        s.onSuccess(s.tryAcquire(), SLOW_CALL.toNanos() * 2);
        succeed(s, 4);
        assertThat(s.snapshot().slowCallRate()).isZero();
        s.onSuccess(s.tryAcquire(), SLOW_CALL.toNanos() * 2);
        assertThat(s.state()).isEqualTo(BreakerState.CLOSED);
    }

    // ---------------------------------------------------------------- open -> half-open

    @Test
    void openRefusesUntilOpenForHasElapsed() {
        CircuitBreaker b = opened(settings().build());
        long openedAt = now.get();
        assertThat(b.tryAcquire()).isEqualTo(REFUSED);
        assertThat(b.permitsCalls()).isFalse();
        assertThat(b.remainingOpen()).isEqualTo(OPEN_FOR);
        advance(OPEN_FOR.toNanos() - 1);
        assertThat(b.tryAcquire()).isEqualTo(REFUSED);
        assertThat(b.permitsCalls()).isFalse();
        assertThat(b.state()).isEqualTo(BreakerState.OPEN);
        assertThat(b.remainingOpen()).isEqualTo(Duration.ofNanos(1));
        advance(1);
        assertThat(now.get() - openedAt).isEqualTo(OPEN_FOR.toNanos());
        assertThat(b.permitsCalls()).isTrue();
        assertThat(b.state()).as("permitsCalls does not move the state").isEqualTo(BreakerState.OPEN);
        long trial = b.tryAcquire();
        assertThat(trial).isNotEqualTo(REFUSED);
        assertThat(b.state()).isEqualTo(BreakerState.HALF_OPEN);
        assertThat(transitions).containsExactly(new Transition(BreakerState.OPEN, BreakerState.HALF_OPEN, "open for 10000 ms"));
    }

    @Test
    void halfOpenLetsExactlyHalfOpenCallsThrough() {
        CircuitBreaker b = opened(settings().halfOpenCalls(3).build());
        advance(OPEN_FOR.toNanos());
        List<Long> permits = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            long p = b.tryAcquire();
            if (p != REFUSED) {
                permits.add(p);
            }
        }
        assertThat(permits).hasSize(3);
        assertThat(b.permitsCalls()).isFalse();
        assertThat(b.state()).isEqualTo(BreakerState.HALF_OPEN);
        assertThat(b.describe()).contains("half-open").contains("0 trial call(s) left");
    }

    @Test
    void allTrialsSucceedingClosesItWithAClearedWindow() {
        CircuitBreaker b = breaker(settings().failureRate(50).window(10).minCalls(5).halfOpenCalls(2).build());
        fail(b, 5);
        assertThat(b.state()).isEqualTo(BreakerState.OPEN);
        advance(OPEN_FOR.toNanos());
        long t1 = b.tryAcquire();
        long t2 = b.tryAcquire();
        b.onSuccess(t1, FAST);
        assertThat(b.state()).as("one of two trials done").isEqualTo(BreakerState.HALF_OPEN);
        b.onSuccess(t2, FAST);
        assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
        assertThat(b.snapshot().calls()).isZero();
        assertThat(b.snapshot().failureRate()).isZero();
        assertThat(b.snapshot().consecutiveFailures()).isZero();
        assertThat(b.snapshot().timesOpened()).isEqualTo(1);
        assertThat(transitions).extracting(Transition::to)
                .containsExactly(BreakerState.OPEN, BreakerState.HALF_OPEN, BreakerState.CLOSED);
        assertThat(transitions.get(2).reason()).isEqualTo("2 trial calls succeeded");
        // The old failures are gone: 4 more failures stay below minCalls again.
        fail(b, 4);
        assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
    }

    @Test
    void oneFailedTrialOpensItAgainAndRestartsOpenFor() {
        CircuitBreaker b = opened(settings().halfOpenCalls(3).build());
        advance(OPEN_FOR.toNanos() + 5 * MS);
        long t1 = b.tryAcquire();
        long t2 = b.tryAcquire();
        b.onSuccess(t1, FAST);
        advance(3 * MS);
        long reopenedAt = now.get();
        b.onFailure(t2, FAST);
        assertThat(b.state()).isEqualTo(BreakerState.OPEN);
        assertThat(b.reason()).isEqualTo("a trial call failed");
        assertThat(b.tryAcquire()).as("the third trial permit is gone").isEqualTo(REFUSED);
        assertThat(b.remainingOpen()).isEqualTo(OPEN_FOR);
        advance(OPEN_FOR.toNanos() - 1);
        assertThat(b.tryAcquire()).isEqualTo(REFUSED);
        advance(1);
        assertThat(now.get() - reopenedAt).isEqualTo(OPEN_FOR.toNanos());
        assertThat(b.tryAcquire()).isNotEqualTo(REFUSED);
        assertThat(b.state()).isEqualTo(BreakerState.HALF_OPEN);
        assertThat(b.snapshot().timesOpened()).isEqualTo(2);
        assertThat(transitions).containsExactly(
                new Transition(BreakerState.OPEN, BreakerState.HALF_OPEN, "open for 10000 ms"),
                new Transition(BreakerState.HALF_OPEN, BreakerState.OPEN, "a trial call failed"),
                new Transition(BreakerState.OPEN, BreakerState.HALF_OPEN, "open for 10000 ms"));
    }

    @Test
    void aSlowTrialOpensItAgain() {
        CircuitBreaker b = opened(settings().halfOpenCalls(2).build());
        advance(OPEN_FOR.toNanos());
        long t1 = b.tryAcquire();
        b.onSuccess(t1, SLOW_CALL.toNanos() * 3);
        assertThat(b.state()).isEqualTo(BreakerState.OPEN);
        assertThat(b.reason()).isEqualTo("a trial call was slow");
    }

    @Test
    void onIgnoredGivesTheTrialPermitBack() {
        CircuitBreaker b = opened(settings().halfOpenCalls(1).build());
        advance(OPEN_FOR.toNanos());
        long t = b.tryAcquire();
        assertThat(t).isNotEqualTo(REFUSED);
        assertThat(b.tryAcquire()).isEqualTo(REFUSED);
        assertThat(b.permitsCalls()).isFalse();
        b.onIgnored(t);
        assertThat(b.state()).isEqualTo(BreakerState.HALF_OPEN);
        assertThat(b.permitsCalls()).isTrue();
        long again = b.tryAcquire();
        assertThat(again).isNotEqualTo(REFUSED);
        assertThat(b.tryAcquire()).isEqualTo(REFUSED);
        b.onSuccess(again, FAST);
        assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
    }

    @Test
    void onIgnoredInClosedLeavesTheWindowAlone() {
        CircuitBreaker b = breaker(settings().build());
        fail(b, 2);
        b.onIgnored(b.tryAcquire());
        assertThat(b.snapshot().calls()).isEqualTo(2);
        assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
    }

    @Test
    void aStalePermitDoesNotAddTrialPermits() {
        CircuitBreaker b = breaker(settings().consecutiveFailures(1).halfOpenCalls(1).build());
        long stale = b.tryAcquire(); // taken while closed
        fail(b, 1);
        advance(OPEN_FOR.toNanos());
        long t = b.tryAcquire();
        assertThat(b.state()).isEqualTo(BreakerState.HALF_OPEN);
        b.onIgnored(stale);
        assertThat(b.tryAcquire()).as("the stale permit bought no extra trial").isEqualTo(REFUSED);
        b.onSuccess(t, FAST);
        assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
    }

    @Test
    void outcomesOfPermitsTakenBeforeATransitionDoNotCountAfterIt() {
        CircuitBreaker b = breaker(settings().consecutiveFailures(1).halfOpenCalls(1).build());
        long closedPermit1 = b.tryAcquire();
        long closedPermit2 = b.tryAcquire();
        long closedPermit3 = b.tryAcquire();
        fail(b, 1); // opens
        assertThat(b.state()).isEqualTo(BreakerState.OPEN);
        b.onFailure(closedPermit1, FAST); // while open: nothing
        assertThat(b.snapshot().timesOpened()).isEqualTo(1);
        advance(OPEN_FOR.toNanos());
        long trial = b.tryAcquire();
        assertThat(b.state()).isEqualTo(BreakerState.HALF_OPEN);
        b.onFailure(closedPermit2, FAST); // a stale failure must not reopen the half-open breaker
        assertThat(b.state()).isEqualTo(BreakerState.HALF_OPEN);
        b.onSuccess(closedPermit3, FAST); // nor a stale success close it
        assertThat(b.state()).isEqualTo(BreakerState.HALF_OPEN);
        b.onSuccess(trial, FAST);
        assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
        // After closing, the stale trial permit and the old closed permits count nothing.
        b.onFailure(trial, FAST);
        b.onFailure(closedPermit1, FAST);
        assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
        assertThat(b.snapshot().calls()).isZero();
        assertThat(transitions).extracting(Transition::to).containsExactly(BreakerState.OPEN, BreakerState.HALF_OPEN, BreakerState.CLOSED);
    }

    @Test
    void aLateTrialOutcomeAfterTheBreakerReopenedDoesNotCount() {
        CircuitBreaker b = opened(settings().halfOpenCalls(2).build());
        advance(OPEN_FOR.toNanos());
        long t1 = b.tryAcquire();
        long t2 = b.tryAcquire();
        b.onFailure(t1, FAST); // open again
        advance(OPEN_FOR.toNanos());
        long t3 = b.tryAcquire(); // half-open again, new epoch
        assertThat(b.state()).isEqualTo(BreakerState.HALF_OPEN);
        b.onSuccess(t2, FAST); // from the previous half-open: must not count as one of the two trials
        long t4 = b.tryAcquire();
        b.onSuccess(t3, FAST);
        assertThat(b.state()).as("only one of this half-open's two trials succeeded").isEqualTo(BreakerState.HALF_OPEN);
        b.onSuccess(t4, FAST);
        assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
    }

    @Test
    void refreshMovesAnExpiredOpenBreakerToHalfOpenWithoutTraffic() {
        CircuitBreaker b = opened(settings().halfOpenCalls(3).build());
        advance(OPEN_FOR.toNanos() - 1);
        b.refresh();
        assertThat(b.state()).isEqualTo(BreakerState.OPEN);
        assertThat(transitions).isEmpty();
        advance(1);
        b.refresh();
        assertThat(b.state()).isEqualTo(BreakerState.HALF_OPEN);
        assertThat(b.describe()).isEqualTo("breaker half-open, 3 trial call(s) left");
        b.refresh(); // idempotent
        assertThat(transitions).containsExactly(new Transition(BreakerState.OPEN, BreakerState.HALF_OPEN, "open for 10000 ms"));
        int granted = 0;
        for (int i = 0; i < 5; i++) {
            granted += b.tryAcquire() != REFUSED ? 1 : 0;
        }
        assertThat(granted).isEqualTo(3);
    }

    @Test
    void refreshDoesNothingInOtherStates() {
        CircuitBreaker b = breaker(settings().build());
        advance(OPEN_FOR.toNanos() * 10);
        b.refresh();
        assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
        b.forceOpen();
        advance(OPEN_FOR.toNanos() * 10);
        b.refresh();
        assertThat(b.state()).isEqualTo(BreakerState.FORCED_OPEN);
    }

    // ---------------------------------------------------------------- operator controls

    @Test
    void forceOpenRefusesEveryCallForeverUntilReset() {
        CircuitBreaker b = breaker(settings().build());
        b.forceOpen();
        assertThat(b.state()).isEqualTo(BreakerState.FORCED_OPEN);
        assertThat(b.state().refuses()).isTrue();
        for (int i = 0; i < 5; i++) {
            advance(OPEN_FOR.toNanos() * 100);
            assertThat(b.tryAcquire()).isEqualTo(REFUSED);
            assertThat(b.permitsCalls()).isFalse();
        }
        assertThat(b.describe()).isEqualTo("breaker forced open");
        assertThat(b.remainingOpen()).isEqualTo(Duration.ZERO);
        b.reset();
        assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
        assertThat(b.tryAcquire()).isNotEqualTo(REFUSED);
        assertThat(transitions).containsExactly(
                new Transition(BreakerState.CLOSED, BreakerState.FORCED_OPEN, "forced open by an operator"),
                new Transition(BreakerState.FORCED_OPEN, BreakerState.CLOSED, "reset by an operator"));
    }

    @Test
    void theOperatorsHandleForcesAndReadsButCannotReachThePermits() {
        CircuitBreaker b = breaker(settings().consecutiveFailures(1).build());
        BreakerControl control = b.control();
        assertThat(control).as("a cast must not lead back to tryAcquire/onFailure").isNotInstanceOf(CircuitBreaker.class);
        assertThat(control).isSameAs(b.control());
        control.forceOpen();
        assertThat(b.state()).isEqualTo(BreakerState.FORCED_OPEN);
        assertThat(control.state()).isEqualTo(BreakerState.FORCED_OPEN);
        assertThat(control.snapshot().state()).isEqualTo(BreakerState.FORCED_OPEN);
        control.forceClosed();
        assertThat(b.state()).isEqualTo(BreakerState.FORCED_CLOSED);
        control.reset();
        assertThat(control.state()).isEqualTo(BreakerState.CLOSED);
        fail(b, 1);
        assertThat(control.snapshot()).extracting(BreakerSnapshot::state, BreakerSnapshot::consecutiveFailures)
                .containsExactly(BreakerState.OPEN, 1);
    }

    @Test
    void forceClosedLetsEveryCallThroughWhateverHappens() {
        CircuitBreaker b = breaker(settings().consecutiveFailures(1).build());
        b.forceClosed();
        fail(b, 100);
        assertThat(b.state()).isEqualTo(BreakerState.FORCED_CLOSED);
        assertThat(b.permitsCalls()).isTrue();
        assertThat(b.snapshot().calls()).as("outcomes do not move a forced breaker").isZero();
        assertThat(b.describe()).isEqualTo("breaker forced_closed");
        b.forceOpen();
        assertThat(b.state()).isEqualTo(BreakerState.FORCED_OPEN);
        b.forceClosed();
        assertThat(b.state()).isEqualTo(BreakerState.FORCED_CLOSED);
        assertThat(transitions).extracting(Transition::to)
                .containsExactly(BreakerState.FORCED_CLOSED, BreakerState.FORCED_OPEN, BreakerState.FORCED_CLOSED);
    }

    @Test
    void resetClosesAnOpenBreakerAndClearsTheWindow() {
        CircuitBreaker b = breaker(settings().consecutiveFailures(3).build());
        long stale = b.tryAcquire(); // taken before the breaker opened and was reset
        fail(b, 3);
        assertThat(b.state()).isEqualTo(BreakerState.OPEN);
        b.reset();
        assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
        assertThat(b.snapshot().calls()).isZero();
        assertThat(b.snapshot().consecutiveFailures()).isZero();
        assertThat(b.remainingOpen()).isEqualTo(Duration.ZERO);
        fail(b, 2);
        b.onFailure(stale, FAST); // would be the third consecutive failure if it counted
        assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
        assertThat(b.snapshot().consecutiveFailures()).isEqualTo(2);
        assertThat(transitions).extracting(Transition::to).containsExactly(BreakerState.OPEN, BreakerState.CLOSED);
        assertThat(transitions.get(1).reason()).isEqualTo("reset by an operator");
    }

    @Test
    void forcingTheSameStateTwiceReportsOneTransition() {
        CircuitBreaker b = breaker(settings().build());
        b.forceOpen();
        b.forceOpen();
        b.reset();
        b.reset();
        assertThat(transitions).extracting(Transition::to).containsExactly(BreakerState.FORCED_OPEN, BreakerState.CLOSED);
    }

    @Test
    void aDisabledBreakerNeverOpens() {
        CircuitBreaker b = breaker(settings().enabled(false).consecutiveFailures(1).minCalls(1).build());
        assertThat(b.state()).isEqualTo(BreakerState.DISABLED);
        for (int i = 0; i < 1000; i++) {
            long p = b.tryAcquire();
            assertThat(p).isNotEqualTo(REFUSED);
            if (i % 2 == 0) {
                b.onFailure(p, SLOW_CALL.toNanos() * 10);
            } else {
                b.onSuccess(p, SLOW_CALL.toNanos() * 10);
            }
        }
        advance(OPEN_FOR.toNanos() * 2);
        b.refresh();
        assertThat(b.state()).isEqualTo(BreakerState.DISABLED);
        assertThat(b.state().refuses()).isFalse();
        assertThat(b.permitsCalls()).isTrue();
        assertThat(transitions).isEmpty();
        b.reset();
        assertThat(b.state()).as("reset of a disabled breaker").isEqualTo(BreakerState.DISABLED);
        assertThat(transitions).isEmpty();
    }

    // ---------------------------------------------------------------- listener and describe

    @Test
    void theListenerHearsEachTransitionOnceWithReasons() {
        CircuitBreaker b = breaker(settings().consecutiveFailures(2).halfOpenCalls(1).build());
        fail(b, 2);
        long p = b.tryAcquire(); // refused, no transition
        assertThat(p).isEqualTo(REFUSED);
        advance(OPEN_FOR.toNanos());
        b.refresh();
        b.refresh();
        b.onFailure(b.tryAcquire(), FAST);
        advance(OPEN_FOR.toNanos());
        b.onSuccess(b.tryAcquire(), FAST);
        b.forceOpen();
        b.reset();
        assertThat(transitions).containsExactly(
                new Transition(BreakerState.CLOSED, BreakerState.OPEN, "2 consecutive failures"),
                new Transition(BreakerState.OPEN, BreakerState.HALF_OPEN, "open for 10000 ms"),
                new Transition(BreakerState.HALF_OPEN, BreakerState.OPEN, "a trial call failed"),
                new Transition(BreakerState.OPEN, BreakerState.HALF_OPEN, "open for 10000 ms"),
                new Transition(BreakerState.HALF_OPEN, BreakerState.CLOSED, "1 trial calls succeeded"),
                new Transition(BreakerState.CLOSED, BreakerState.FORCED_OPEN, "forced open by an operator"),
                new Transition(BreakerState.FORCED_OPEN, BreakerState.CLOSED, "reset by an operator"));
        assertThat(b.snapshot().timesOpened()).isEqualTo(2);
    }

    @Test
    void describeNamesTheStateAndTheTimeLeft() {
        CircuitBreaker b = breaker(settings().consecutiveFailures(5).halfOpenCalls(2).build());
        assertThat(b.describe()).isEqualTo("breaker closed");
        fail(b, 5);
        assertThat(b.describe()).isEqualTo("breaker open for 10000 ms more (5 consecutive failures)");
        advance(4_200 * MS);
        assertThat(b.describe()).isEqualTo("breaker open for 5800 ms more (5 consecutive failures)");
        assertThat(b.snapshot().remainingOpenMillis()).isEqualTo(5800);
        assertThat(b.remainingOpen()).isEqualTo(Duration.ofMillis(5800));
        advance(5_800 * MS);
        assertThat(b.tryAcquire()).isNotEqualTo(REFUSED);
        assertThat(b.describe()).isEqualTo("breaker half-open, 1 trial call(s) left");
        assertThat(b.snapshot().state()).isEqualTo(BreakerState.HALF_OPEN);
        assertThat(b.snapshot().remainingOpenMillis()).isZero();
    }

    @Test
    void stateTagValues() {
        assertThat(BreakerState.HALF_OPEN.tagValue()).isEqualTo("half_open");
        assertThat(BreakerState.FORCED_CLOSED.tagValue()).isEqualTo("forced_closed");
        assertThat(BreakerState.OPEN.refuses()).isTrue();
        assertThat(BreakerState.HALF_OPEN.refuses()).isFalse();
    }

    // ---------------------------------------------------------------- concurrency

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentOutcomesDoNotCorruptTheCounts() throws Exception {
        int window = 100;
        CircuitBreaker b = breaker(settings().failureRate(100).slowCallRate(100).consecutiveFailures(0)
                .window(window).minCalls(window).build());
        int threads = 8;
        int perThread = 10_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            AtomicInteger refused = new AtomicInteger();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        long p = b.tryAcquire();
                        if (p == REFUSED) {
                            refused.incrementAndGet();
                            continue;
                        }
                        // Each thread fails one call in three, so at most `threads` failures are ever
                        // adjacent and the window (100) can never be all failures: the breaker stays closed.
                        if (i % 3 == 2) {
                            b.onFailure(p, FAST);
                        } else {
                            b.onSuccess(p, FAST);
                        }
                        if (i % 1000 == 0) {
                            BreakerSnapshot s = b.snapshot();
                            if (s.calls() > window || s.failureRate() < 0 || s.failureRate() > 100) {
                                throw new AssertionError("corrupt snapshot " + s);
                            }
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS); // rethrows any exception from a worker
            }
            assertThat(refused.get()).isZero();
        } finally {
            pool.shutdownNow();
        }
        BreakerSnapshot s = b.snapshot();
        assertThat(s.state()).isEqualTo(BreakerState.CLOSED);
        assertThat(s.calls()).isEqualTo(window);
        assertThat(s.failureRate()).isBetween(0.0, 100.0);
        assertThat(s.consecutiveFailures()).isBetween(0, threads);
        assertThat(transitions).isEmpty();
        // The counters must still match the window's contents: a full window of successes reads 0%,
        // and then exactly half failures reads 50%.
        succeed(b, window);
        assertThat(b.snapshot().failureRate()).isZero();
        assertThat(b.snapshot().slowCallRate()).isZero();
        for (int i = 0; i < window / 2; i++) {
            fail(b, 1);
            succeed(b, 1);
        }
        assertThat(b.snapshot().failureRate()).isEqualTo(50.0);
        assertThat(b.snapshot().calls()).isEqualTo(window);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void racingCallersAtTheEndOfOpenForGetExactlyHalfOpenCallsPermits() throws Exception {
        for (int round = 0; round < 200; round++) {
            transitions.clear();
            CircuitBreaker b = opened(settings().halfOpenCalls(3).build());
            advance(OPEN_FOR.toNanos());
            int threads = 8;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                CountDownLatch start = new CountDownLatch(1);
                AtomicInteger granted = new AtomicInteger();
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    done.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < 10; i++) {
                            if (b.tryAcquire() != REFUSED) {
                                granted.incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : done) {
                    f.get(30, TimeUnit.SECONDS);
                }
                assertThat(granted.get()).as("round %d", round).isEqualTo(3);
                assertThat(transitions).as("round %d", round)
                        .containsExactly(new Transition(BreakerState.OPEN, BreakerState.HALF_OPEN, "open for 10000 ms"));
            } finally {
                pool.shutdownNow();
            }
        }
    }

    // ---------------------------------------------------------------- fairness between callers

    private static void timeOut(CircuitBreaker b, Object caller, int times) {
        for (int i = 0; i < times; i++) {
            long p = b.tryAcquire();
            assertThat(p).as("permit for timeout %d of %s", i, caller).isNotEqualTo(REFUSED);
            b.onTimeout(p, 2 * SLOW_CALL.toNanos(), caller);
        }
    }

    @Test
    void oneCallersTimeoutsOpenNeitherByRunNorByRateButASecondCallersDo() {
        CircuitBreaker b = breaker(settings().consecutiveFailures(3).build());
        timeOut(b, "hog", 10);
        assertThat(b.state()).as("a run of 10 and a window of 10 timeouts, all the hog's").isEqualTo(BreakerState.CLOSED);
        assertThat(b.snapshot().failureRate()).isEqualTo(100.0);

        timeOut(b, "other", 1);
        assertThat(b.state()).isEqualTo(BreakerState.OPEN);
        assertThat(transitions).hasSize(1);
        assertThat(transitions.get(0).reason()).isEqualTo("11 consecutive failures");
    }

    @Test
    void theRateRuleNeedsTwoCallersAmongTheTimeoutsInItsWindow() {
        CircuitBreaker b = breaker(settings().build()); // rates only
        timeOut(b, "hog", 4);
        succeed(b, 1);
        timeOut(b, "hog", 4);
        assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
        timeOut(b, "other", 1);
        assertThat(b.state()).isEqualTo(BreakerState.OPEN);
        assertThat(transitions.get(0).reason()).startsWith("9 of the last 10 calls failed");
    }

    @Test
    void oneCallersSlowCallsDoNotOpenTheSlowCallRate() {
        CircuitBreaker b = breaker(settings().build());
        for (int i = 0; i < 10; i++) {
            b.onSuccess(b.tryAcquire(), 2 * SLOW_CALL.toNanos(), "hog");
        }
        assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
        b.onSuccess(b.tryAcquire(), 2 * SLOW_CALL.toNanos(), "other");
        assertThat(b.state()).isEqualTo(BreakerState.OPEN);
        assertThat(transitions.get(0).reason()).contains("took over 1000 ms");
    }

    @Test
    void failuresOfTheEndpointCountWhoeverMetThem() {
        CircuitBreaker b = breaker(settings().consecutiveFailures(3).build());
        for (int i = 0; i < 3; i++) {
            b.onFailure(b.tryAcquire(), FAST, "hog");
        }
        assertThat(b.state()).as("three failures other than timeouts, one caller").isEqualTo(BreakerState.OPEN);
    }

    @Test
    void unattributedTimeoutsCountAsBefore() {
        CircuitBreaker b = breaker(settings().consecutiveFailures(3).build());
        timeOut(b, null, 3);
        assertThat(b.state()).isEqualTo(BreakerState.OPEN);
    }

    @Test
    void aRunWithOneFailureOfTheEndpointsOwnAmongOneCallersTimeoutsOpens() {
        CircuitBreaker b = breaker(settings().consecutiveFailures(3).build());
        timeOut(b, "hog", 2);
        b.onFailure(b.tryAcquire(), FAST, "hog");
        assertThat(b.state()).isEqualTo(BreakerState.OPEN);
    }

    @Test
    void aSuccessEndsTheRunAndItsCallers() {
        CircuitBreaker b = breaker(settings().consecutiveFailures(3).window(100).minCalls(100).build());
        timeOut(b, "a", 2);
        succeed(b, 1);
        timeOut(b, "b", 2);
        assertThat(b.state()).as("a's timeouts belong to a run that ended").isEqualTo(BreakerState.CLOSED);
        timeOut(b, "c", 1);
        assertThat(b.state()).isEqualTo(BreakerState.OPEN);
    }
}
