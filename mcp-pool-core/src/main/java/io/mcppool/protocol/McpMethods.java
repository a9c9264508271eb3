package io.mcppool.protocol;

/** Method names of the MCP revisions this library speaks. */
public final class McpMethods {
    /** The client opens a session: versions and capabilities are agreed. */
    public static final String INITIALIZE = "initialize";
    /** The client has finished the handshake. */
    public static final String INITIALIZED = "notifications/initialized";
    /** Either side checks the other is there. */
    public static final String PING = "ping";
    /** A page of the server's tools. */
    public static final String TOOLS_LIST = "tools/list";
    /** Calls a tool. */
    public static final String TOOLS_CALL = "tools/call";
    /** A page of the server's resources. */
    public static final String RESOURCES_LIST = "resources/list";
    /** A page of the server's resource templates. */
    public static final String RESOURCES_TEMPLATES_LIST = "resources/templates/list";
    /** Reads a resource. */
    public static final String RESOURCES_READ = "resources/read";
    /** A page of the server's prompts. */
    public static final String PROMPTS_LIST = "prompts/list";
    /** A prompt with its arguments filled in. */
    public static final String PROMPTS_GET = "prompts/get";
    /** The server asks the client for its roots. */
    public static final String ROOTS_LIST = "roots/list";
    /** The server asks the client's model for a completion. */
    public static final String SAMPLING_CREATE_MESSAGE = "sampling/createMessage";
    /** The server asks the client's user for input. */
    public static final String ELICITATION_CREATE = "elicitation/create";
    /** Either side withdraws a request it sent. */
    public static final String CANCELLED = "notifications/cancelled";
    /** Progress of a request that asked for it. */
    public static final String PROGRESS = "notifications/progress";
    /** A log message from the server. */
    public static final String MESSAGE = "notifications/message";
    /** The server's tool list changed. */
    public static final String TOOLS_LIST_CHANGED = "notifications/tools/list_changed";
    /** The server's resource list changed. */
    public static final String RESOURCES_LIST_CHANGED = "notifications/resources/list_changed";
    /** The server's prompt list changed. */
    public static final String PROMPTS_LIST_CHANGED = "notifications/prompts/list_changed";
    /** The client's roots changed. */
    public static final String ROOTS_LIST_CHANGED = "notifications/roots/list_changed";

    private McpMethods() {
    }
}
