/**
 * mcp-pool: warm, multiplexed, supervised sessions to many MCP servers, and one way to call their tools.
 *
 * <p>Start at {@link io.mcppool.McpPool}. The API is the exported packages: the pool ({@code io.mcppool}), a call's
 * options and failures ({@code call}), config ({@code config}), MCP messages ({@code protocol}), status and
 * statistics ({@code status}, {@code stats}), the catalog and result cache ({@code catalog}, {@code cache}),
 * listeners ({@code events}) and their ready-made subscribers ({@code metrics}, {@code tracing}, {@code logging},
 * {@code alerts}), and the transport SPI ({@code transport}). The engine, under {@code io.mcppool.internal}, is
 * not exported: it changes without notice.
 */
module io.mcppool {
    requires transitive com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.datatype.jsr310;
    requires com.fasterxml.jackson.dataformat.yaml;
    requires com.fasterxml.jackson.dataformat.toml;
    requires transitive org.slf4j;
    requires java.net.http;
    requires static transitive micrometer.core;
    requires static transitive io.opentelemetry.api;
    requires static io.opentelemetry.context;
    requires static redis.clients.jedis;

    exports io.mcppool;
    exports io.mcppool.alerts;
    exports io.mcppool.cache;
    exports io.mcppool.call;
    exports io.mcppool.catalog;
    exports io.mcppool.config;
    exports io.mcppool.events;
    exports io.mcppool.logging;
    exports io.mcppool.metrics;
    exports io.mcppool.protocol;
    exports io.mcppool.stats;
    exports io.mcppool.status;
    exports io.mcppool.tracing;
    exports io.mcppool.transport;

    // Jackson binds MCP messages, status and figures to and from JSON by reflection.
    opens io.mcppool.protocol to com.fasterxml.jackson.databind;
    opens io.mcppool.internal.protocol to com.fasterxml.jackson.databind;
    opens io.mcppool.status to com.fasterxml.jackson.databind;
    opens io.mcppool.stats to com.fasterxml.jackson.databind;
    opens io.mcppool.cache to com.fasterxml.jackson.databind;
    opens io.mcppool.internal.cache to com.fasterxml.jackson.databind;
}
