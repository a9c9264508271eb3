package io.mcppool.gateway.cli;

import io.mcppool.protocol.ProtocolVersion;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/** {@code --version}: the build's version, the MCP versions spoken, and the Java running it. */
public final class Version implements CommandLine.IVersionProvider {

    public static String version() {
        try (InputStream in = Version.class.getResourceAsStream("/io/mcppool/gateway/version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && !v.isBlank() && !v.contains("${")) {
                    return v;
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return "unknown";
    }

    @Override
    public String[] getVersion() {
        return new String[] {
                "mcp-pool " + version(),
                "MCP protocol versions: " + String.join(", ", ProtocolVersion.SUPPORTED),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vendor", "?") + ", "
                        + System.getProperty("java.home", "?") + ")"};
    }
}
