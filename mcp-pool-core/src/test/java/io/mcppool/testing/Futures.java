package io.mcppool.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.mcppool.internal.Failures;
import java.util.concurrent.CompletableFuture;

/** Outcomes of the engine's futures, for assertions. */
public final class Futures {
    private Futures() {
    }

    /** What {@code f} failed with, unwrapped; fails the test unless {@code f} has failed already. */
    public static Throwable failure(CompletableFuture<?> f) {
        assertThat(f).isCompletedExceptionally();
        return f.handle((v, e) -> Failures.unwrap(e)).join();
    }
}
