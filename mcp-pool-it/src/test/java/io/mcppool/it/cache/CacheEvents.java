package io.mcppool.it.cache;

import io.mcppool.call.ErrorType;
import io.mcppool.events.CacheEvictionCause;
import io.mcppool.events.CallContext;
import io.mcppool.events.CallOutcome;
import io.mcppool.events.PoolEvents;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/** The cache's events in the order they came, one line each ({@code hit echo}, {@code evicted echo expired}, ...). */
final class CacheEvents implements PoolEvents {
    final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<String> ended = new ConcurrentLinkedQueue<>();

    @Override
    public void cacheHit(String server, String tool) {
        lines.add("hit " + server + "/" + tool);
    }

    @Override
    public void cacheMiss(String server, String tool) {
        lines.add("miss " + server + "/" + tool);
    }

    @Override
    public void cacheEvicted(String server, String tool, CacheEvictionCause cause) {
        lines.add("evicted " + server + "/" + tool + " " + cause.tagValue());
    }

    @Override
    public void callCoalesced(String server, String tool) {
        lines.add("coalesced " + server + "/" + tool);
    }

    @Override
    public void sharedCacheStateChanged(boolean degraded, String reason) {
        lines.add(degraded ? "shared degraded" : "shared up");
    }

    @Override
    public void callEnded(CallContext call, CallOutcome outcome, ErrorType errorType, long durationNanos) {
        if (call.toolOrNull() != null && !call.toolOrNull().equals("stats")) {
            ended.add(call.toolOrNull() + " " + outcome.tagValue());
        }
    }

    List<String> of(String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).toList();
    }

    void clear() {
        lines.clear();
        ended.clear();
    }
}
