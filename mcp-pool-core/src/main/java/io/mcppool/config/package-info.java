/**
 * A pool's configuration as immutable records with builders and explicit defaults ({@link io.mcppool.config.McpPoolConfig},
 * {@link io.mcppool.config.ServerConfig} and the settings it groups), the loader for YAML, TOML and {@code mcpServers}
 * JSON files with environment overrides ({@link io.mcppool.config.ConfigLoader}), and what a reload changed
 * ({@link io.mcppool.config.ReloadResult}). An invalid file fails with every problem it has, each with its path, in
 * one {@link io.mcppool.config.InvalidConfigException}; secrets are redacted from every message.
 */
package io.mcppool.config;
