package io.mcppool.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SizesTest {

    @ParameterizedTest
    @CsvSource({
            "1048576, 1048576",
            "0, 0",
            "100B, 100",
            "512KB, 524288",
            "512kb, 524288",
            "1KiB, 1024",
            "1K, 1024",
            "16MB, 16777216",
            "1MiB, 1048576",
            "1.5MB, 1572864",
            "'16 MB', 16777216",
            "1GB, 1073741824",
            "2GB, 2147483648",
            "2GiB, 2147483648",
    })
    void parses(String text, long bytes) {
        assertThat(Sizes.parse(text)).isEqualTo(BigInteger.valueOf(bytes));
    }

    @ParameterizedTest
    @ValueSource(strings = {"big", "", "1TB", "MB", "1.MB", "16 M B", "0x10"})
    void nonsenseIsRefused(String text) {
        assertThatThrownBy(() -> Sizes.parse(text)).isInstanceOf(BadValue.class)
                .hasMessage("must be a size like 1048576, 512KB, 16MB, 1MiB");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "-5MB"})
    void negativeIsRefused(String text) {
        assertThatThrownBy(() -> Sizes.parse(text)).hasMessage("must not be negative");
    }
}
