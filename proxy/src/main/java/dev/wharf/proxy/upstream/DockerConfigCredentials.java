package dev.wharf.proxy.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.config.UpstreamCredentials.HelperSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The credentials a Docker {@code config.json} (or a {@code kubernetes.io/dockerconfigjson} Secret, the same JSON)
 * holds for the upstream's hosts, chosen as Docker chooses: a {@code credHelpers} entry for the host, else the
 * {@code credsStore} helper, else the {@code auths} entry whose key names the host ({@code host},
 * {@code https://host}, {@code https://host/v1/}; Docker Hub's key is {@code https://index.docker.io/v1/}). An entry
 * gives {@code identitytoken}, else {@code auth} (base64 of {@code user:password}), else {@code username} and
 * {@code password}. The file is read again when it changes.
 */
final class DockerConfigCredentials implements CredentialSource {
    static final String DOCKER_HUB_SERVER = "https://index.docker.io/v1/";
    private static final List<String> DOCKER_HUB_HOSTS =
            List.of("docker.io", "index.docker.io", "registry-1.docker.io");
    private static final int LIMIT = 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String upstream;
    private final WatchedFile file;
    private final List<String> hosts;
    private final HelperSettings helperSettings;
    private final Clock clock;
    private final Map<String, HelperCredentials> helpers = new ConcurrentHashMap<>();

    /** {@code hosts}: the upstream's {@code host[:port]} forms, the one it is reached at first. */
    DockerConfigCredentials(
            String upstream, WatchedFile file, List<String> hosts, HelperSettings helperSettings, Clock clock) {
        this.upstream = upstream;
        this.file = file;
        this.hosts = hosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
        this.helperSettings = helperSettings;
        this.clock = clock;
    }

    @Override
    public Optional<Login> current() {
        JsonNode root;
        try {
            root = JSON.readTree(file.read());
        } catch (IOException e) {
            // Jackson's messages quote content: only say which kind of failure.
            throw CredentialSources.failure(
                    upstream,
                    describe()
                            + (e instanceof com.fasterxml.jackson.core.JsonProcessingException
                                    ? " is not valid JSON"
                                    : " " + WatchedFile.reason(e)));
        }
        if (root == null || !root.isObject()) {
            throw CredentialSources.failure(upstream, describe() + " is not a JSON object");
        }
        Optional<String> helper = helperFor(root);
        if (helper.isPresent()) {
            return helpers.computeIfAbsent(helper.get(), this::helper).current();
        }
        JsonNode entry = entryFor(root.path("auths"))
                .orElseThrow(() ->
                        CredentialSources.failure(upstream, describe() + " has no auths entry for " + hosts.get(0)));
        return Optional.of(login(entry));
    }

    @Override
    public String describe() {
        return "dockerConfig " + file.path();
    }

    /** The file is read again whenever it changes; only the helpers' answers are reused, so they are forgotten. */
    @Override
    public void refresh() {
        helpers.values().forEach(HelperCredentials::refresh);
    }

    private Optional<String> helperFor(JsonNode root) {
        JsonNode perHost = root.path("credHelpers");
        for (Map.Entry<String, JsonNode> helper : perHost.properties()) {
            if (matches(helper.getKey()) && helper.getValue().isTextual()) {
                return Optional.of(helper.getValue().textValue());
            }
        }
        JsonNode store = root.path("credsStore");
        return store.isTextual() && !store.textValue().isEmpty() ? Optional.of(store.textValue()) : Optional.empty();
    }

    private HelperCredentials helper(String name) {
        return new HelperCredentials(
                upstream,
                name,
                serverUrl(),
                helperSettings.searchPath(),
                helperSettings.ttl(),
                helperSettings.timeout(),
                clock);
    }

    /** What Docker passes to a helper: the host, or Docker Hub's historic index URL. */
    private String serverUrl() {
        return hosts.stream().anyMatch(DockerConfigCredentials::isDockerHub) ? DOCKER_HUB_SERVER : hosts.get(0);
    }

    /** True for the names Docker Hub goes by. */
    static boolean isDockerHub(String host) {
        return DOCKER_HUB_HOSTS.contains(host);
    }

    private Optional<JsonNode> entryFor(JsonNode auths) {
        // Hosts in order of preference: an entry for the host the upstream is reached at wins.
        for (String host : hosts) {
            for (Map.Entry<String, JsonNode> entry : auths.properties()) {
                if (entry.getValue().isObject() && matches(entry.getKey(), host)) {
                    return Optional.of(entry.getValue());
                }
            }
        }
        return Optional.empty();
    }

    private boolean matches(String key) {
        return hosts.stream().anyMatch(host -> matches(key, host));
    }

    /** Docker's rule: a key names a host after dropping its scheme and any path; Docker Hub has several names. */
    private static boolean matches(String key, String host) {
        String bare = key.toLowerCase(Locale.ROOT).replaceFirst("^https?://", "");
        int slash = bare.indexOf('/');
        bare = slash < 0 ? bare : bare.substring(0, slash);
        return bare.equals(host) || DOCKER_HUB_HOSTS.contains(bare) && DOCKER_HUB_HOSTS.contains(host);
    }

    private Login login(JsonNode entry) {
        String identityToken = text(entry, "identitytoken");
        if (!identityToken.isEmpty()) {
            return new Login.IdentityToken(identityToken);
        }
        String auth = text(entry, "auth");
        if (!auth.isEmpty()) {
            String pair;
            try {
                pair = new String(Base64.getDecoder().decode(auth.strip()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw CredentialSources.failure(upstream, describe() + ": auth for " + hosts.get(0) + " is not base64");
            }
            int colon = pair.indexOf(':');
            if (colon <= 0) {
                throw CredentialSources.failure(
                        upstream, describe() + ": auth for " + hosts.get(0) + " is not user:password");
            }
            return new Login.Basic(pair.substring(0, colon), pair.substring(colon + 1));
        }
        String username = text(entry, "username");
        String password = text(entry, "password");
        if (username.isEmpty() || password.isEmpty()) {
            throw CredentialSources.failure(
                    upstream,
                    describe() + ": the entry for " + hosts.get(0)
                            + " has no identitytoken, auth, or username and password");
        }
        return new Login.Basic(username, password);
    }

    private static String text(JsonNode entry, String field) {
        JsonNode value = entry.get(field);
        return value != null && value.isTextual() ? value.textValue() : "";
    }
}
