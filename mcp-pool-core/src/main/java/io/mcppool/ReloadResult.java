package io.mcppool;

import java.util.List;

/**
 * What {@link McpPool#reconfigure} did: servers started, servers drained and stopped, and servers restarted
 * with new settings (drained first, like removed ones).
 */
public record ReloadResult(List<String> added, List<String> removed, List<String> changed) {
    public ReloadResult {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        changed = List.copyOf(changed);
    }

    public boolean nothingChanged() {
        return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
    }
}
