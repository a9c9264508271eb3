package io.mcppool.alerts;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.time.Instant;

/**
 * One alert, firing or cleared. {@link AlertListener#onFire} gets it with {@code clearedAt} null and the value
 * that crossed the threshold; {@link AlertListener#onClear} gets the same alert (same {@code firedAt}) with
 * {@code clearedAt} set and the value at clearing. JSON-serialisable.
 *
 * @param name      the rule's name
 * @param server    the server the alert is about
 * @param endpoint  the endpoint; null for per-server rules ({@link AlertKind#ERROR_RATE})
 * @param value     utilization and error rate: a fraction (0.85 = 85%); crash loop: exits within the period;
 *                  breaker open and endpoint unhealthy: 1 while the condition holds, 0 when it no longer does
 * @param threshold what {@code value} is compared with (1 for the yes/no kinds)
 * @param message   one sentence for a human: what, where, how much
 */
public record Alert(String name, AlertKind kind, String server, String endpoint, double value, double threshold,
                    @JsonSerialize(using = ToStringSerializer.class) Instant firedAt,
                    @JsonSerialize(using = ToStringSerializer.class) Instant clearedAt, String message) {

    /** True while the alert fires (not yet cleared). */
    public boolean active() {
        return clearedAt == null;
    }

    Alert cleared(double valueNow, Instant at, String why) {
        return new Alert(name, kind, server, endpoint, valueNow, threshold, firedAt, at, why);
    }
}
