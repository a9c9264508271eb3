package io.mcppool.internal.session;

/** What a session tells its owner (the pool) about itself. Called from transport threads; must not block. */
public interface SessionListener {
    /** The server sent {@code notifications/tools/list_changed}. */
    default void onToolsListChanged(McpSession session) {
    }

    /** The server sent {@code notifications/resources/list_changed} (its resources or resource templates). */
    default void onResourcesListChanged(McpSession session) {
    }

    /** The server sent {@code notifications/prompts/list_changed}. */
    default void onPromptsListChanged(McpSession session) {
    }

    /** The session can no longer be used; {@code cause} is null for a close we asked for. Called once. */
    default void onClosed(McpSession session, Throwable cause) {
    }

    SessionListener NONE = new SessionListener() {
    };
}
