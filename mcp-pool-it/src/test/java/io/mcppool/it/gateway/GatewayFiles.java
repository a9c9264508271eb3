package io.mcppool.it.gateway;

import io.mcppool.config.ConfigLoader;
import io.mcppool.gateway.Gateway;
import io.mcppool.protocol.Json;
import io.mcppool.testkit.TestkitCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * Gateways started the way {@code mcp-pool serve} starts them: from a YAML file, which the tests then edit
 * to reload. The files name {@code port: 0} themselves, so a reload reads the same bind settings. Public for
 * the abuse suite, which edits the config of a {@code serve} process the same way.
 */
public final class GatewayFiles {
    private GatewayFiles() {
    }

    /** Writes {@code yaml} as {@code dir/mcp-pool.yaml}, replacing it in one rename as editors do. */
    public static Path write(Path dir, String yaml) {
        Path file = dir.resolve("mcp-pool.yaml");
        Path temp = dir.resolve(".mcp-pool.yaml.tmp");
        try {
            Files.writeString(temp, yaml);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    static Gateway start(Path dir, String yaml) {
        Path file = write(dir, yaml);
        return Gateway.start(ConfigLoader.load(file), Optional.of(file));
    }

    /** A YAML flow map for a stdio testkit server with {@code args}, plus {@code more} keys (YAML, may be empty). */
    static String stdioTestkit(String more, String... args) {
        List<String> cmd = TestkitCommand.stdio(args);
        StringBuilder sb = new StringBuilder("{ command: ").append(quote(cmd.get(0))).append(", args: [");
        for (int i = 1; i < cmd.size(); i++) {
            sb.append(i > 1 ? ", " : "").append(quote(cmd.get(i)));
        }
        sb.append(']');
        if (!more.isEmpty()) {
            sb.append(", ").append(more);
        }
        return sb.append(" }").toString();
    }

    /** A YAML (JSON) double-quoted string. */
    static String quote(String s) {
        return Json.write(Json.mapper().getNodeFactory().textNode(s));
    }
}
