package io.mcppool.config;

import io.mcppool.transport.TransportFactory;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** Where one endpoint of a server is and how to reach it. */
public sealed interface EndpointConfig permits EndpointConfig.Stdio, EndpointConfig.Http, EndpointConfig.Custom {

    /** The names of {@code values} with every value hidden (headers and environments hold credentials). */
    private static String masked(Map<String, String> values) {
        return new java.util.TreeMap<>(values).keySet().stream().map(k -> k + "=" + Redaction.MASK)
                .collect(java.util.stream.Collectors.joining(", ", "{", "}"));
    }

    /** A short description for logs and errors. */
    String describe();

    /**
     * A local server run as a child process speaking newline-delimited JSON on stdin/stdout. It does not get the
     * parent's whole environment: see {@link ChildEnvironment} for what it gets.
     *
     * @param env           set in the child's environment, over anything inherited
     * @param shutdownGrace how long each shutdown step (close stdin, then SIGTERM) may take before the next
     * @param inheritEnv    more of the parent's variables to pass, by name or by pattern ({@code AWS_*}, {@code *})
     * @param withheld      the parent's variables that hold the gateway's own credentials: never passed by the
     *                      default list or a pattern, only when {@code inheritEnv} names them exactly
     */
    record Stdio(String command, List<String> args, Map<String, String> env, Optional<Path> cwd,
                 Duration shutdownGrace, List<String> inheritEnv, Set<String> withheld) implements EndpointConfig {
        public Stdio {
            Objects.requireNonNull(command, "command");
            args = List.copyOf(args);
            env = Map.copyOf(env);
            Objects.requireNonNull(cwd, "cwd");
            Objects.requireNonNull(shutdownGrace, "shutdownGrace");
            inheritEnv = List.copyOf(inheritEnv);
            for (String entry : inheritEnv) {
                if (!ChildEnvironment.isEntry(entry)) {
                    throw new IllegalArgumentException("an inheritEnv entry is a variable name or a name prefix"
                            + " followed by *, got '" + entry + "'");
                }
            }
            withheld = Set.copyOf(withheld);
        }

        /** With the minimal environment only ({@link ChildEnvironment#DEFAULT_INHERITED}) plus {@code env}. */
        public Stdio(String command, List<String> args, Map<String, String> env, Optional<Path> cwd,
                     Duration shutdownGrace) {
            this(command, args, env, cwd, shutdownGrace, List.of(), Set.of());
        }

        public Stdio(String command, List<String> args) {
            this(command, args, Map.of(), Optional.empty(), Duration.ofSeconds(2));
        }

        @Override
        public String describe() {
            return args.isEmpty() ? command : command + " " + String.join(" ", args);
        }

        /** As the record's own, but configs get logged: arguments redacted, environment values hidden. */
        @Override
        public String toString() {
            return "Stdio[command=" + Redaction.text(describe()) + ", env=" + masked(env) + ", cwd=" + cwd
                    + ", shutdownGrace=" + shutdownGrace + ", inheritEnv=" + inheritEnv + "]";
        }
    }

    /** A remote server speaking Streamable HTTP at {@code url}; {@code headers} are sent with every request. */
    record Http(URI url, Map<String, String> headers) implements EndpointConfig {
        public Http {
            Objects.requireNonNull(url, "url");
            headers = Map.copyOf(headers);
        }

        public Http(URI url) {
            this(url, Map.of());
        }

        @Override
        public String describe() {
            return url.toString();
        }

        /** As the record's own, but configs get logged: the URL's user info and query and header values hidden. */
        @Override
        public String toString() {
            return "Http[url=" + Redaction.endpoint(url.toString()) + ", headers=" + masked(headers) + "]";
        }
    }

    /** A transport made in code (an in-process test server, say); not expressible in a config file. */
    record Custom(String description, TransportFactory factory) implements EndpointConfig {
        public Custom {
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(factory, "factory");
        }

        @Override
        public String describe() {
            return description;
        }
    }
}
