package dev.wharf.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/** Turns a YAML file into a {@link WharfConfig}, with defaults for every key left out. */
public final class ConfigLoader {
    /** Largest configuration accepted, in bytes (and characters for {@link #parse}). */
    public static final int MAX_SIZE = 1024 * 1024;

    private static final String SIZE_EXPECTED = "a configuration of at most 1 MiB";
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // Keep "1.10" as written: a tag list like [1.10, 1.20] must not become 1.1 and 1.2.
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    private ConfigLoader() {}

    /** The built-in configuration: what {@code wharf serve} uses without a file; storage under the working directory. */
    public static WharfConfig defaults() {
        return parse("", Map.of(), Path.of(""));
    }

    /**
     * Reads and validates {@code file}, substituting from the process environment and resolving relative paths
     * against the file's directory; throws {@link ConfigException} listing every problem, including a missing file.
     */
    public static WharfConfig load(Path file) {
        String shown = Problems.quote(file.toString());
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_SIZE + 1);
        } catch (NoSuchFileException e) {
            throw new ConfigException(List.of(shown + ": does not exist (expected: a readable YAML file)"));
        } catch (IOException e) {
            throw new ConfigException(List.of(shown + ": cannot read (expected: a readable YAML file)"));
        }
        if (bytes.length > MAX_SIZE) {
            throw new ConfigException(List.of(shown + ": larger than 1 MiB (expected: " + SIZE_EXPECTED + ")"));
        }
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(List.of(shown + ": not UTF-8 (expected: a UTF-8 YAML file)"));
        }
        Path baseDir = file.toAbsolutePath().getParent();
        return parse(text, System.getenv(), baseDir == null ? Path.of("") : baseDir);
    }

    /**
     * Parses and validates {@code yaml} (empty means all defaults), taking {@code ${VAR}} values from {@code env} and
     * resolving relative {@code storage.path} and {@code passwordFile} against {@code baseDir}; throws
     * {@link ConfigException} listing every problem.
     */
    public static WharfConfig parse(String yaml, Map<String, String> env, Path baseDir) {
        if (yaml.length() > MAX_SIZE) {
            throw new ConfigException(List.of("top level: larger than 1 MiB (expected: " + SIZE_EXPECTED + ")"));
        }
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new ConfigException(List.of(syntaxProblem(e)));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            root = YAML.createObjectNode();
        }
        return new ConfigReader(new ReadContext(new Problems(), Map.copyOf(env), baseDir)).read(root);
    }

    /** The YAML tree of {@code yaml}, as the configuration is read; throws {@link ConfigException} on bad syntax. */
    static JsonNode tree(String yaml) {
        try {
            JsonNode root = YAML.readTree(yaml);
            return root == null || root.isMissingNode() ? YAML.nullNode() : root;
        } catch (JsonProcessingException e) {
            throw new ConfigException(List.of(syntaxProblem(e)));
        }
    }

    /**
     * Where and what, from SnakeYAML's problem part only: the full message quotes the offending lines, which may hold a
     * password. SnakeYAML comes with jackson-dataformat-yaml.
     */
    private static String syntaxProblem(JsonProcessingException e) {
        if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
            Mark mark = yaml.getProblemMark();
            return "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ": "
                    + firstLine(yaml.getProblem()) + " (expected: valid YAML)";
        }
        JsonLocation location = e.getLocation();
        String where =
                location == null ? "top level" : "line " + location.getLineNr() + ", column " + location.getColumnNr();
        return where + ": " + firstLine(e.getOriginalMessage()) + " (expected: valid YAML)";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "invalid YAML";
        }
        int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).strip();
    }
}
