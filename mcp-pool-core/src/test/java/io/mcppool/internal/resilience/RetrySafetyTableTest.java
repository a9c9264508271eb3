package io.mcppool.internal.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.mcppool.call.ErrorType;
import io.mcppool.config.ToolConfig;
import io.mcppool.protocol.ToolAnnotations;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The retry safety rule as a table: every combination of the server's annotations, the server's trust,
 * the operator's tool config and the error class, against an independently written expectation.
 */
class RetrySafetyTableTest {

    // ---------------------------------------------------------------- the expectation, written from the spec

    /** Never reached a server: always retryable. */
    private static final Set<ErrorType> NOT_SENT = EnumSet.of(ErrorType.CONNECT_FAILURE, ErrorType.POOL_EXHAUSTED,
            ErrorType.THROTTLED, ErrorType.SESSION_EXPIRED);
    /** May have run: retryable only when the tool is safe to repeat. */
    private static final Set<ErrorType> MAY_HAVE_RUN = EnumSet.of(ErrorType.TRANSPORT_FAILURE);
    /** Final: never retried (401/403 included). */
    private static final Set<ErrorType> FINAL = EnumSet.of(ErrorType.TIMEOUT, ErrorType.PROTOCOL_ERROR,
            ErrorType.TOOL_ERROR, ErrorType.INVALID_REQUEST, ErrorType.AUTH_FAILURE, ErrorType.UNAVAILABLE,
            ErrorType.CANCELLED, ErrorType.POOL_CLOSED);
    /** Failures that say the endpoint is unwell (tool errors, caller mistakes, local load and expiry do not). */
    private static final Set<ErrorType> AGAINST_ENDPOINT = EnumSet.of(ErrorType.CONNECT_FAILURE,
            ErrorType.TRANSPORT_FAILURE, ErrorType.TIMEOUT, ErrorType.THROTTLED, ErrorType.PROTOCOL_ERROR);

    private static boolean expectedSafe(Annotations a, boolean trusted, Config c) {
        if (Boolean.TRUE.equals(c.idempotent) || Boolean.TRUE.equals(c.readOnly)) {
            return true;
        }
        if (Boolean.FALSE.equals(c.idempotent)) {
            return false;
        }
        if (!trusted || a.value == null) {
            return false;
        }
        boolean idempotentHint = Boolean.TRUE.equals(a.value.idempotentHint());
        boolean readOnlyHint = Boolean.TRUE.equals(a.value.readOnlyHint());
        return idempotentHint || (readOnlyHint && c.readOnly == null);
    }

    private static boolean expectedMayRetry(ErrorType type, boolean safe) {
        if (NOT_SENT.contains(type)) {
            return true;
        }
        if (MAY_HAVE_RUN.contains(type)) {
            return safe;
        }
        if (FINAL.contains(type)) {
            return false;
        }
        throw new AssertionError(type + " is in no class of the expectation: classify it in this test");
    }

    // ---------------------------------------------------------------- the table's dimensions, with names

    record Annotations(String name, ToolAnnotations value) {
        @Override
        public String toString() {
            return name;
        }
    }

    record Config(String name, Boolean idempotent, Boolean readOnly) {
        ToolConfig value() {
            return new ToolConfig(Optional.ofNullable(idempotent), Optional.ofNullable(readOnly), Optional.empty());
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final List<Annotations> ANNOTATIONS = List.of(
            new Annotations("annotations:none", null),
            new Annotations("annotations:empty", new ToolAnnotations(null, null, null, null, null)),
            new Annotations("readOnlyHint", new ToolAnnotations("t", true, null, null, null)),
            new Annotations("idempotentHint", new ToolAnnotations("t", null, null, true, null)),
            new Annotations("readOnlyHint+idempotentHint", new ToolAnnotations("t", true, false, true, false)),
            new Annotations("destructiveHint-only", new ToolAnnotations("t", null, true, null, null)),
            new Annotations("destructive+idempotentHint", new ToolAnnotations("t", false, true, true, true)),
            new Annotations("hints-all-false", new ToolAnnotations("t", false, false, false, false)));

    private static final List<Config> CONFIGS;

    static {
        List<Config> configs = new ArrayList<>();
        Boolean[] values = {null, true, false};
        for (Boolean idempotent : values) {
            for (Boolean readOnly : values) {
                configs.add(new Config("config{idempotent:" + said(idempotent) + ", readOnly:" + said(readOnly) + "}",
                        idempotent, readOnly));
            }
        }
        CONFIGS = List.copyOf(configs);
    }

    private static String said(Boolean b) {
        return b == null ? "unsaid" : b.toString();
    }

    static Stream<Arguments> table() {
        List<Arguments> rows = new ArrayList<>();
        for (Annotations a : ANNOTATIONS) {
            for (boolean trusted : new boolean[] {true, false}) {
                for (Config c : CONFIGS) {
                    for (ErrorType type : ErrorType.values()) {
                        rows.add(Arguments.of(a, trusted ? "trusted" : "untrusted", c, type));
                    }
                }
            }
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "{0}, {1}, {2}, {3}")
    @MethodSource("table")
    void mayRetryFollowsTheSafetyRule(Annotations a, String trust, Config c, ErrorType type) {
        boolean trusted = trust.equals("trusted");
        boolean safe = Retries.safeToRepeat(a.value, trusted, c.value());
        boolean expectedSafe = expectedSafe(a, trusted, c);
        assertThat(safe).as("safeToRepeat(%s, %s, %s)", a, trust, c).isEqualTo(expectedSafe);
        assertThat(Retries.mayRetry(type, safe))
                .as("mayRetry(%s, safe=%s) for %s, %s, %s", type, safe, a, trust, c)
                .isEqualTo(expectedMayRetry(type, expectedSafe));
    }

    // ---------------------------------------------------------------- a few rows spelled out

    @Test
    void spelledOutRows() {
        ToolConfig unsaid = ToolConfig.DEFAULTS;
        ToolAnnotations readOnly = new ToolAnnotations(null, true, null, null, null);
        ToolAnnotations idempotent = new ToolAnnotations(null, null, null, true, null);
        // An untrusted server's hints count for nothing.
        assertThat(Retries.safeToRepeat(idempotent, false, unsaid)).isFalse();
        assertThat(Retries.safeToRepeat(idempotent, true, unsaid)).isTrue();
        // The operator's readOnly:false overrides a readOnly hint, but not an idempotent one.
        ToolConfig writes = new ToolConfig(Optional.empty(), Optional.of(false), Optional.empty());
        assertThat(Retries.safeToRepeat(readOnly, true, writes)).isFalse();
        assertThat(Retries.safeToRepeat(idempotent, true, writes)).isTrue();
        // idempotent:false beats any hint; readOnly:true beats idempotent:false.
        assertThat(Retries.safeToRepeat(idempotent, true, new ToolConfig(false, false))).isFalse();
        assertThat(Retries.safeToRepeat(null, false, new ToolConfig(false, true))).isTrue();
        // The operator's word needs no trust and no annotations.
        assertThat(Retries.safeToRepeat(null, false, new ToolConfig(Optional.of(true), Optional.empty(), Optional.empty())))
                .isTrue();
        // A broken channel is retried only for a safe tool; a timeout and a 401/403 never.
        assertThat(Retries.mayRetry(ErrorType.TRANSPORT_FAILURE, true)).isTrue();
        assertThat(Retries.mayRetry(ErrorType.TRANSPORT_FAILURE, false)).isFalse();
        assertThat(Retries.mayRetry(ErrorType.TIMEOUT, true)).isFalse();
        assertThat(Retries.mayRetry(ErrorType.AUTH_FAILURE, true)).isFalse();
        assertThat(Retries.mayRetry(ErrorType.CONNECT_FAILURE, false)).isTrue();
    }

    // ---------------------------------------------------------------- kinds and the endpoint's health

    @Test
    void theExpectationClassifiesEveryErrorTypeExactlyOnce() {
        for (ErrorType type : ErrorType.values()) {
            int classes = (NOT_SENT.contains(type) ? 1 : 0) + (MAY_HAVE_RUN.contains(type) ? 1 : 0)
                    + (FINAL.contains(type) ? 1 : 0);
            assertThat(classes).as("%s", type).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(ErrorType.class)
    void kindOfEachErrorType(ErrorType type) {
        Retries.Kind expected = NOT_SENT.contains(type) ? Retries.Kind.NOT_SENT
                : MAY_HAVE_RUN.contains(type) ? Retries.Kind.MAY_HAVE_RUN : Retries.Kind.FINAL;
        assertThat(Retries.kind(type)).as("%s", type).isEqualTo(expected);
    }

    @ParameterizedTest
    @EnumSource(ErrorType.class)
    void countsAgainstEndpointForEachErrorType(ErrorType type) {
        assertThat(Retries.countsAgainstEndpoint(type)).as("%s", type).isEqualTo(AGAINST_ENDPOINT.contains(type));
    }

    @Test
    void aToolErrorIsNotAnEndpointFailure() {
        assertThat(Retries.countsAgainstEndpoint(ErrorType.TOOL_ERROR)).isFalse();
        assertThat(Retries.countsAgainstEndpoint(ErrorType.INVALID_REQUEST)).isFalse();
        assertThat(Retries.countsAgainstEndpoint(ErrorType.CANCELLED)).isFalse();
        assertThat(Retries.countsAgainstEndpoint(ErrorType.TRANSPORT_FAILURE)).isTrue();
    }
}
