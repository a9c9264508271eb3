package io.mcppool.testkit;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mcppool.protocol.JsonRpcCodec;
import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Command lines that start a testkit server in a new JVM, for tests and benchmarks that need a
 * real process (the first call in a JVM may take a second or two: see below):
 *
 * <pre>{@code
 * new ProcessBuilder(TestkitCommand.stdio("--extra-tools", "1000")).start();
 * }</pre>
 *
 * The child uses this JVM's {@code java} and a class path of just the testkit, core and Jackson
 * (this JVM's whole class path when those cannot be located as files), with flags that favour
 * start-up time over peak speed: the serial collector, the C1 compiler only, class data sharing,
 * no perf-data file. On first use per class path and JVM it also builds an application
 * class-data-sharing archive, which halves the server's start-up; {@code -Dmcppool.testkit.cds=false}
 * turns that off.
 */
public final class TestkitCommand {
    /**
     * JVM flags for a fast-starting, small server. The last two send the JVM's own warnings to
     * stderr: by default they go to stdout, where a single one would break the stdio protocol.
     */
    public static final List<String> JVM_FLAGS = List.of(
            "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-XX:-UsePerfData",
            "-Xlog:disable", "-Xlog:all=warning:stderr");

    private TestkitCommand() {
    }

    /** {@code java ... TestkitServer --stdio <args>}. */
    public static List<String> stdio(String... args) {
        List<String> cmd = base();
        cmd.add("--stdio");
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    public static List<String> stdio(TestkitOptions options) {
        return stdio(options.toArgs().toArray(new String[0]));
    }

    /** {@code java ... TestkitServer --http --port <port> <args>}; the URL is the first stderr line. */
    public static List<String> http(int port, String... args) {
        List<String> cmd = base();
        cmd.add("--http");
        cmd.add("--port");
        cmd.add(Integer.toString(port));
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    /** This JVM's {@code java} executable. */
    public static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * The jars and directories the server needs: the testkit, core and Jackson (with its java.time module). A test JVM's own
     * class path can be hundreds of entries, or a surefire manifest jar, and the child needs none
     * of it. Falls back to this JVM's class path when they cannot be located as files.
     */
    public static List<String> classPath() {
        List<String> entries = new ArrayList<>();
        // One class from each jar the server loads; core's Json mapper registers the java.time module.
        for (Class<?> c : List.of(TestkitCommand.class, JsonRpcCodec.class, ObjectMapper.class, JsonFactory.class,
                JsonProperty.class, com.fasterxml.jackson.datatype.jsr310.JavaTimeModule.class)) {
            String location = locationOf(c);
            if (location == null) {
                return List.of(System.getProperty("java.class.path").split(File.pathSeparator));
            }
            if (!entries.contains(location)) {
                entries.add(location);
            }
        }
        return entries;
    }

    private static List<String> base() {
        String java = javaExecutable();
        FastStart.Launch launch = FastStart.launch(java, JVM_FLAGS, classPath());
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(JVM_FLAGS);
        cmd.addAll(launch.jvmFlags());
        cmd.add("-cp");
        cmd.add(launch.classPath());
        cmd.add(TestkitServer.class.getName());
        return cmd;
    }

    private static String locationOf(Class<?> c) {
        CodeSource source = c.getProtectionDomain().getCodeSource();
        URL url = source == null ? null : source.getLocation();
        if (url == null || !"file".equals(url.getProtocol())) {
            return null; // inside a fat jar, a jlink image or the like: fall back to the whole class path
        }
        try {
            return Path.of(url.toURI()).toString();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }
}
