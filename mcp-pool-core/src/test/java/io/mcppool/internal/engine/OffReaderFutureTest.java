package io.mcppool.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What an async caller chains on its future runs on the pool's executor, never where the answer arrived. */
class OffReaderFutureTest {
    private final ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "pool-thread"));
    private final ExecutorService reader = Executors.newSingleThreadExecutor(r -> new Thread(r, "reader-thread"));

    @AfterEach
    void stop() {
        pool.shutdownNow();
        reader.shutdownNow();
    }

    /** Every way to chain on a stage, each recording the thread it ran on. */
    private static List<Function<CompletableFuture<String>, CompletableFuture<?>>> chains(List<String> threads) {
        Runnable record = () -> threads.add(Thread.currentThread().getName());
        CompletableFuture<String> other = CompletableFuture.completedFuture("other");
        return List.of(
                f -> f.thenApply(v -> { record.run(); return v; }),
                f -> f.thenAccept(v -> record.run()),
                f -> f.thenRun(record),
                f -> f.thenCombine(other, (a, b) -> { record.run(); return a; }),
                f -> f.thenAcceptBoth(other, (a, b) -> record.run()),
                f -> f.runAfterBoth(other, record),
                f -> f.applyToEither(new CompletableFuture<>(), v -> { record.run(); return v; }),
                f -> f.acceptEither(new CompletableFuture<>(), v -> record.run()),
                f -> f.runAfterEither(new CompletableFuture<>(), record),
                f -> f.thenCompose(v -> { record.run(); return CompletableFuture.completedFuture(v); }),
                f -> f.handle((v, e) -> { record.run(); return v; }),
                f -> f.whenComplete((v, e) -> record.run()));
    }

    @Test
    void whatIsChainedBeforeTheAnswerRunsOnThePoolNotOnTheReader() throws Exception {
        List<String> threads = new CopyOnWriteArrayList<>();
        OffReaderFuture<String> f = new OffReaderFuture<>(pool);
        List<CompletableFuture<?>> stages = chains(threads).stream().<CompletableFuture<?>>map(c -> c.apply(f)).toList();
        reader.submit(() -> f.complete("answer")).get(10, TimeUnit.SECONDS);
        CompletableFuture.allOf(stages.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        assertThat(threads).hasSize(12).containsOnly("pool-thread");
    }

    @Test
    void whatIsChainedAfterTheAnswerRunsOnThePoolToo() throws Exception {
        List<String> threads = new CopyOnWriteArrayList<>();
        OffReaderFuture<String> f = new OffReaderFuture<>(pool);
        reader.submit(() -> f.complete("answer")).get(10, TimeUnit.SECONDS);
        List<CompletableFuture<?>> stages = chains(threads).stream().<CompletableFuture<?>>map(c -> c.apply(f)).toList();
        CompletableFuture.allOf(stages.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        assertThat(threads).hasSize(12).containsOnly("pool-thread");
    }

    @Test
    void aFailureIsHandledOnThePool() throws Exception {
        List<String> threads = new CopyOnWriteArrayList<>();
        OffReaderFuture<String> f = new OffReaderFuture<>(pool);
        CompletableFuture<String> recovered = f.exceptionally(e -> {
            threads.add(Thread.currentThread().getName());
            return "recovered";
        });
        CompletableFuture<String> composed = f.exceptionallyCompose(e -> {
            threads.add(Thread.currentThread().getName());
            return CompletableFuture.completedFuture("composed");
        });
        reader.submit(() -> f.completeExceptionally(new IllegalStateException("down"))).get(10, TimeUnit.SECONDS);
        assertThat(recovered.get(10, TimeUnit.SECONDS)).isEqualTo("recovered");
        assertThat(composed.get(10, TimeUnit.SECONDS)).isEqualTo("composed");
        assertThat(threads).containsOnly("pool-thread").hasSize(2);
    }

    @Test
    void aCallerThatOnlyWaitsGetsTheAnswerWithoutAHandOff() throws Exception {
        OffReaderFuture<String> f = new OffReaderFuture<>(command -> {
            throw new AssertionError("nothing was chained, so nothing should run on the executor");
        });
        reader.submit(() -> f.complete("answer"));
        assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo("answer");
        assertThat(f.join()).isEqualTo("answer");
    }
}
