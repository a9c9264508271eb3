package io.mcppool.catalog;

/** Told when a server's list in the catalog changed (added, removed or altered entries), after the change. */
@FunctionalInterface
public interface CatalogListener {
    /** {@code server} was listed and its {@code kind} list differs from before (or the server was added or removed). */
    void changed(String server, ToolCatalog.Kind kind);
}
