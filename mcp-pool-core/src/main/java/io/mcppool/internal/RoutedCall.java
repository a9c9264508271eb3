package io.mcppool.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.call.ErrorType;
import io.mcppool.call.NoEndpointAvailableException;
import io.mcppool.config.RetrySettings;
import io.mcppool.events.CallContext;
import io.mcppool.events.PoolEvents;
import io.mcppool.internal.pool.Lease;
import io.mcppool.internal.pool.PoolClosingException;
import io.mcppool.protocol.Progress;
import io.mcppool.internal.resilience.Backoff;
import io.mcppool.internal.resilience.CircuitBreaker;
import io.mcppool.internal.resilience.Retries;
import io.mcppool.internal.routing.Endpoint;
import io.mcppool.internal.session.McpSession;
import io.mcppool.transport.NotSentException;
import io.mcppool.internal.transport.HttpStatusException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One request on its way through a server's endpoints: pick an endpoint, take a breaker permit and a
 * session slot, send, and on failure decide (once, here) whether and where it goes again.
 *
 * <p>The rules: a failure that never reached a server moves at once to another endpoint that has not
 * failed this call, with no retry counted. When none is left, an unreachable or full server ends the
 * call (its pool reconnects in the background; a caller waits for a slot at most its acquire timeout),
 * while a throttled or expired one, or a session that closed just before the send, is tried again.
 * Another attempt waits a backoff (or the server's {@code Retry-After}), needs a retry from the
 * server's budget and an attempt under {@code maxAttempts}, must fit in the call's deadline, and, if
 * the call may have run, a tool that is safe to repeat.
 *
 * <p>A background request (the catalog listing a server) has no vote: it is sent only where the breaker
 * permits calls but takes no permit, and its outcome counts neither in the breaker's window nor in the retry
 * budget, so a listing that fails against a restarting server cannot open a breaker that calls then meet.
 * A call cut short by the pool closing fails as {@code PoolClosedException} and has no vote either.
 *
 * <p>A timeout counts against the endpoint only at the server's own deadline, and as the caller's
 * ({@link Attribution}): one caller's timeouts and slow calls alone do not open the breaker.
 */
final class RoutedCall {
    private final PooledServer server;
    private final CallFuture<JsonNode> result;
    private final String method;
    private final ObjectNode params;
    private final long deadlineNanos;
    private final String affinityKey;
    private final java.util.function.Consumer<Progress> onProgress;
    private final CallContext call;
    private final String tool;
    private final RetrySettings retry;
    private final PoolEvents events;
    private final boolean background;
    private final Attribution attribution;

    /** Endpoints this call failed on; cleared of nothing: once all are tried, any available one may be reused. */
    private long tried;
    private int attempts;
    private Throwable lastFailure;
    private Endpoint lastEndpoint;

    RoutedCall(PooledServer server, CallFuture<JsonNode> result, String method, ObjectNode params, long deadlineNanos,
               String affinityKey, java.util.function.Consumer<Progress> onProgress, CallContext call, String tool,
               boolean background, Attribution attribution) {
        this.server = server;
        this.result = result;
        this.method = method;
        this.params = params;
        this.deadlineNanos = deadlineNanos;
        this.affinityKey = affinityKey;
        this.onProgress = onProgress;
        this.call = call;
        this.tool = tool;
        this.retry = server.config().retry(tool);
        this.events = server.events();
        this.background = background;
        this.attribution = attribution;
    }

    void start() {
        if (!background) {
            server.budget().recordCall();
        }
        next();
    }

    private void next() {
        if (result.isDone()) {
            return;
        }
        List<Endpoint> endpoints = server.endpoints();
        // Each turn either sends or marks one more endpoint as refused, so this ends within n + 1 turns.
        for (int turn = 0; turn <= endpoints.size(); turn++) {
            long available = server.availableMask();
            long candidates = available & ~tried;
            if (candidates == 0) {
                candidates = available; // every available endpoint failed this call once: any may go again
            }
            if (candidates == 0) {
                finish(unavailable());
                return;
            }
            candidates = server.lowestTier(candidates);
            long ready = server.readyMask(candidates);
            int i = server.balancer().pick(endpoints, ready != 0 ? ready : candidates, affinityKey);
            Endpoint ep = endpoints.get(i);
            long permit = background ? (ep.breaker().permitsCalls() ? CircuitBreaker.NO_VOTE : CircuitBreaker.REFUSED)
                    : ep.breaker().tryAcquire();
            if (permit == CircuitBreaker.REFUSED) {
                tried |= 1L << i; // lost a race for the last half-open permit, or it just opened
                continue;
            }
            send(ep, permit);
            return;
        }
        finish(unavailable());
    }

    private void send(Endpoint ep, long permit) {
        attempts++;
        ep.callStarted();
        long acquireStart = System.nanoTime();
        long acquireWait = Math.min(deadlineNanos - acquireStart, server.config().pool().acquireTimeout().toNanos());
        if (call != null) {
            call.endpoint(ep.name());
            events.endpointPicked(call, ep.name());
            events.acquireStarted(call);
        }
        CompletableFuture<Lease> acquired = ep.pool().acquire(affinityKey, acquireWait);
        result.upstream(acquired);
        acquired.whenComplete((lease, error) -> {
            try {
                onAcquired(ep, permit, lease, error, acquireStart);
            } catch (RuntimeException | Error t) {
                // Whatever goes wrong in here (a listener, a bug), the caller must get an answer, not hang.
                result.completeExceptionally(t);
                throw t;
            }
        });
    }

    private void onAcquired(Endpoint ep, long permit, Lease lease, Throwable acquireError, long acquireStart) {
        long now = System.nanoTime();
        if (call != null) {
            events.acquireEnded(call, now - acquireStart, acquireError == null);
        }
        if (acquireError != null) {
            ep.callEnded();
            failed(ep, permit, acquireError, now - acquireStart, null);
            return;
        }
        if (background) {
            lease.background();
        }
        if (result.isDone()) {
            lease.release(); // cancelled while the slot was being handed over
            ep.callEnded();
            ep.breaker().onIgnored(permit);
            return;
        }
        CompletableFuture<JsonNode> answer;
        try {
            answer = lease.session().request(method, params, Math.max(1, deadlineNanos - now), onProgress);
        } catch (RuntimeException e) {
            lease.release();
            ep.callEnded();
            failed(ep, permit, e, 0, lease.session());
            return;
        }
        result.upstream(answer);
        if (call != null) {
            call.sent(McpSession.requestId(answer), lease.session().sessionId());
        }
        answer.whenComplete((json, error) -> {
            long end = System.nanoTime();
            long took = end - now;
            // Release before completing, so the slot is free before anyone sees the answer.
            lease.release();
            ep.callEnded();
            if (error == null) {
                ep.succeeded(permit, took, end, attribution.caller());
                result.complete(json);
            } else {
                failed(ep, permit, error, took, lease.session());
            }
        });
    }

    /** @param session the session the request was sent on, or null when it never got one */
    private void failed(Endpoint ep, long permit, Throwable error, long tookNanos, McpSession session) {
        Throwable cause = Failures.unwrap(error);
        if (server.isClosed()) {
            // The pool closed under the call (its sessions ended after the grace period): not the endpoint's fault.
            ep.breaker().onIgnored(permit);
            lastEndpoint = ep;
            finish(cause instanceof PoolClosingException ? cause
                    : new PoolClosingException("the pool closed while the call was in flight: " + cause.getMessage()));
            return;
        }
        ErrorType type = Failures.classify(cause);
        if (background || !Retries.countsAgainstEndpoint(type)) {
            ep.breaker().onIgnored(permit);
        } else if (type == ErrorType.TIMEOUT) {
            if (attribution.ownDeadline()) {
                ep.timedOut(permit, tookNanos, attribution.caller());
            } else {
                ep.breaker().onIgnored(permit); // the caller's shorter deadline: says nothing about the endpoint
            }
        } else {
            ep.failed(permit, tookNanos, session != null && !session.isOpen() ? session : null, attribution.caller());
        }
        tried |= 1L << ep.index();
        lastFailure = cause;
        lastEndpoint = ep;
        if (result.isDone()) {
            return;
        }
        Retries.Kind kind = Retries.kind(type);
        if (kind == Retries.Kind.FINAL || (kind == Retries.Kind.MAY_HAVE_RUN && !server.safeToRepeat(method, tool))) {
            finish(cause);
            return;
        }
        if (kind == Retries.Kind.NOT_SENT && type != ErrorType.THROTTLED) {
            if ((server.availableMask() & ~tried) != 0) {
                next(); // nothing reached a server: another endpoint may take it at once, no retry spent
                return;
            }
            if ((type == ErrorType.CONNECT_FAILURE && !(cause instanceof NotSentException))
                    || type == ErrorType.POOL_EXHAUSTED) {
                // Every endpoint is unreachable or full. The pools already reconnect in the background, and a
                // caller waits for a slot at most its acquire timeout: trying again here would only add waits.
                finish(cause);
                return;
            }
        }
        if (attempts >= retry.maxAttempts()) {
            finish(cause);
            return;
        }
        long delay = retryAfter(cause);
        if (delay < 0) {
            delay = Backoff.delayNanos(retry, attempts, () -> ThreadLocalRandom.current().nextDouble());
        }
        if (System.nanoTime() + delay - deadlineNanos >= 0 || (!background && !server.budget().tryAcquireRetry())) {
            finish(cause);
            return;
        }
        if (call != null) {
            events.retryScheduled(call, attempts + 1, Duration.ofNanos(delay), type);
        }
        if (delay <= 0) {
            next();
            return;
        }
        try {
            result.upstream(server.timer().schedule(() -> server.runInBackground(this::next), delay,
                    TimeUnit.NANOSECONDS));
        } catch (RejectedExecutionException closing) {
            finish(cause);
        }
    }

    /** The server's {@code Retry-After} in nanoseconds, or -1 when it gave none. */
    private static long retryAfter(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof HttpStatusException h && h.isThrottled()) {
                return h.retryAfter().map(Duration::toNanos).orElse(-1L);
            }
        }
        return -1;
    }

    private NoEndpointAvailableException unavailable() {
        Map<String, String> states = new LinkedHashMap<>();
        StringBuilder sb = new StringBuilder("no endpoint can take the call: ");
        for (Endpoint ep : server.endpoints()) {
            String state = ep.describeState();
            states.put(ep.name(), state);
            if (states.size() > 1) {
                sb.append("; ");
            }
            sb.append(ep.name()).append(": ").append(state);
        }
        if (lastFailure != null) {
            sb.append("; this call's last failure (").append(lastEndpoint.name()).append("): ")
                    .append(lastFailure.getMessage());
        }
        return new NoEndpointAvailableException(sb.toString(), server.config().name(), tool, states, lastFailure);
    }

    private void finish(Throwable failure) {
        String endpoint = lastEndpoint == null ? null : lastEndpoint.name();
        result.completeExceptionally(Failures.map(failure, server.config().name(), endpoint, tool));
    }
}
