package io.mcppool.internal.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.mcppool.config.CacheSettings;
import io.mcppool.events.CacheEvictionCause;
import io.mcppool.protocol.CallToolResult;
import io.mcppool.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One region's limits, on a clock the test moves. */
class RegionTest {
    final ManualClock clock = new ManualClock();
    final List<String> evicted = new ArrayList<>();
    final Region.Evictions sink = (key, cause) -> evicted.add(key.arguments() + ":" + cause.tagValue());

    static CacheKey key(String args) {
        return new CacheKey("s", "t", CacheKeys.POOL, args);
    }

    boolean put(Region r, String args, long weight) {
        long now = clock.nanoTime();
        return r.put(key(args), CallToolResult.text(args), weight, now + r.ttlNanos(), now, sink);
    }

    CallToolResult get(Region r, String args) {
        return r.get(key(args), clock.nanoTime(), sink);
    }

    @Test
    void anEntryLivesForItsTtlAndIsDroppedOnTheFirstReadAfter() {
        Region r = new Region(CacheSettings.ttl(Duration.ofSeconds(10)));
        put(r, "a", 10);
        clock.advance(Duration.ofMillis(9_999));
        assertThat(get(r, "a")).isNotNull().extracting(CallToolResult::text).isEqualTo("a");
        clock.advance(Duration.ofMillis(1));
        assertThat(get(r, "a")).isNull();
        assertThat(evicted).containsExactly("a:expired");
        assertThat(r.size()).isZero();
        assertThat(r.bytes()).isZero();
    }

    @Test
    void sweepDropsEveryExpiredEntryAndKeepsTheRest() {
        Region r = new Region(CacheSettings.ttl(Duration.ofSeconds(10)));
        put(r, "old1", 1);
        put(r, "old2", 1);
        clock.advance(Duration.ofSeconds(5));
        put(r, "new", 1);
        clock.advance(Duration.ofSeconds(5));
        r.sweep(clock.nanoTime(), sink);
        assertThat(evicted).containsExactlyInAnyOrder("old1:expired", "old2:expired");
        assertThat(r.size()).isEqualTo(1);
        assertThat(get(r, "new")).isNotNull();
    }

    @Test
    void overMaxEntriesTheLeastRecentlyUsedGoes() {
        Region r = new Region(CacheSettings.ttl(Duration.ofMinutes(1)).withLimits(3, 1_000_000));
        put(r, "a", 1);
        put(r, "b", 1);
        put(r, "c", 1);
        assertThat(get(r, "a")).isNotNull(); // a is now the most recently used: b is the eldest
        put(r, "d", 1);
        assertThat(evicted).containsExactly("b:size");
        assertThat(get(r, "b")).isNull();
        assertThat(get(r, "a")).isNotNull();
        assertThat(get(r, "c")).isNotNull();
        assertThat(get(r, "d")).isNotNull();
        assertThat(r.size()).isEqualTo(3);
    }

    @Test
    void overMaxBytesAsManyEldestGoAsNeeded() {
        Region r = new Region(CacheSettings.ttl(Duration.ofMinutes(1)).withLimits(100, 100));
        put(r, "a", 40);
        put(r, "b", 40);
        put(r, "c", 20);
        assertThat(r.bytes()).isEqualTo(100);
        put(r, "d", 90); // needs a, b and c gone
        assertThat(evicted).containsExactly("a:size", "b:size", "c:size");
        assertThat(r.bytes()).isEqualTo(90);
        assertThat(r.size()).isEqualTo(1);
    }

    @Test
    void aResultHeavierThanTheRegionIsNotStoredAndEvictsNothing() {
        Region r = new Region(CacheSettings.ttl(Duration.ofMinutes(1)).withLimits(100, 100));
        put(r, "a", 50);
        assertThat(put(r, "huge", 101)).isFalse();
        assertThat(get(r, "huge")).isNull();
        assertThat(get(r, "a")).isNotNull();
        assertThat(evicted).isEmpty();
    }

    @Test
    void anEldestThatHadExpiredIsReportedAsExpiredNotAsSize() {
        Region r = new Region(CacheSettings.ttl(Duration.ofSeconds(10)).withLimits(1, 1000));
        put(r, "a", 1);
        clock.advance(Duration.ofSeconds(11));
        put(r, "b", 1);
        assertThat(evicted).containsExactly("a:expired");
    }

    @Test
    void replacingAKeyKeepsTheAccountsRightAndIsNoEviction() {
        Region r = new Region(CacheSettings.ttl(Duration.ofMinutes(1)));
        put(r, "a", 10);
        put(r, "a", 30);
        assertThat(r.size()).isEqualTo(1);
        assertThat(r.bytes()).isEqualTo(30);
        assertThat(evicted).isEmpty();
    }

    @Test
    void invalidationDropsOnlyTheMatchingKeys() {
        Region r = new Region(CacheSettings.ttl(Duration.ofMinutes(1)));
        long now = clock.nanoTime();
        r.put(new CacheKey("s", "t1", CacheKeys.POOL, "x"), CallToolResult.text("1"), 5, now + r.ttlNanos(), now, sink);
        r.put(new CacheKey("s", "t2", CacheKeys.POOL, "y"), CallToolResult.text("2"), 7, now + r.ttlNanos(), now, sink);
        r.invalidate(k -> k.tool().equals("t1"), sink);
        assertThat(evicted).containsExactly("x:" + CacheEvictionCause.INVALIDATED.tagValue());
        assertThat(r.size()).isEqualTo(1);
        assertThat(r.bytes()).isEqualTo(7);
    }
}
