package io.mcppool.gateway.ops;

import io.mcppool.status.HealthStatus;
import io.mcppool.status.BreakerState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mcppool.call.ErrorType;
import io.mcppool.events.CallContext;
import io.mcppool.events.CallOutcome;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RecentErrorsTest {

    @Test
    void keepsTheLastNFailuresInOrder() {
        RecentErrors errors = new RecentErrors(5);
        for (int i = 0; i < 12; i++) {
            errors.callEnded(call("s", "tool" + i), CallOutcome.FAILURE, ErrorType.TIMEOUT, 1_000_000);
        }
        assertThat(errors.entries()).extracting(RecentErrors.Entry::tool)
                .containsExactly("tool7", "tool8", "tool9", "tool10", "tool11");
        assertThat(errors.total()).isEqualTo(12);
        RecentErrors.Entry last = errors.entries().get(4);
        assertThat(last.server()).isEqualTo("s");
        assertThat(last.endpoint()).isEqualTo("ep");
        assertThat(last.type()).isEqualTo("timeout");
        assertThat(last.message()).isEqualTo("tools/call failed: no answer before the deadline");
        assertThat(last.count()).isEqualTo(1);
    }

    @Test
    void keepsFewerThanNInOrderBeforeTheRingFills() {
        RecentErrors errors = new RecentErrors(5);
        assertThat(errors.entries()).isEmpty();
        errors.sessionOpenFailed("a", "ep", new java.io.IOException("connection refused"));
        errors.processExited("b", "ep", 42, 137, false);
        assertThat(errors.entries()).extracting(RecentErrors.Entry::type)
                .containsExactly("session_open_failed", "process_crashed");
        assertThat(errors.entries()).extracting(RecentErrors.Entry::message)
                .containsExactly("could not open a session: connection refused",
                        "process 42 exited unexpectedly with code 137");
    }

    @Test
    void countsARepeatOfTheNewestEntryOnIt() {
        RecentErrors errors = new RecentErrors(3);
        errors.callEnded(call("s", "x"), CallOutcome.FAILURE, ErrorType.TIMEOUT, 1);
        IntStream.range(0, 10).forEach(i -> errors.sessionOpenFailed("s", "ep", new RuntimeException("refused")));
        List<RecentErrors.Entry> entries = errors.entries();
        assertThat(entries).hasSize(2);
        assertThat(entries.get(0).tool()).isEqualTo("x");
        assertThat(entries.get(1).count()).isEqualTo(10);
        assertThat(entries.get(1).firstAt()).isBeforeOrEqualTo(entries.get(1).at());
        assertThat(errors.total()).isEqualTo(11);
    }

    @Test
    void ignoresSuccessesToolErrorsCancellationsAndHarmlessTransitions() {
        RecentErrors errors = new RecentErrors(3);
        errors.callEnded(call("s", "t"), CallOutcome.SUCCESS, null, 1);
        errors.callEnded(call("s", "t"), CallOutcome.TOOL_ERROR, ErrorType.TOOL_ERROR, 1);
        errors.callEnded(call("s", "t"), CallOutcome.FAILURE, ErrorType.CANCELLED, 1);
        errors.processExited("s", "ep", 1, 0, true);
        errors.breakerStateChanged("s", "ep", BreakerState.OPEN, BreakerState.HALF_OPEN);
        errors.healthChanged("s", "ep", HealthStatus.UNKNOWN, HealthStatus.HEALTHY, "ok");
        assertThat(errors.entries()).isEmpty();

        errors.breakerStateChanged("s", "ep", BreakerState.CLOSED, BreakerState.OPEN);
        errors.healthChanged("s", "ep", HealthStatus.HEALTHY, HealthStatus.UNHEALTHY, "3 health check(s) in a row failed");
        assertThat(errors.entries()).extracting(RecentErrors.Entry::type).containsExactly("breaker_open", "unhealthy");
    }

    @Test
    void cutsLongTextsSoTheRingStaysSmall() {
        RecentErrors errors = new RecentErrors(2);
        errors.record("s", null, "t".repeat(10_000), "x", "m".repeat(10_000));
        RecentErrors.Entry e = errors.entries().get(0);
        assertThat(e.tool()).hasSize(RecentErrors.MAX_TEXT);
        assertThat(e.message()).hasSize(RecentErrors.MAX_TEXT).endsWith("...");
    }

    @Test
    void needsRoomForOne() {
        assertThatThrownBy(() -> new RecentErrors(0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static CallContext call(String server, String tool) {
        CallContext c = new CallContext(server, "tools/call", tool, System.nanoTime());
        c.endpoint("ep");
        return c;
    }
}
