package io.mcppool.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mcppool.config.InvalidConfigException;
import io.mcppool.config.ConfigLoader;
import io.mcppool.config.ConfigLoader.Format;
import io.mcppool.config.McpPoolConfig;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ConfigLoader} on any text in any of its formats, with any environment: a config is either loaded or
 * refused with an {@link InvalidConfigException} that lists at least one problem; never another exception, a
 * hang (the per-input timeout) or an allocation out of proportion to the text.
 *
 * <p>An input is the text of a config file, after optional header lines that set up the load (so the committed
 * inputs stay readable and a person can write new ones):
 * <pre>
 * #format toml                      yaml, toml or json; without it the format is detected as for a file
 * #env MCP_POOL__DEFAULTS__CALL_TIMEOUT=5s   one environment variable (overrides and ${VAR} values)
 * [servers.github]                  the file from here on
 * </pre>
 * Without {@code JAZZER_FUZZ} this runs over {@code ConfigLoaderFuzzTestInputs} in the ordinary build;
 * {@code scripts/fuzz.sh config DURATION} fuzzes it (docs/fuzzing.md).
 */
class ConfigLoaderFuzzTest {
    /**
     * What a load may allocate: a constant for the mappers' and binder's own work, plus this many times the text.
     * SnakeYAML's events, Jackson's tree and the binder's copies cost a few hundred bytes per input byte; a loader
     * that expands its input (aliases, repeated substitution) goes far past this.
     */
    static final long BYTES_PER_INPUT_BYTE = 4_000;
    static final long FIXED_BYTES = 64L << 20;

    private static final String FORMAT = "#format ";
    private static final String ENV = "#env ";

    @FuzzTest
    @Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void loadConfigText(byte[] input) {
        Load load = Load.of(new String(input, StandardCharsets.UTF_8));
        Allocation.Measured<McpPoolConfig> loaded = Allocation.measureWarm(load::run,
                FIXED_BYTES + BYTES_PER_INPUT_BYTE * input.length);
        assertThat(loaded.bytes()).as("bytes allocated to load %d bytes", input.length)
                .isLessThanOrEqualTo(FIXED_BYTES + BYTES_PER_INPUT_BYTE * input.length);
        if (loaded.failure() != null) {
            assertThat(loaded.failure()).as("how a config is refused").isInstanceOf(InvalidConfigException.class);
            assertThat(((InvalidConfigException) loaded.failure()).problems()).as("the problems listed")
                    .isNotEmpty().allSatisfy(p -> assertThat(p).isNotBlank());
            return;
        }
        assertThat(loaded.value()).isNotNull();
        assertThat(loaded.value().source()).isEqualTo(load.source());
    }

    /** The header lines read, and the rest: what {@link ConfigLoader#parse} is given. */
    record Load(String text, Format format, Map<String, String> env) {
        static Load of(String input) {
            Format format = null;
            Map<String, String> env = new LinkedHashMap<>();
            int at = 0;
            while (at < input.length() && input.startsWith("#", at)) {
                int end = input.indexOf('\n', at);
                String line = input.substring(at, end < 0 ? input.length() : end);
                if (line.startsWith(FORMAT)) {
                    format = format(line.substring(FORMAT.length()).strip());
                } else if (line.startsWith(ENV)) {
                    String entry = line.substring(ENV.length());
                    int eq = entry.indexOf('=');
                    if (eq > 0) {
                        env.put(entry.substring(0, eq), entry.substring(eq + 1));
                    }
                } else {
                    break; // an ordinary comment: the file starts here
                }
                at = end < 0 ? input.length() : end + 1;
            }
            String text = input.substring(at);
            return new Load(text, format != null ? format : Format.detect(null, text), env);
        }

        private static Format format(String name) {
            try {
                return Format.valueOf(name.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }

        String source() {
            return "fuzz." + format.name().toLowerCase(Locale.ROOT);
        }

        McpPoolConfig run() {
            return ConfigLoader.parse(text, format, source(), env);
        }
    }
}
