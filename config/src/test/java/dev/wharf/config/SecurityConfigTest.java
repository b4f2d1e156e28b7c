package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecurityConfigTest {
    private static final String CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    private static final String KEY = "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n";
    private static final String UPSTREAMS = "defaultUpstream: docker.io\nupstreams:\n"
            + "  - name: docker.io\n    url: https://registry-1.docker.io\n"
            + "  - name: registry.example\n    url: https://registry.example\n";

    @TempDir
    Path dir;

    private WharfConfig parse(String yaml) {
        return ConfigLoader.parse(UPSTREAMS + yaml, Map.of(), dir);
    }

    private List<String> problems(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml)).problems();
    }

    @Test
    void offByDefault() {
        assertEquals(Security.NONE, parse("").security());
    }

    @Test
    void readsEveryKeyResolvingPathsAgainstTheBaseDir() throws IOException {
        Files.writeString(dir.resolve("tls.crt"), CERT);
        Files.writeString(dir.resolve("tls.key"), KEY);
        Files.writeString(dir.resolve("clients.crt"), CERT);
        Files.writeString(dir.resolve("htpasswd"), "alice:$2y$05$abc\n");
        Files.writeString(dir.resolve("ci.token"), "s3cr3t\n");

        Security security = parse("tlsListen: 0.0.0.0:5443\n"
                        + "tls: {certFile: tls.crt, keyFile: tls.key, clientCaFile: clients.crt, clientAuth: optional}\n"
                        + "auth:\n  realm: corp\n  htpasswd: htpasswd\n  tokens: [{user: ci, file: ci.token}]\n"
                        + "  clientCertificates: true\n"
                        + "access:\n  - upstream: registry.example\n    allow: [team/*]\n    deny: [team/secret*]\n"
                        + "    users: [alice, ci]\n")
                .security();

        assertEquals(
                Optional.of(new ServerTls(
                        new HostPort("0.0.0.0", 5443),
                        Optional.of(dir.resolve("tls.crt")),
                        Optional.of(dir.resolve("tls.key")),
                        Optional.of(dir.resolve("clients.crt")),
                        false)),
                security.tls());
        assertEquals(
                Optional.of(new ClientAuth(
                        "corp",
                        Optional.of(dir.resolve("htpasswd")),
                        List.of(new ClientAuth.Token("ci", dir.resolve("ci.token"))),
                        true)),
                security.auth());
        assertEquals(
                List.of(new AccessRule(
                        "registry.example", List.of("team/*"), List.of("team/secret*"), List.of("alice", "ci"))),
                security.access());
    }

    @Test
    void selfSignedNeedsNoFilesAndAClientCaIsRequiredByDefault() throws IOException {
        Files.writeString(dir.resolve("clients.crt"), CERT);
        ServerTls tls = parse("tlsListen: 127.0.0.1:5443\ntls: {selfSigned: true, clientCaFile: clients.crt}\n")
                .security()
                .tls()
                .orElseThrow();
        assertTrue(tls.selfSigned());
        assertTrue(tls.clientCertificateRequired());
    }

    @Test
    void accessRulesMatchRepositoriesAndUsers() {
        AccessRule rule = new AccessRule("x", List.of("team/*"), List.of("team/secret*"), List.of("alice"));
        assertTrue(rule.allowsRepository("team/app"));
        assertTrue(rule.allowsRepository("team/sub/app"));
        assertFalse(rule.allowsRepository("team/secret-app"));
        assertFalse(rule.allowsRepository("other/app"));
        assertTrue(rule.allowsUser(Optional.of("alice")));
        assertFalse(rule.allowsUser(Optional.of("bob")));
        assertFalse(rule.allowsUser(Optional.empty()));
        AccessRule open = new AccessRule("x", List.of(), List.of("private/*"), List.of());
        assertTrue(open.allowsRepository("library/nginx"));
        assertTrue(open.allowsUser(Optional.empty()));
    }

    @Test
    void aliasesNameTheCanonicalUpstream() {
        Security security = parse("access:\n  - upstream: index.docker.io\n    deny: [library/*]\n")
                .security();
        assertEquals("docker.io", security.access().get(0).upstream());
        assertTrue(security.accessFor("docker.io").isPresent());
        assertTrue(security.accessFor("registry.example").isEmpty());
    }

    @Test
    void everyMistakeIsReportedWithItsPath() {
        List<String> problems = problems("tls: {certFile: missing.crt}\n"
                + "auth: {realm: \"a\\\"b\", tokens: [{user: \"a:b\"}]}\n"
                + "access:\n  - upstream: nowhere.example\n    allow: [\"a:b\"]\n    users: [bob]\n"
                + "  - {upstream: docker.io, surprise: 1}\n");
        assertEquals(
                List.of(
                        "tlsListen: missing (expected: the host:port of the TLS listener, when tls is set)",
                        "auth.realm: \"a\\\"b\" (expected: 1-128 printable ASCII characters without quotes or backslashes)",
                        "auth.tokens[0].user: \"a:b\" (expected: a user name without ':' or control characters)",
                        "auth.tokens[0].file: missing (expected: a readable file holding the token)",
                        "access[0].upstream: \"nowhere.example\" (expected: " + UpstreamNames.EXPECTED_REFERENCE + ")",
                        "access[0].allow[0]: \"a:b\" (expected: a repository glob like team/* (no ':'))",
                        "access[0].users: set while auth is off (expected: auth with htpasswd, tokens or"
                                + " clientCertificates)",
                        "access[1].surprise: unknown key"),
                problems);
    }

    @Test
    void tlsNeedsFilesOrSelfSignedAndAnAddressOfItsOwn() throws IOException {
        Files.writeString(dir.resolve("tls.crt"), CERT);
        assertEquals(
                List.of("tls: neither certFile and keyFile nor selfSigned: true (expected: a mapping with certFile and"
                        + " keyFile, or selfSigned: true)"),
                problems("tlsListen: 127.0.0.1:5443\ntls: {}\n"));
        assertEquals(
                List.of("tls.certFile: set without keyFile (expected: certFile and keyFile together)"),
                problems("tlsListen: 127.0.0.1:5443\ntls: {certFile: tls.crt}\n"));
        assertEquals(
                List.of("tlsListen: \"0.0.0.0:5000\" (expected: an address other than listen and adminListen)"),
                problems("tlsListen: 0.0.0.0:5000\ntls: {selfSigned: true}\n"));
        assertEquals(
                List.of("auth.clientCertificates: true without tls.clientCaFile (expected: tls.clientCaFile set)"),
                problems("tlsListen: 127.0.0.1:5443\ntls: {selfSigned: true}\nauth: {clientCertificates: true}\n"));
        assertEquals(
                List.of("access[0].users: set while auth is off (expected: auth with htpasswd, tokens or"
                        + " clientCertificates)"),
                problems("access: [{upstream: docker.io, users: [alice]}]\n"));
    }

    @Test
    void adminsAreUserNamesAndDefaultToNobody() throws IOException {
        Files.writeString(dir.resolve("htpasswd"), "alice:$2y$05$abc\n");
        ClientAuth auth = parse("auth: {htpasswd: htpasswd, admins: [alice, ops-robot]}\n")
                .security()
                .auth()
                .orElseThrow();
        assertEquals(List.of("alice", "ops-robot"), auth.admins());
        assertTrue(auth.isAdmin("ops-robot"));
        assertFalse(auth.isAdmin("bob"));
        assertEquals(
                List.of(),
                parse("auth: {htpasswd: htpasswd}\n")
                        .security()
                        .auth()
                        .orElseThrow()
                        .admins());
        assertEquals(
                List.of("auth.admins[1]: \"a:b\" (expected: a user name without ':' or control characters)"),
                problems("auth: {htpasswd: htpasswd, admins: [alice, \"a:b\"]}\n"));
        assertEquals(
                List.of("auth.admins: a scalar (expected: a list of a user name without ':' or control characters)"),
                problems("auth: {htpasswd: htpasswd, admins: alice}\n"));
    }
}
