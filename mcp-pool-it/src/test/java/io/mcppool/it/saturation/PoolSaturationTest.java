package io.mcppool.it.saturation;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 11 through the library: stdio servers driven to saturation, well-behaved and hostile, each in a pool
 * beside a healthy server. Every scenario holds the rules of {@link Saturation}: calls answer or fail typed by
 * their deadline, the other server keeps its deadlines, close() returns on time, nothing is left behind, and a
 * flood does not become a flood of log lines. A hang is a failure: each bounded wait says what did not end, and
 * {@code @Timeout} (on a thread of its own, so a test blocked in I/O cannot hold the build) is the last resort.
 */
@Tag("saturation")
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PoolSaturationTest {
    private static final int KB = 1024;
    private static final int MB = 1024 * 1024;
    /** For servers that should answer everything: room for 128 MB through one pipe on a busy machine. */
    private static final Duration ANSWERING = Duration.ofSeconds(15);
    /** For servers that are meant to wedge: every call ends by this deadline. */
    private static final Duration WEDGED = Duration.ofSeconds(8);

    private final String label = "saturation-" + ProcessHandle.current().pid() + "-" + System.nanoTime();

    @BeforeAll
    static void warmUp() {
        Saturation.warmUpJvm();
    }

    @AfterEach
    void killLeftovers() {
        Saturation.killLeftovers(label);
    }

    static Stream<Arguments> payloads() {
        return Stream.of(
                Arguments.of(KB, 256, 1), Arguments.of(KB, 256, 4),
                Arguments.of(64 * KB, 128, 1), Arguments.of(64 * KB, 128, 4),
                Arguments.of(2 * MB, 64, 1), Arguments.of(2 * MB, 64, 4));
    }

    /** Finding 1: 64 callers, 8-64 kB echoes, one stdio session, and the pool stopped for good. */
    @ParameterizedTest(name = "echo of {0} B x {1} callers, maxSessions {2}")
    @MethodSource("payloads")
    void testkitServerAnswersEveryEcho(int bytes, int callers, int maxSessions) {
        Saturation.scenario("testkit stdio server: echo of " + bytes + " B x " + callers + " callers, maxSessions "
                        + maxSessions)
                .maxSessions(maxSessions).deadline(ANSWERING)
                .storm(Storm.asks(callers, i -> Saturation.echo(i, bytes)))
                .mustStillServe()
                .run().assertClean();
    }

    static Stream<Arguments> sequentialLoads() {
        return Stream.of(
                Arguments.of("1k-echo", 256, 4),
                Arguments.of("4k-in-64k-out", 128, 1),
                Arguments.of("4k-in-64k-out", 128, 4),
                Arguments.of("2m-echo", 64, 1));
    }

    /**
     * Finding 1 with the shape of many simple servers: one thread reads a request, writes its answer, reads the
     * next. It reads nothing while it writes, so a client that writes from the thread that should be reading
     * its answers deadlocks with it. "4k-in-64k-out": half the callers echo 4 kB, half ask for 64 kB answers.
     */
    @ParameterizedTest(name = "{0} x {1} callers, maxSessions {2}")
    @MethodSource("sequentialLoads")
    void sequentialServerAnswersEveryCall(String load, int callers, int maxSessions) {
        Saturation.scenario("--sequential server: " + load + " x " + callers + " callers, maxSessions " + maxSessions)
                .fixture("--sequential")
                .maxSessions(maxSessions).deadline(ANSWERING)
                .storm(pool -> switch (load) {
                    case "1k-echo" -> Storm.asks(callers, i -> Saturation.echo(i, KB));
                    case "2m-echo" -> Storm.asks(callers, i -> Saturation.echo(i, 2 * MB));
                    default -> {
                        // the reference answer, from the server itself before the storm
                        String huge = pool.callTool(Saturation.HOSTILE, "huge", Map.of("bytes", 64 * KB)).text();
                        yield Storm.asks(callers, i -> i % 4 < 2 ? Saturation.echo(i, 4 * KB)
                                : new Storm.Ask("huge", Map.of("bytes", 64 * KB), huge));
                    }
                })
                .mustStillServe()
                .run().assertClean();
    }

    static Stream<Arguments> stopReadingLoads() {
        return Stream.of(Arguments.of(300 * KB, 64, 1), Arguments.of(KB, 256, 4));
    }

    /**
     * Finding 1 with an upstream that stops reading stdin (after the handshake, the catalog's listing and a few
     * calls): the rest of its calls cannot succeed, but each must fail by its deadline, the other server must not
     * notice, and close() must not wait on a pipe nobody drains.
     */
    @ParameterizedTest(name = "echo of {0} B x {1} callers, maxSessions {2}")
    @MethodSource("stopReadingLoads")
    void serverThatStopsReadingFailsEachCallByItsDeadline(int bytes, int callers, int maxSessions) {
        String after = Integer.toString(Saturation.STOP_READING_AFTER);
        Saturation.scenario("--stop-reading-after " + after + ": echo of " + bytes + " B x " + callers + " callers, maxSessions "
                        + maxSessions)
                .fixture("--stop-reading-after", after)
                .maxSessions(maxSessions).deadline(WEDGED)
                .storm(Storm.asks(callers, i -> Saturation.echo(i, bytes)))
                .run().assertClean();
    }

    /**
     * A server that writes notifications/message (level warning, 1 kB each) as fast as it can for as long as it
     * runs: calls still answer or fail on time, and the pool's log of the flood stays bounded (finding 3's kin).
     */
    @ParameterizedTest(name = "maxSessions {0}")
    @ValueSource(ints = {1, 4})
    void notificationFloodNeitherStallsCallsNorFloodsTheLog(int maxSessions) {
        Saturation.scenario("--flood-notifications (endless, 1 kB): echo of 16 kB x 64 callers, maxSessions "
                        + maxSessions)
                .fixture("--flood-notifications", Integer.toString(Integer.MAX_VALUE), "--flood-bytes", Integer.toString(KB))
                .maxSessions(maxSessions).deadline(ANSWERING)
                .storm(Storm.asks(64, i -> Saturation.echo(i, 16 * KB)))
                .boundedLog()
                .run().assertClean();
    }

    /** Finding 3: every non-JSON stdout line became a WARN line. 500,000 of them (27 MB) must not. */
    @Test
    void garbageOnStdoutIsLoggedWithinABound() {
        Saturation.scenario("garbage tool, 500,000 lines, beside echo of 16 kB x 64 callers, maxSessions 1")
                .deadline(ANSWERING)
                .storm(Storm.asks(65, i -> i == 0 ? new Storm.Ask("garbage", Map.of("lines", 500_000), "ok")
                        : Saturation.echo(i, 16 * KB)))
                .boundedLog()
                .run().assertClean();
    }

    /**
     * Finding 4: a server that leaves a child holding its stdout and exits. Each of its sessions dies at the first
     * call (and the pool starts another, which forks again); after close() no orphan, thread or fd may be left.
     */
    @ParameterizedTest(name = "maxSessions {0}")
    @ValueSource(ints = {1, 4})
    void forkingServerLeavesNoOrphanThreadOrFd(int maxSessions) {
        Saturation.scenario("--fork-on-start: echo of 1 kB x 64 callers, maxSessions " + maxSessions)
                .fixture("--fork-on-start", "--label", label)
                .maxSessions(maxSessions).deadline(WEDGED)
                .storm(Storm.asks(64, i -> Saturation.echo(i, KB)))
                .orphans(label)
                .run().assertClean();
    }
}
