package io.mcppool.it.resilience;

import io.mcppool.status.BreakerState;
import io.mcppool.status.HealthStatus;
import io.mcppool.call.ErrorType;
import io.mcppool.events.CallContext;
import io.mcppool.events.CallOutcome;
import io.mcppool.events.PoolEvents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Every resilience-related event with the {@link System#nanoTime()} it was seen at, for tests that count
 * attempts and retries and time the routing step. Synchronous and lock-free: a queue append per event.
 */
final class EventLog implements PoolEvents {
    record Started(long atNanos, CallContext call) {
    }

    record Pick(long atNanos, CallContext call, String endpoint) {
    }

    record Retry(long atNanos, CallContext call, int nextAttempt, Duration backoff, ErrorType cause) {
    }

    record Ended(long atNanos, CallContext call, String endpoint, CallOutcome outcome, ErrorType errorType) {
    }

    record BreakerChange(long atNanos, String server, String endpoint, String from, String to) {
    }

    record HealthChange(long atNanos, String server, String endpoint, String from, String to, String reason) {
    }

    record Restart(long atNanos, String server, String endpoint, long pid, int restarts) {
    }

    final ConcurrentLinkedQueue<Started> started = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Pick> picks = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Retry> retries = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Ended> ended = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<BreakerChange> breakers = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<HealthChange> health = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Restart> restarts = new ConcurrentLinkedQueue<>();

    @Override
    public void callStarted(CallContext call) {
        if (call.toolOrNull() != null) {
            started.add(new Started(System.nanoTime(), call));
        }
    }

    @Override
    public void endpointPicked(CallContext call, String endpoint) {
        picks.add(new Pick(System.nanoTime(), call, endpoint));
    }

    @Override
    public void retryScheduled(CallContext call, int nextAttempt, Duration backoff, ErrorType cause) {
        retries.add(new Retry(System.nanoTime(), call, nextAttempt, backoff, cause));
    }

    @Override
    public void callEnded(CallContext call, CallOutcome outcome, ErrorType errorType, long durationNanos) {
        ended.add(new Ended(System.nanoTime(), call, call.endpoint(), outcome, errorType));
    }

    @Override
    public void breakerStateChanged(String server, String endpoint, BreakerState from, BreakerState to) {
        breakers.add(new BreakerChange(System.nanoTime(), server, endpoint, from.tagValue(), to.tagValue()));
    }

    @Override
    public void healthChanged(String server, String endpoint, HealthStatus from, HealthStatus to, String reason) {
        health.add(new HealthChange(System.nanoTime(), server, endpoint, from.tagValue(), to.tagValue(), reason));
    }

    @Override
    public void processRestarted(String server, String endpoint, long pid, int restarts) {
        this.restarts.add(new Restart(System.nanoTime(), server, endpoint, pid, restarts));
    }

    /** Tool calls' retries (tools/list and the like left out). */
    long toolRetries(String tool) {
        return retries.stream().filter(r -> tool == null ? r.call().toolOrNull() != null
                : tool.equals(r.call().toolOrNull())).count();
    }

    /** Tool calls' attempts (endpoint picks). */
    long toolAttempts() {
        return picks.stream().filter(p -> p.call().toolOrNull() != null).count();
    }

    /** Each tool call's picks in order, by call. */
    Map<CallContext, List<Pick>> picksByCall() {
        Map<CallContext, List<Pick>> out = new IdentityHashMap<>();
        for (Pick p : picks) {
            out.computeIfAbsent(p.call(), c -> new ArrayList<>()).add(p);
        }
        return out;
    }

    /** The times the endpoint's breaker went {@code from} → {@code to}. */
    List<Long> breakerTransitions(String endpoint, String from, String to) {
        return breakers.stream().filter(b -> b.endpoint().equals(endpoint) && b.from().equals(from)
                && b.to().equals(to)).map(BreakerChange::atNanos).toList();
    }
}
