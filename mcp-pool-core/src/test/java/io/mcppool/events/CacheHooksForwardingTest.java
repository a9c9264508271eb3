package io.mcppool.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The cache hooks reach every listener through the composite (past one that throws) and the async wrapper. */
class CacheHooksForwardingTest {

    static final class Recorder implements PoolEvents {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Override
        public void cacheEvicted(String server, String tool, CacheEvictionCause cause) {
            seen.add("evicted " + server + "/" + tool + " " + cause.tagValue());
        }

        @Override
        public void callCoalesced(String server, String tool) {
            seen.add("coalesced " + server + "/" + tool);
        }

        @Override
        public void sharedCacheStateChanged(boolean degraded, String reason) {
            seen.add("shared " + (degraded ? "degraded" : "up") + " (" + reason + ")");
        }
    }

    static final class Throws implements PoolEvents {
        @Override
        public void cacheEvicted(String server, String tool, CacheEvictionCause cause) {
            throw new IllegalStateException("broken listener");
        }

        @Override
        public void callCoalesced(String server, String tool) {
            throw new IllegalStateException("broken listener");
        }

        @Override
        public void sharedCacheStateChanged(boolean degraded, String reason) {
            throw new IllegalStateException("broken listener");
        }
    }

    static void fire(PoolEvents events) {
        events.cacheEvicted("s", "t", CacheEvictionCause.SIZE);
        events.callCoalesced("s", "t");
        events.sharedCacheStateChanged(true, "read failed");
    }

    static final List<String> EXPECTED = List.of("evicted s/t size", "coalesced s/t", "shared degraded (read failed)");

    @Test
    void theCompositeCallsEveryListenerEvenPastOneThatThrows() {
        Recorder recorder = new Recorder();
        fire(new io.mcppool.internal.engine.CompositePoolEvents(List.of(new Throws(), recorder)));
        assertThat(recorder.seen).containsExactlyElementsOf(EXPECTED);
    }

    @Test
    void theAsyncWrapperDeliversThemOnItsThread() {
        Recorder recorder = new Recorder();
        AsyncPoolEvents async = new AsyncPoolEvents(recorder);
        fire(async);
        async.close(); // delivers what is queued
        assertThat(recorder.seen).containsExactlyElementsOf(EXPECTED);
        assertThat(async.dropped()).isZero();
    }
}
