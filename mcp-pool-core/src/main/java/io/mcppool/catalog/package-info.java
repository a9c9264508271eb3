/**
 * The catalog of every pooled server's tools, resources and prompts as one namespace: the read view
 * ({@link io.mcppool.catalog.ToolCatalog}), its entries and a listener for its changes. The catalog that lists servers
 * and keeps the view current is the engine's ({@code io.mcppool.internal.catalog}).
 */
package io.mcppool.catalog;
