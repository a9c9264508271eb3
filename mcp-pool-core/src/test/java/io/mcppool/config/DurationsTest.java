package io.mcppool.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({
            "250ms, PT0.25S",
            "5s, PT5S",
            "10m, PT10M",
            "1h, PT1H",
            "1d, PT24H",
            "1.5s, PT1.5S",
            "0.5ms, PT0.0005S",
            "1h30m, PT1H30M",
            "2m30s500ms, PT2M30.5S",
            "' 5s ', PT5S",
            "0, PT0S",
            "0s, PT0S",
            "0ms, PT0S",
            "0.0, PT0S",
            "365d, PT8760H",
    })
    void parses(String text, String expected) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.parse(expected));
    }

    @Test
    void aBareNumberAsksForAUnitUsingTheNumberGiven() {
        assertThatThrownBy(() -> Durations.parse("30"))
                .isInstanceOfSatisfying(BadValue.class, e -> {
                    assertThat(e.whatIsWrong()).isEqualTo("a bare number is not a duration");
                    assertThat(e.allowed()).isEqualTo("add a unit, e.g. 30s");
                });
        assertThatThrownBy(() -> Durations.parse("1.50"))
                .isInstanceOfSatisfying(BadValue.class, e -> assertThat(e.allowed()).isEqualTo("add a unit, e.g. 1.5s"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-5s", "-1", "-1h30m"})
    void negativeIsRefused(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(BadValue.class).hasMessage("must not be negative");
    }

    @ParameterizedTest
    @ValueSource(strings = {"fast", "", "5", "5 s", "5S", "5sec", "s", "1.s", ".5s", "5s5", "PT5S", "-fast", "1w"})
    void nonsenseIsRefused(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(BadValue.class);
    }

    @Test
    void nonsenseSaysWhatADurationLooksLike() {
        assertThatThrownBy(() -> Durations.parse("fast")).hasMessage("must be a duration like 250ms, 5s, 10m, 1h");
    }

    @Test
    void moreThanAYearIsRefused() {
        assertThatThrownBy(() -> Durations.parse("366d")).hasMessage("must be at most 365d");
        assertThatThrownBy(() -> Durations.parse("99999999999999999999999d")).hasMessage("must be at most 365d");
    }
}
