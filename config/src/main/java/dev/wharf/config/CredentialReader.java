package dev.wharf.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.config.UpstreamCredentials.HelperSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the credential keys of one upstream entry: one source among {@code password}/{@code passwordFile} (with
 * {@code username}), {@code token}, {@code tokenFile}, {@code dockerConfig}, {@code credentialHelper}, {@code ecr}, {@code gcp}; and the helper
 * settings {@code credentialTtl} and {@code credentialHelperTimeout}. Files are checked here (present, readable, not
 * empty, small) and read again on use; no problem ever shows a secret.
 */
final class CredentialReader {
    static final Set<String> KEYS = Set.of(
            "username",
            "password",
            "passwordFile",
            "token",
            "tokenFile",
            "dockerConfig",
            "credentialHelper",
            "ecr",
            "gcp",
            "credentialTtl",
            "credentialHelperTimeout");
    private static final List<String> SOURCES =
            List.of("password", "passwordFile", "token", "tokenFile", "dockerConfig", "credentialHelper", "ecr", "gcp");
    private static final String SECRET_EXPECTED = "a string";
    private static final long SECRET_FILE_LIMIT = 64 * 1024;
    private static final long DOCKER_CONFIG_LIMIT = 1024 * 1024;
    private static final Pattern HELPER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final String HELPER_EXPECTED = "a helper name like ecr-login, run as docker-credential-NAME";
    private static final ObjectMapper JSON = new ObjectMapper();

    private CredentialReader() {}

    /** The credential source of the upstream mapping {@code m}; anonymous when none is set or after reporting. */
    static UpstreamCredentials read(YamlMapping m) {
        Problems problems = m.context().problems();
        List<String> set = SOURCES.stream().filter(m::has).toList();
        if (set.size() > 1) {
            problems.add(
                    m.path(),
                    String.join(" and ", set) + " set together",
                    "at most one of " + String.join(", ", SOURCES));
        }
        boolean hasPassword = m.has("password") || m.has("passwordFile");
        if (m.has("username") && !hasPassword) {
            problems.add(m.pathOf("username"), "set without password", "password or passwordFile with username");
        }
        if (hasPassword && !m.has("username")) {
            String key = m.has("password") ? "password" : "passwordFile";
            problems.add(m.pathOf(key), "set without username", "username with " + key);
        }
        boolean runsHelpers = m.has("dockerConfig") || m.has("credentialHelper");
        for (String key : List.of("credentialTtl", "credentialHelperTimeout")) {
            if (m.has(key) && !runsHelpers) {
                problems.add(
                        m.pathOf(key), "set without credentialHelper or dockerConfig", "credentialHelper with " + key);
            }
        }
        HelperSettings helpers = helperSettings(m);
        Optional<String> username = m.text("username", "a user name");
        Optional<UpstreamCredentials> source = Optional.empty();
        if (m.has("password")) {
            source = nonEmpty(m, "password").map(Secret.Inline::new).map(pw -> basic(username, pw));
        } else if (m.has("passwordFile")) {
            source = secretFile(m, "passwordFile", "a readable file holding the password")
                    .map(pw -> basic(username, pw));
        } else if (m.has("token")) {
            source = nonEmpty(m, "token").map(Secret.Inline::new).map(UpstreamCredentials.Bearer::new);
        } else if (m.has("tokenFile")) {
            source = secretFile(m, "tokenFile", "a readable file holding the token")
                    .map(UpstreamCredentials.Bearer::new);
        } else if (m.has("dockerConfig")) {
            source = dockerConfig(m).map(file -> new UpstreamCredentials.DockerConfig(file, helpers));
        } else if (m.has("credentialHelper")) {
            source = helper(m, helpers).map(name -> new UpstreamCredentials.Helper(name, helpers));
        } else if (m.has("ecr")) {
            source = CloudCredentialReader.ecr(m);
        } else if (m.has("gcp")) {
            source = CloudCredentialReader.gcp(m);
        }
        return source.orElse(UpstreamCredentials.ANONYMOUS);
    }

    private static UpstreamCredentials basic(Optional<String> username, Secret password) {
        // A missing username was reported above; the entry is dropped then, so this value is never used.
        return new UpstreamCredentials.Basic(username.orElse(""), password);
    }

    private static HelperSettings helperSettings(YamlMapping m) {
        Duration ttl =
                m.parsed("credentialTtl", Durations.EXPECTED, Durations::parse).orElse(Defaults.CREDENTIAL_TTL);
        Duration timeout = m.parsed("credentialHelperTimeout", Durations.POSITIVE_EXPECTED, Durations::parsePositive)
                .orElse(Defaults.CREDENTIAL_HELPER_TIMEOUT);
        return new HelperSettings(searchPath(m.context()), ttl, timeout);
    }

    /** The directories of {@code PATH} in the environment Wharf was configured with, as Docker searches them. */
    private static List<Path> searchPath(ReadContext context) {
        String path = context.env().getOrDefault("PATH", "");
        List<Path> dirs = new ArrayList<>();
        for (String dir : path.split(":")) {
            if (!dir.isEmpty()) {
                dirs.add(Path.of(dir).toAbsolutePath());
            }
        }
        return dirs;
    }

    private static Optional<String> helper(YamlMapping m, HelperSettings helpers) {
        Optional<String> name = m.parsed("credentialHelper", HELPER_EXPECTED, text -> {
            if (!HELPER_NAME.matcher(text).matches()) {
                throw new IllegalArgumentException("bad helper name");
            }
            return text;
        });
        if (name.isPresent() && findHelper(helpers.searchPath(), name.get()).isEmpty()) {
            m.context()
                    .problems()
                    .add(
                            m.pathOf("credentialHelper"),
                            "docker-credential-" + name.get() + " not found on PATH",
                            "an executable docker-credential-" + name.get() + " in a PATH directory");
            return Optional.empty();
        }
        return name;
    }

    /** The first executable {@code docker-credential-NAME} in {@code searchPath}, as Docker finds helpers. */
    static Optional<Path> findHelper(List<Path> searchPath, String name) {
        return searchPath.stream()
                .map(dir -> dir.resolve("docker-credential-" + name))
                .filter(file -> Files.isRegularFile(file) && Files.isExecutable(file))
                .findFirst();
    }

    private static Optional<Path> dockerConfig(YamlMapping m) {
        String expected = "a readable Docker config.json or dockerconfigjson Secret";
        Optional<Path> file = checkedFile(m, "dockerConfig", expected, DOCKER_CONFIG_LIMIT);
        if (file.isEmpty()) {
            return file;
        }
        String shown = Problems.quote(file.get().toString());
        try {
            JsonNode root = JSON.readTree(file.get().toFile());
            if (root == null || !root.isObject()) {
                m.context().problems().add(m.pathOf("dockerConfig"), shown + " is not a JSON object", expected);
                return Optional.empty();
            }
        } catch (IOException e) {
            // Jackson's message may quote the file's content, which holds secrets: never pass it on.
            m.context().problems().add(m.pathOf("dockerConfig"), shown + " is not valid JSON", expected);
            return Optional.empty();
        }
        return file;
    }

    private static Optional<Secret> secretFile(YamlMapping m, String key, String expected) {
        Optional<Path> file = checkedFile(m, key, expected, SECRET_FILE_LIMIT);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        try {
            if (Files.readString(file.get()).replaceAll("[\r\n]+$", "").isEmpty()) {
                m.context()
                        .problems()
                        .add(m.pathOf(key), Problems.quote(file.get().toString()) + " is empty", expected);
                return Optional.empty();
            }
        } catch (IOException e) {
            m.context()
                    .problems()
                    .add(
                            m.pathOf(key),
                            "cannot read " + Problems.quote(file.get().toString()),
                            expected);
            return Optional.empty();
        }
        return Optional.of(new Secret.InFile(file.get()));
    }

    /** The absolute path of the file at {@code key} after checking it exists, is readable and at most {@code limit}. */
    static Optional<Path> checkedFile(YamlMapping m, String key, String expected, long limit) {
        Optional<String> text = m.text(key, expected);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String path = m.pathOf(key);
        Problems problems = m.context().problems();
        if (text.get().isEmpty()) {
            problems.add(path, "empty", expected);
            return Optional.empty();
        }
        Path resolved =
                m.context().baseDir().resolve(text.get()).toAbsolutePath().normalize();
        String shown = Problems.quote(resolved.toString());
        try {
            if (!Files.isRegularFile(resolved)) {
                problems.add(path, shown + (Files.exists(resolved) ? " is not a file" : " does not exist"), expected);
                return Optional.empty();
            }
            if (Files.size(resolved) > limit) {
                problems.add(path, shown + " is larger than " + (limit / 1024) + " KiB", expected);
                return Optional.empty();
            }
            if (!Files.isReadable(resolved)) {
                problems.add(path, "cannot read " + shown, expected);
                return Optional.empty();
            }
        } catch (NoSuchFileException e) {
            problems.add(path, shown + " does not exist", expected);
            return Optional.empty();
        } catch (IOException e) {
            problems.add(path, "cannot read " + shown, expected);
            return Optional.empty();
        }
        return Optional.of(resolved);
    }

    private static Optional<String> nonEmpty(YamlMapping m, String key) {
        Optional<String> value = m.text(key, SECRET_EXPECTED);
        if (value.isPresent() && value.get().isEmpty()) {
            m.context().problems().add(m.pathOf(key), "empty", "a non-empty " + key);
            return Optional.empty();
        }
        return value;
    }
}
