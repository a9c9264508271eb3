package io.mcppool.it.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/** The helper that finds the npm reference servers: present here, and a clear failure (not a skip) when absent. */
class NpmPeersTest {
    @TempDir
    Path tmp;

    @Test
    void thePinnedPeersAreInstalled() {
        assertThat(NpmPeers.npmDir()).isDirectory();
        for (String pkg : new String[] {NpmPeers.EVERYTHING, NpmPeers.MEMORY, NpmPeers.FILESYSTEM}) {
            assertThat(NpmPeers.script(pkg)).isRegularFile();
            assertThat(NpmPeers.version(pkg)).isEqualTo("2026.8.31");
        }
        assertThat(Path.of(NpmPeers.node())).isAbsolute().isExecutable();
    }

    @Test
    void aMissingFolderFailsWithInstructions() {
        Path missing = tmp.resolve("no-node-modules-here");
        String previous = System.getProperty("mcppool.npmDir");
        System.setProperty("mcppool.npmDir", missing.toString());
        try {
            assertThatThrownBy(NpmPeers::npmDir)
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessageContaining(missing.toString())
                    .hasMessageContaining("./run-tests");
            assertThat(Files.exists(missing)).isFalse();
        } finally {
            if (previous == null) {
                System.clearProperty("mcppool.npmDir");
            } else {
                System.setProperty("mcppool.npmDir", previous);
            }
        }
    }
}
