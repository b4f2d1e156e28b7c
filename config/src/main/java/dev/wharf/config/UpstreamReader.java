package dev.wharf.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads one entry of {@code upstreams}, claiming its name and aliases. */
final class UpstreamReader {
    static final String HOST_EXPECTED = "registry host like ghcr.io or registry.local:5000";
    private static final String URL_EXPECTED = "http or https URL";
    private static final Pattern HOST =
            Pattern.compile("[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::([0-9]{1,5}))?");
    private static final Set<String> KEYS = keys(
            "name",
            "url",
            "aliases",
            RepositoryCredentialsReader.KEY,
            "authRealmHosts",
            "tls",
            "connectTimeout",
            "readTimeout",
            "manifestTimeout");

    private static Set<String> keys(String... own) {
        Set<String> keys = new HashSet<>(Set.of(own));
        keys.addAll(PolicyReader.KEYS);
        keys.addAll(CredentialReader.KEYS);
        return Set.copyOf(keys);
    }

    private UpstreamReader() {}

    /** The upstream at {@code path}; empty after reporting when anything in it is wrong. */
    static Optional<UpstreamConfig> read(Located<JsonNode> entry, ReadContext context, UpstreamNames names) {
        Problems problems = context.problems();
        int before = problems.size();
        Optional<YamlMapping> opened =
                YamlMapping.open(entry.value(), entry.path(), "a mapping with name and url", context, KEYS);
        if (opened.isEmpty()) {
            names.markIncomplete();
            return Optional.empty();
        }
        YamlMapping m = opened.get();
        Optional<String> name = m.requiredParsed("name", HOST_EXPECTED, UpstreamReader::parseHost);
        Optional<URI> url = readUrl(m);
        List<Located<String>> aliases = new ArrayList<>(
                m.list("aliases", HOST_EXPECTED, UpstreamReader::parseHost).orElse(List.of()));
        if (name.isEmpty()) {
            names.markIncomplete();
        } else {
            names.claim(name.get(), m.pathOf("name"), name.get(), problems);
            if (!m.has("aliases") && name.get().equals(Defaults.DOCKER_HUB)) {
                Defaults.DOCKER_HUB_ALIASES.forEach(alias -> aliases.add(new Located<>(m.pathOf("name"), alias)));
            }
            aliases.forEach(alias -> names.claim(alias.value(), alias.path(), name.get(), problems));
        }
        UpstreamCredentials credentials = CredentialReader.read(m);
        List<RepositoryCredentials> repositoryCredentials = RepositoryCredentialsReader.read(m);
        UpstreamTls tls = TlsReader.read(m, url);
        // Unless set, the known realm of a well-known registry (Docker Hub's auth.docker.io).
        List<String> realmHosts = m.has("authRealmHosts")
                ? values(m.list("authRealmHosts", HOST_EXPECTED, UpstreamReader::parseHost)
                        .orElse(List.of()))
                : url.map(Defaults::realmHostsFor).orElse(List.of());
        Duration connect = m.parsed("connectTimeout", Durations.POSITIVE_EXPECTED, Durations::parsePositive)
                .orElse(Defaults.CONNECT_TIMEOUT);
        Duration read = m.parsed("readTimeout", Durations.POSITIVE_EXPECTED, Durations::parsePositive)
                .orElse(Defaults.READ_TIMEOUT);
        // Unless set, a manifest never waits longer than a blob would.
        Duration manifest = m.parsed("manifestTimeout", Durations.POSITIVE_EXPECTED, Durations::parsePositive)
                .orElse(read.compareTo(Defaults.MANIFEST_TIMEOUT) < 0 ? read : Defaults.MANIFEST_TIMEOUT);
        UpstreamPolicy policy = PolicyReader.read(m);
        if (problems.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new UpstreamConfig(
                name.orElseThrow(),
                url.orElseThrow(),
                values(aliases),
                credentials,
                repositoryCredentials,
                realmHosts,
                connect,
                read,
                manifest,
                policy,
                tls));
    }

    /** A registry host, lowercase, with an optional port 1-65535; throws {@link IllegalArgumentException} otherwise. */
    static String parseHost(String text) {
        var matcher = HOST.matcher(text);
        if (!matcher.matches() || text.length() > 253) {
            throw new IllegalArgumentException("invalid host");
        }
        if (matcher.group(1) != null) {
            int port = Integer.parseInt(matcher.group(1));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("invalid port");
            }
        }
        return text;
    }

    private static Optional<URI> readUrl(YamlMapping m) {
        String path = m.pathOf("url");
        Problems problems = m.context().problems();
        Optional<String> text = m.requiredText("url", URL_EXPECTED);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        if (text.get().indexOf('@') >= 0) {
            // Never echo: the part before '@' is likely a password.
            problems.add(path, "credentials in the URL", "username with password or passwordFile");
            return Optional.empty();
        }
        URI uri;
        try {
            uri = new URI(text.get());
        } catch (URISyntaxException e) {
            problems.invalid(path, text.get(), URL_EXPECTED);
            return Optional.empty();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            problems.invalid(path, text.get(), URL_EXPECTED);
            return Optional.empty();
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            problems.invalid(path, text.get(), URL_EXPECTED + " without query or fragment");
            return Optional.empty();
        }
        String basePath = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
        return Optional.of(URI.create(scheme + "://" + uri.getRawAuthority() + basePath));
    }

    private static <T> List<T> values(List<Located<T>> located) {
        return located.stream().map(Located::value).toList();
    }
}
