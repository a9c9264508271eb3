package io.mcppool.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
    @Test
    void parsesSecondsAndRejectsGarbage() {
        assertThat(StreamableHttpTransport.parseRetryAfter("1")).isEqualTo(Duration.ofSeconds(1));
        assertThat(StreamableHttpTransport.parseRetryAfter(" 120 ")).isEqualTo(Duration.ofSeconds(120));
        assertThat(StreamableHttpTransport.parseRetryAfter("soon")).isNull();
        assertThat(StreamableHttpTransport.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isEqualTo(Duration.ZERO);
    }
}
