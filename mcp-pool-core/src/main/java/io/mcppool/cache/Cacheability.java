package io.mcppool.cache;

import io.mcppool.config.CacheSettings;
import io.mcppool.config.ServerConfig;
import io.mcppool.config.ToolConfig;
import io.mcppool.protocol.ToolAnnotations;

/**
 * The result cache's safety rule, in one place (as {@link io.mcppool.internal.resilience.Retries} is the retry rule).
 * A result is cached only when the tool's cache settings have a TTL, and
 * <ul>
 *   <li>the operator lists the tool as cacheable: it has a {@code cache} block of its own; or</li>
 *   <li>the operator says the tool is read-only ({@code readOnly: true}); or</li>
 *   <li>the server is {@code trusted}, its {@code readOnlyHint} for the tool is true, and the config does not say
 *       {@code readOnly: false}.</li>
 * </ul>
 * Results with {@code isError} and failures are never cached, whatever the rule says.
 */
public final class Cacheability {
    private Cacheability() {
    }

    /**
     * Whether a tool's results may be cached.
     *
     * @param annotations the tool's annotations as the server lists them, or null when not known (yet)
     * @param trusted     whether the server is trusted, so its annotations count
     * @param tool        what the config says about the tool ({@link ToolConfig#DEFAULTS} when nothing)
     * @param settings    the tool's resolved cache settings ({@link ServerConfig#cache(String)})
     */
    public static boolean cacheable(ToolAnnotations annotations, boolean trusted, ToolConfig tool, CacheSettings settings) {
        if (!settings.enabled()) {
            return false;
        }
        if (tool.cache().isPresent()) {
            return true;
        }
        if (tool.readOnly().isPresent()) {
            return tool.readOnly().get();
        }
        return trusted && annotations != null && annotations.readOnly();
    }

    /** {@link #cacheable(ToolAnnotations, boolean, ToolConfig, CacheSettings)} with the server's config. */
    public static boolean cacheable(ServerConfig server, String tool, ToolAnnotations annotations) {
        return cacheable(annotations, server.trusted(), server.tool(tool), server.cache(tool));
    }

    /**
     * Whether identical calls in flight at once share one upstream call: as {@link CacheSettings#coalesce} says,
     * and when it says nothing, exactly when the result would be cached.
     */
    public static boolean coalesces(CacheSettings settings, boolean cacheable) {
        return settings.coalesce().orElse(cacheable);
    }

    /** Whether a server's config asks for caching or coalescing of any of its tools; if not, its calls skip the cache. */
    public static boolean configured(ServerConfig server) {
        if (active(server.cache())) {
            return true;
        }
        for (ToolConfig t : server.tools().values()) {
            if (t.cache().isPresent() && active(t.cache().get())) {
                return true;
            }
        }
        return false;
    }

    private static boolean active(CacheSettings s) {
        return s.enabled() || s.coalesce().orElse(false);
    }
}
