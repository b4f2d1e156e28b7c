package dev.wharf.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the top-level keys that serve the registry API safely: {@code tlsListen} and {@code tls}, {@code auth} and
 * {@code access}. Files must exist and be readable now; certificates, keys, htpasswd and tokens are read again by
 * the server when they change.
 */
final class SecurityReader {
    static final Set<String> KEYS = Set.of("tlsListen", "tls", "auth", "access");
    private static final Set<String> TLS_KEYS =
            Set.of("certFile", "keyFile", "selfSigned", "clientCaFile", "clientAuth");
    private static final Set<String> AUTH_KEYS = Set.of("realm", "htpasswd", "tokens", "clientCertificates", "admins");
    private static final Set<String> TOKEN_KEYS = Set.of("user", "file");
    private static final Set<String> ACCESS_KEYS = Set.of("upstream", "allow", "deny", "users");
    private static final String TLS_EXPECTED = "a mapping with certFile and keyFile, or selfSigned: true";
    private static final String USER_EXPECTED = "a user name without ':' or control characters";
    private static final String GLOB_EXPECTED = "a repository glob like team/* (no ':')";
    private static final Pattern USER = Pattern.compile("[^:\\p{Cntrl}]{1,128}");
    private static final Pattern REALM = Pattern.compile("[\\x20-\\x7e&&[^\"\\\\]]{1,128}");
    private static final String DEFAULT_REALM = "wharf";

    private SecurityReader() {}

    /** The security settings of the top-level mapping {@code m}; {@link Security#NONE} parts when absent. */
    static Security read(YamlMapping m, HostPort listen, HostPort adminListen, UpstreamNames names) {
        Optional<ServerTls> tls = readTls(m, listen, adminListen);
        Optional<ClientAuth> auth = m.node("auth")
                .flatMap(node -> YamlMapping.open(
                        node,
                        "auth",
                        "a mapping with realm, htpasswd, tokens, clientCertificates, admins",
                        m.context(),
                        AUTH_KEYS))
                .flatMap(a -> readAuth(a, tls));
        List<AccessRule> access = readAccess(m, names, auth.isPresent());
        return new Security(tls, auth, access);
    }

    private static Optional<ServerTls> readTls(YamlMapping m, HostPort listen, HostPort adminListen) {
        Problems problems = m.context().problems();
        Optional<HostPort> tlsListen = m.parsed("tlsListen", "host:port with port 1-65535", HostPort::parse);
        Optional<YamlMapping> opened =
                m.node("tls").flatMap(node -> YamlMapping.open(node, "tls", TLS_EXPECTED, m.context(), TLS_KEYS));
        if (m.has("tls") && !m.has("tlsListen")) {
            problems.add("tlsListen", "missing", "the host:port of the TLS listener, when tls is set");
        }
        if (m.has("tlsListen") && !m.has("tls")) {
            problems.add("tls", "missing", TLS_EXPECTED + ", when tlsListen is set");
        }
        tlsListen.ifPresent(address -> {
            if (address.equals(listen) || address.equals(adminListen)) {
                problems.invalid("tlsListen", address.toString(), "an address other than listen and adminListen");
            }
        });
        if (opened.isEmpty() || tlsListen.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping t = opened.get();
        int before = problems.size();
        boolean selfSigned = t.parsed("selfSigned", PolicyReader.BOOLEAN_EXPECTED, PolicyReader::parseBoolean)
                .orElse(false);
        Optional<Path> cert =
                TlsReader.file(t, "certFile", "a readable PEM file with the certificate chain", TlsReader.CERTIFICATE);
        Optional<Path> key =
                TlsReader.file(t, "keyFile", "a readable PEM file with the private key", TlsReader.PRIVATE_KEY);
        boolean files = t.has("certFile") || t.has("keyFile");
        if (selfSigned && files) {
            problems.add(
                    "tls.selfSigned",
                    "true with certFile or keyFile",
                    "either selfSigned: true or certFile and keyFile");
        } else if (!selfSigned && !files) {
            problems.add("tls", "neither certFile and keyFile nor selfSigned: true", TLS_EXPECTED);
        } else if (t.has("certFile") != t.has("keyFile")) {
            String set = t.has("certFile") ? "certFile" : "keyFile";
            problems.add(
                    t.pathOf(set),
                    "set without " + (set.equals("certFile") ? "keyFile" : "certFile"),
                    "certFile and keyFile together");
        }
        Optional<Path> clientCa = TlsReader.file(
                t,
                "clientCaFile",
                "a readable PEM file of the CAs that issue client certificates",
                TlsReader.CERTIFICATE);
        boolean required = t.parsed("clientAuth", "require or optional", SecurityReader::parseClientAuth)
                .orElse(true);
        if (t.has("clientAuth") && !t.has("clientCaFile")) {
            problems.add(
                    "tls.clientAuth", "set without clientCaFile", "clientCaFile with the client certificates' CAs");
        }
        if (problems.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new ServerTls(tlsListen.get(), cert, key, clientCa, clientCa.isPresent() && required));
    }

    private static boolean parseClientAuth(String text) {
        return switch (text) {
            case "require" -> true;
            case "optional" -> false;
            default -> throw new IllegalArgumentException("not require or optional");
        };
    }

    private static Optional<ClientAuth> readAuth(YamlMapping a, Optional<ServerTls> tls) {
        Problems problems = a.context().problems();
        int before = problems.size();
        String realm = a.parsed("realm", "1-128 printable ASCII characters without quotes or backslashes", text -> {
                    if (!REALM.matcher(text).matches()) {
                        throw new IllegalArgumentException("bad realm");
                    }
                    return text;
                })
                .orElse(DEFAULT_REALM);
        Optional<Path> htpasswd = a.text("htpasswd", "a readable htpasswd file with bcrypt entries")
                .flatMap(text -> readable(a, "htpasswd", text, "a readable htpasswd file with bcrypt entries"));
        List<ClientAuth.Token> tokens = new ArrayList<>();
        Set<String> tokenUsers = new HashSet<>();
        a.elements("tokens", "a list of mappings with user and file")
                .orElse(List.of())
                .forEach(entry -> YamlMapping.open(
                                entry.value(), entry.path(), "a mapping with user and file", a.context(), TOKEN_KEYS)
                        .ifPresent(t -> {
                            Optional<String> user = t.requiredParsed("user", USER_EXPECTED, SecurityReader::parseUser);
                            Optional<Path> file = t.requiredText("file", "a readable file holding the token")
                                    .flatMap(text -> readable(t, "file", text, "a readable file holding the token"));
                            user.ifPresent(u -> {
                                if (!tokenUsers.add(u)) {
                                    problems.invalid(t.pathOf("user"), u, "one token per user");
                                }
                            });
                            if (user.isPresent() && file.isPresent()) {
                                tokens.add(new ClientAuth.Token(user.get(), file.get()));
                            }
                        }));
        boolean certificates = a.parsed("clientCertificates", PolicyReader.BOOLEAN_EXPECTED, PolicyReader::parseBoolean)
                .orElse(false);
        if (certificates && tls.flatMap(ServerTls::clientCaFile).isEmpty()) {
            problems.add("auth.clientCertificates", "true without tls.clientCaFile", "tls.clientCaFile set");
        }
        List<String> admins = values(a.list("admins", USER_EXPECTED, SecurityReader::parseUser));
        if (!a.has("htpasswd") && !a.has("tokens") && !certificates) {
            problems.add("auth", "no way to authenticate", "htpasswd, tokens or clientCertificates: true");
        }
        if (problems.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new ClientAuth(realm, htpasswd, tokens, certificates, admins));
    }

    private static List<AccessRule> readAccess(YamlMapping m, UpstreamNames names, boolean authOn) {
        Problems problems = m.context().problems();
        List<AccessRule> rules = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Located<JsonNode> entry : m.elements("access", "a list of rules with upstream, allow, deny, users")
                .orElse(List.of())) {
            Optional<YamlMapping> opened = YamlMapping.open(
                    entry.value(),
                    entry.path(),
                    "a mapping with upstream, allow, deny, users",
                    m.context(),
                    ACCESS_KEYS);
            if (opened.isEmpty()) {
                continue;
            }
            YamlMapping r = opened.get();
            int before = problems.size();
            Optional<String> upstream = r.requiredText("upstream", UpstreamNames.EXPECTED_REFERENCE)
                    .flatMap(reference -> names.resolve(reference, r.pathOf("upstream"), problems));
            upstream.ifPresent(name -> {
                if (!seen.add(name)) {
                    problems.invalid(r.pathOf("upstream"), name, "one access rule per upstream");
                }
            });
            List<String> allow = values(r.list("allow", GLOB_EXPECTED, SecurityReader::parseGlob));
            List<String> deny = values(r.list("deny", GLOB_EXPECTED, SecurityReader::parseGlob));
            List<String> users = values(r.list("users", USER_EXPECTED, SecurityReader::parseUser));
            if (!users.isEmpty() && !authOn) {
                problems.add(
                        r.pathOf("users"), "set while auth is off", "auth with htpasswd, tokens or clientCertificates");
            }
            if (problems.size() == before && upstream.isPresent()) {
                rules.add(new AccessRule(upstream.get(), allow, deny, users));
            }
        }
        return rules;
    }

    private static Optional<Path> readable(YamlMapping m, String key, String text, String expected) {
        Path resolved = m.context().baseDir().resolve(text).toAbsolutePath().normalize();
        if (!Files.isRegularFile(resolved) || !Files.isReadable(resolved)) {
            m.context()
                    .problems()
                    .add(m.pathOf(key), Problems.quote(resolved.toString()) + " is not a readable file", expected);
            return Optional.empty();
        }
        return Optional.of(resolved);
    }

    private static String parseUser(String text) {
        if (!USER.matcher(text).matches()) {
            throw new IllegalArgumentException("bad user");
        }
        return text;
    }

    private static String parseGlob(String text) {
        if (text.isEmpty() || text.indexOf(':') >= 0 || text.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new IllegalArgumentException("bad glob");
        }
        return text;
    }

    private static <T> List<T> values(Optional<List<Located<T>>> located) {
        return located.orElse(List.of()).stream().map(Located::value).toList();
    }
}
