package io.mcppool.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads an mcp-pool configuration (YAML, TOML or JSON, in mcp-pool's own shape or the {@code mcpServers}
 * shape MCP hosts use), applies the environment's overrides and {@code ${VAR}} substitutions, and checks
 * every value. Whatever is wrong is reported together in one {@link InvalidConfigException}: a config is
 * usually fixed by someone reading a deployment log, and one round trip per mistake is slow.
 * The keys and rules are documented in {@code docs/configuration.md}.
 */
public final class ConfigLoader {

    /** The syntax of a config file. The shape inside (mcp-pool's or {@code mcpServers}) is the same for all. */
    public enum Format {
        YAML, TOML, JSON;

        private static final Pattern TOML_TABLE = Pattern.compile("\\[\\[?\\s*[A-Za-z0-9_.\"' -]+\\]\\]?\\s*(#.*)?");
        private static final Pattern TOML_KEY = Pattern.compile("(?:[A-Za-z0-9_-]+|\"[^\"]*\")(?:\\.[A-Za-z0-9_\"-]+)*\\s*=.*");

        /**
         * The format of {@code file}: by its extension ({@code .yaml}, {@code .yml}, {@code .toml}, {@code .json},
         * {@code .jsonc}), else by its first line that is not blank or a comment.
         */
        public static Format detect(Path file, String text) {
            Path name = file == null ? null : file.getFileName();
            return detect(name == null ? "" : name.toString(), text);
        }

        static Format detect(String fileName, String text) {
            String lower = fileName.toLowerCase(Locale.ROOT);
            if (lower.endsWith(".yaml") || lower.endsWith(".yml")) {
                return YAML;
            }
            if (lower.endsWith(".toml")) {
                return TOML;
            }
            if (lower.endsWith(".json") || lower.endsWith(".jsonc")) {
                return JSON;
            }
            String first = stripBom(text).lines().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#") && !l.startsWith("//"))
                    .findFirst().orElse("");
            if (first.startsWith("{")) {
                return JSON;
            }
            if (TOML_TABLE.matcher(first).matches() || TOML_KEY.matcher(first).matches()) {
                return TOML;
            }
            return YAML;
        }

        private ObjectMapper mapper() {
            return switch (this) {
                case YAML -> Mappers.YAML;
                case TOML -> Mappers.TOML;
                case JSON -> Mappers.JSON;
            };
        }
    }

    /** Built on first use; enum constants cannot refer to static fields of their own class while initializing. */
    private static final class Mappers {
        // A key written twice is almost always a mistake, and which copy wins would be a parser detail.
        static final ObjectMapper YAML = YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
        static final ObjectMapper TOML = TomlMapper.builder().build();
        // VS Code's mcp.json is JSON with comments and trailing commas.
        static final ObjectMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS, JsonReadFeature.ALLOW_TRAILING_COMMA).build();
    }

    private ConfigLoader() {
    }

    /**
     * Parses a duration as config files write it ({@code 250ms}, {@code 5s}, {@code 1m30s}, {@code 1d}),
     * for tools that take durations outside a file (the CLI's {@code --timeout}).
     *
     * @throws IllegalArgumentException saying what is wrong and what to write instead
     */
    public static java.time.Duration parseDuration(String text) {
        try {
            return Durations.parse(text);
        } catch (BadValue e) {
            String message = "'" + text + "': " + e.whatIsWrong();
            throw new IllegalArgumentException(e.allowed() == null ? message : message + "; " + e.allowed(), e);
        }
    }

    /** Loads {@code file} with the process environment. */
    public static McpPoolConfig load(Path file) {
        return load(file, System.getenv());
    }

    /**
     * Loads {@code file}, taking {@code ${VAR}} values and {@code MCP_*} overrides from {@code env}.
     *
     * @throws InvalidConfigException listing every problem, including a missing or unparseable file
     */
    public static McpPoolConfig load(Path file, Map<String, String> env) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(env, "env");
        String source = file.toString();
        String text;
        try {
            if (Files.isDirectory(file)) {
                throw invalid(source, source + ": is a directory, not a config file");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw invalid(source, source + ": file not found (looked for " + file.toAbsolutePath() + ")");
        } catch (AccessDeniedException e) {
            throw invalid(source, source + ": cannot be read: permission denied");
        } catch (CharacterCodingException e) {
            throw invalid(source, source + ": is not UTF-8 text");
        } catch (IOException e) {
            throw invalid(source, source + ": cannot be read: " + e);
        }
        Path dir = file.toAbsolutePath().getParent();
        return parse(text, Format.detect(file, text), source, env, dir == null ? workingDirectory() : dir);
    }

    /**
     * Loads a config packaged as a classpath resource (a built-in config inside a jar).
     *
     * @param classpathResource a resource name such as {@code io/mcppool/gateway/default.yaml}; a leading
     *                          {@code /} is allowed
     */
    public static McpPoolConfig loadResource(String classpathResource, Map<String, String> env) {
        Objects.requireNonNull(classpathResource, "classpathResource");
        Objects.requireNonNull(env, "env");
        String name = classpathResource.startsWith("/") ? classpathResource.substring(1) : classpathResource;
        String source = "classpath:" + name;
        byte[] bytes;
        try (InputStream in = open(name)) {
            if (in == null) {
                throw invalid(source, source + ": no such resource on the classpath");
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw invalid(source, source + ": cannot be read: " + e);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw invalid(source, source + ": is not UTF-8 text");
        }
        return parse(text, Format.detect(name, text), source, env);
    }

    private static InputStream open(String name) {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        InputStream in = context == null ? null : context.getResourceAsStream(name);
        return in != null ? in : ConfigLoader.class.getClassLoader().getResourceAsStream(name);
    }

    /**
     * Reads config {@code text}; relative file paths in it start from the working directory.
     *
     * @param source where the text came from, for messages and {@link McpPoolConfig#source()}
     * @param env    the environment for {@code ${VAR}} and {@code MCP_*} overrides
     * @throws InvalidConfigException listing every problem
     */
    public static McpPoolConfig parse(String text, Format format, String source, Map<String, String> env) {
        return parse(text, format, source, env, workingDirectory());
    }

    /**
     * Reads config {@code text} whose relative file paths ({@code gateway.auth.jwt.jwksFile}, ...) start from
     * {@code baseDir}: the config file's directory.
     */
    static McpPoolConfig parse(String text, Format format, String source, Map<String, String> env, Path baseDir) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(env, "env");
        JsonNode root = readTree(stripBom(text), format, source);
        if (root == null || root.isMissingNode() || root.isNull()) {
            root = JsonNodeFactory.instance.objectNode();
        }
        Problems problems = new Problems();
        boolean singleConnection = root instanceof ObjectNode o && EnvOverrides.apply(o, env, problems);
        McpPoolConfig config = new ConfigBinder(problems, new Variables(env), singleConnection, baseDir)
                .bind(root, source);
        if (config == null || !problems.isEmpty()) {
            throw new InvalidConfigException(source, problems.list());
        }
        return config;
    }

    private static Path workingDirectory() {
        return Path.of("").toAbsolutePath();
    }

    private static JsonNode readTree(String text, Format format, String source) {
        try {
            return format == Format.YAML ? format.mapper().readTree(new ShortReads(text)) : format.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at != null && at.getLineNr() > 0
                    ? " at line " + at.getLineNr() + ", column " + at.getColumnNr() : "";
            throw invalid(source, source + ": not valid " + format + where + ": " + parserMessage(e));
        } catch (IOException e) { // a reader over a string does not fail
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * A reader over text that never fills the whole buffer it is given. SnakeYAML reads 1,024 characters at a
     * time and, when the last is the first half of a surrogate pair (an emoji at character 1,023), reads one more
     * into the same full buffer: an {@code IndexOutOfBoundsException} instead of a config (found by the config
     * fuzz test, {@code emoji-at-char-1023.yaml}). One character short leaves it the room it needs.
     */
    private static final class ShortReads extends java.io.Reader {
        private final String text;
        private int at;

        ShortReads(String text) {
            this.text = text;
        }

        @Override
        public int read(char[] buffer, int offset, int length) {
            if (at >= text.length()) {
                return -1;
            }
            int n = Math.min(text.length() - at, length > 1 ? length - 1 : length);
            text.getChars(at, at + n, buffer, offset);
            at += n;
            return n;
        }

        @Override
        public void close() {
        }
    }

    /**
     * The parser's own words, on one line. SnakeYAML's messages quote the offending lines with carets
     * beneath; those lines are dropped since the position is given separately.
     */
    private static String parserMessage(JsonProcessingException e) {
        String message = Objects.requireNonNullElse(e.getOriginalMessage(), e.getClass().getSimpleName());
        return message.lines()
                .filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0)))
                .collect(Collectors.joining("; "));
    }

    private static String stripBom(String text) {
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    private static InvalidConfigException invalid(String source, String problem) {
        return new InvalidConfigException(source, List.of(problem));
    }
}
