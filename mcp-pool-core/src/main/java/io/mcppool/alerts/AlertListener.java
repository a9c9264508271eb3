package io.mcppool.alerts;

import java.util.function.Consumer;

/**
 * Told when an alert starts firing and when it clears: once per crossing each, never on every evaluation.
 * Called on the thread that evaluates (see {@link Alerts}), one call at a time; keep it short or hand off.
 * What it throws is logged and does not change the alert's state.
 */
public interface AlertListener {

    /** The condition became true: the alert fires. */
    void onFire(Alert alert);

    /** The condition that fired {@code alert} no longer holds ({@link Alert#clearedAt()} is set). */
    default void onClear(Alert alert) {
    }

    static AlertListener of(Consumer<Alert> onFire, Consumer<Alert> onClear) {
        return new AlertListener() {
            @Override
            public void onFire(Alert alert) {
                onFire.accept(alert);
            }

            @Override
            public void onClear(Alert alert) {
                onClear.accept(alert);
            }
        };
    }
}
