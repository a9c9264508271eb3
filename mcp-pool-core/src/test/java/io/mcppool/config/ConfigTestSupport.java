package io.mcppool.config;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/** Shorthands for the config tests: parse text, or collect the problems it has. */
final class ConfigTestSupport {
    private ConfigTestSupport() {
    }

    static McpPoolConfig yaml(String text) {
        return yaml(text, Map.of());
    }

    static McpPoolConfig yaml(String text, Map<String, String> env) {
        return ConfigLoader.parse(text, ConfigLoader.Format.YAML, "test.yaml", env);
    }

    /** What the loader logs at WARN while {@code action} runs. */
    static List<String> warnings(Runnable action) {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger)
                org.slf4j.LoggerFactory.getLogger(ConfigLoader.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
                new ch.qos.logback.core.read.ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        ch.qos.logback.classic.Level before = logger.getLevel();
        logger.setLevel(ch.qos.logback.classic.Level.WARN);
        try {
            action.run();
            return appender.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
        } finally {
            logger.detachAppender(appender);
            logger.setLevel(before);
        }
    }

    static List<String> problems(String yaml) {
        return problems(yaml, Map.of());
    }

    static List<String> problems(String yaml, Map<String, String> env) {
        return problems(ConfigLoader.Format.YAML, yaml, env);
    }

    static List<String> problems(ConfigLoader.Format format, String text, Map<String, String> env) {
        AtomicReference<List<String>> out = new AtomicReference<>();
        assertThatThrownBy(() -> ConfigLoader.parse(text, format, "test", env))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> out.set(e.problems()));
        return out.get();
    }
}
