package io.mcppool.it.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import io.mcppool.McpPool;
import io.mcppool.testkit.TestkitCommand;
import java.io.File;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Core is a named module that exports its API and nothing of the engine (issue 13): read from its descriptor, and
 * seen from an application that runs it on the module path.
 */
class ModulePathTest {
    /** The jars of the modules core requires (not the optional ones), by file name. */
    private static final Pattern REQUIRED = Pattern.compile(
            "(jackson-(core|databind|annotations|datatype-jsr310|dataformat-yaml|dataformat-toml)|slf4j-api|snakeyaml)-[0-9].*\\.jar");

    private static Path coreLocation() throws Exception {
        return Path.of(McpPool.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void theModuleExportsEveryApiPackageAndNoEnginePackage() throws Exception {
        ModuleDescriptor core = ModuleFinder.of(coreLocation()).find("io.mcppool").orElseThrow().descriptor();
        Set<String> exported = core.exports().stream()
                .peek(e -> assertThat(e.isQualified()).as("%s is exported to everyone", e.source()).isFalse())
                .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        Set<String> api = core.packages().stream().filter(p -> !p.startsWith("io.mcppool.internal"))
                .collect(Collectors.toSet());
        assertThat(exported).as("exported packages").isEqualTo(api);
        assertThat(core.packages()).as("the engine is in the module").contains("io.mcppool.internal.engine");
    }

    @Test
    void anApplicationOnTheClassPathCallsAToolThroughTheModuleAndCannotReachTheEngine() throws Exception {
        List<String> modulePath = new ArrayList<>(List.of(coreLocation().toString()));
        List<String> classPath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (REQUIRED.matcher(name).matches()) {
                modulePath.add(entry);
            } else if (entry.contains("mcp-pool-it")) {
                classPath.add(entry); // this module's test classes: ModularSmoke
            }
        }
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--module-path", String.join(File.pathSeparator, modulePath), "--add-modules", "io.mcppool",
                "-cp", String.join(File.pathSeparator, classPath), ModularSmoke.class.getName()));
        command.addAll(TestkitCommand.stdio());
        Path log = Files.createTempFile("modular-smoke", ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        p.getOutputStream().close();
        boolean ended = p.waitFor(60, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        System.out.println(out);
        assertThat(ended).as("the smoke run ends within 60 s; it printed:\n%s", out).isTrue();
        assertThat(out).as("what the application saw").contains(
                "named true io.mcppool", "internal exported false", "echo from the class path", "snapshot servers 1",
                "engine sealed").doesNotContain("Exception");
        assertThat(p.exitValue()).isZero();
    }
}
