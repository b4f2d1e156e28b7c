package dev.wharf.proxy.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.config.AccessRule;
import dev.wharf.config.ClientAuth;
import dev.wharf.config.Security;
import dev.wharf.proxy.pull.Target;
import dev.wharf.storage.RepositoryName;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecurityGateTest {
    private static final Target PUBLIC = new Target("docker.io", RepositoryName.parse("library/alpine"));
    private static final Target TEAM = new Target("registry.example", RepositoryName.parse("team/app"));
    private static final Target SECRET = new Target("registry.example", RepositoryName.parse("team/secret-app"));

    @TempDir
    Path dir;

    private SecurityGate gate;

    @BeforeEach
    void files() throws Exception {
        Files.writeString(
                dir.resolve("htpasswd"),
                "# users\nalice:" + OpenBSDBCrypt.generate("2y", "wonderland".toCharArray(), new byte[16], 5)
                        + "\nlegacy:$apr1$abc$def\nbob:"
                        + OpenBSDBCrypt.generate("2y", "builder".toCharArray(), salt(), 5)
                        + "\n");
        Files.writeString(dir.resolve("ci.token"), "token-of-ci\n");
    }

    @AfterEach
    void close() {
        if (gate != null) {
            gate.close();
        }
    }

    private static byte[] salt() {
        byte[] salt = new byte[16];
        salt[0] = 7;
        return salt;
    }

    private SecurityGate gate(boolean certificates, List<AccessRule> access) {
        gate = SecurityGate.of(new Security(
                Optional.empty(),
                Optional.of(new ClientAuth(
                        "corp",
                        Optional.of(dir.resolve("htpasswd")),
                        List.of(new ClientAuth.Token("ci", dir.resolve("ci.token"))),
                        certificates)),
                access));
        return gate;
    }

    private static Caller basic(String user, String password) {
        String value = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return new Caller(Optional.of("Basic " + value), Optional::empty);
    }

    private static Caller header(String value) {
        return new Caller(Optional.of(value), Optional::empty);
    }

    private static Refusal refused(CompletableFuture<Void> admitted) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> admitted.get(10, TimeUnit.SECONDS));
        return assertInstanceOf(Refusal.class, e.getCause());
    }

    private static void admitted(CompletableFuture<Void> admitted) throws Exception {
        assertNull(admitted.get(10, TimeUnit.SECONDS));
    }

    @Test
    void basicUsersWithTheirBcryptPasswordAndBearerTokensAreAdmitted() throws Exception {
        SecurityGate gate = gate(false, List.of());
        admitted(gate.admit(basic("alice", "wonderland"), Optional.empty()));
        admitted(gate.admit(basic("bob", "builder"), Optional.of(PUBLIC)));
        admitted(gate.admit(header("Bearer token-of-ci"), Optional.of(PUBLIC)));
        admitted(gate.admit(header("bearer   token-of-ci"), Optional.of(PUBLIC)));
    }

    @Test
    void everythingElseIsChallengedWithBasicAndTheRealm() {
        SecurityGate gate = gate(false, List.of());
        for (Caller caller : List.of(
                new Caller(Optional.empty(), Optional::empty),
                basic("alice", "wrong"),
                basic("nobody", "wonderland"),
                basic("legacy", "anything"),
                basic("alice", ""),
                header("Basic not-base64!"),
                header("Basic " + Base64.getEncoder().encodeToString("no-colon".getBytes(StandardCharsets.UTF_8))),
                header("Bearer token-of-c"),
                header("Bearer "),
                header("Digest username=alice"))) {
            Refusal refusal = refused(gate.admit(caller, Optional.empty()));
            assertEquals(Refusal.Kind.UNAUTHORIZED, refusal.kind(), caller.toString());
            assertEquals(List.of("Basic realm=\"corp\""), refusal.challenges());
        }
    }

    @Test
    void onlyTokensMeansABearerChallenge() {
        gate = SecurityGate.of(new Security(
                Optional.empty(),
                Optional.of(new ClientAuth(
                        "wharf",
                        Optional.empty(),
                        List.of(new ClientAuth.Token("ci", dir.resolve("ci.token"))),
                        false)),
                List.of()));
        Refusal refusal = refused(gate.admit(basic("alice", "wonderland"), Optional.empty()));
        assertEquals(List.of("Bearer realm=\"wharf\""), refusal.challenges());
    }

    @Test
    void aChangedPasswordFileIsReadAgain() throws Exception {
        SecurityGate gate = gate(false, List.of());
        refused(gate.admit(basic("carol", "new"), Optional.empty()));
        Files.writeString(
                dir.resolve("htpasswd"),
                "carol:" + OpenBSDBCrypt.generate("2y", "new".toCharArray(), salt(), 5) + "\n",
                java.nio.file.StandardOpenOption.APPEND);
        admitted(gate.admit(basic("carol", "new"), Optional.empty()));
    }

    @Test
    void aVerifiedClientCertificateNamesItsUserByCommonName() throws Exception {
        X509Certificate certificate = SelfSignedCertificate.create("127.0.0.1").certificate(); // CN=wharf self-signed
        SecurityGate gate = gate(
                true, List.of(new AccessRule("registry.example", List.of(), List.of(), List.of("wharf self-signed"))));
        admitted(gate.admit(new Caller(Optional.empty(), () -> Optional.of(certificate)), Optional.of(TEAM)));
        // A wrong header is refused even with a valid certificate.
        refused(gate.admit(new Caller(Optional.of("Bearer nope"), () -> Optional.of(certificate)), Optional.of(TEAM)));
        assertEquals(Optional.of("wharf self-signed"), ClientAuthenticator.commonName(certificate));
    }

    @Test
    void accessRulesDenyRepositoriesAndUsersAfterAuthentication() throws Exception {
        SecurityGate gate = gate(
                false,
                List.of(new AccessRule(
                        "registry.example", List.of("team/*"), List.of("team/secret*"), List.of("alice"))));
        admitted(gate.admit(basic("alice", "wonderland"), Optional.of(TEAM)));
        admitted(gate.admit(basic("bob", "builder"), Optional.of(PUBLIC)));
        assertEquals(
                Refusal.Kind.DENIED,
                refused(gate.admit(basic("alice", "wonderland"), Optional.of(SECRET)))
                        .kind());
        assertEquals(
                Refusal.Kind.DENIED,
                refused(gate.admit(basic("bob", "builder"), Optional.of(TEAM))).kind());
        assertEquals(
                Refusal.Kind.UNAUTHORIZED,
                refused(gate.admit(new Caller(Optional.empty(), Optional::empty), Optional.of(SECRET)))
                        .kind());
    }

    @Test
    void withoutAuthenticationOnlyRepositoryRulesApply() throws Exception {
        gate = SecurityGate.of(new Security(
                Optional.empty(),
                Optional.empty(),
                List.of(new AccessRule("registry.example", List.of(), List.of("team/secret*"), List.of()))));
        Caller anonymous = new Caller(Optional.empty(), Optional::empty);
        admitted(gate.admit(anonymous, Optional.empty()));
        admitted(gate.admit(anonymous, Optional.of(TEAM)));
        assertEquals(
                Refusal.Kind.DENIED,
                refused(gate.admit(anonymous, Optional.of(SECRET))).kind());
    }

    @Test
    void theCallerNeverShowsItsHeader() {
        assertEquals(
                "Caller[authorization=<redacted>]", basic("alice", "wonderland").toString());
    }
}
