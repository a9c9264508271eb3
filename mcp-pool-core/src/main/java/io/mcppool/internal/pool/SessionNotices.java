package io.mcppool.internal.pool;

import io.mcppool.internal.session.McpSession;

/**
 * What an endpoint's pool passes up to its server: a session that joined the pool (its handshake says what the
 * server declares), a list the server said changed, and a session that could not be opened. The catalog and the
 * endpoint's breaker are fed from here, not through the listeners' events. Called on transport reader and background
 * threads: an implementation must not block.
 */
public interface SessionNotices {

    /** {@code session} finished its handshake and joined the pool; it can take requests now. */
    void joined(McpSession session);

    /**
     * The server sent {@code notification} ({@code notifications/tools/list_changed},
     * {@code notifications/resources/list_changed} or {@code notifications/prompts/list_changed}).
     */
    void listChanged(McpSession session, String notification);

    /** A session could not be opened (its process would not start, the handshake failed or took too long). */
    void openFailed(Throwable cause);

    /** Ignores everything. */
    SessionNotices NONE = new SessionNotices() {
        @Override
        public void joined(McpSession session) {
        }

        @Override
        public void listChanged(McpSession session, String notification) {
        }

        @Override
        public void openFailed(Throwable cause) {
        }
    };
}
