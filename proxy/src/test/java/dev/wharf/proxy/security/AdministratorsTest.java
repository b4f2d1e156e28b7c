package dev.wharf.proxy.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.config.ClientAuth;
import dev.wharf.config.Security;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

class AdministratorsTest {
    private static final InetSocketAddress FROM = new InetSocketAddress("127.0.0.1", 40000);

    @TempDir
    Path dir;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private SecurityGate gate;

    @BeforeEach
    void files() throws Exception {
        Files.writeString(
                dir.resolve("htpasswd"),
                "alice:" + OpenBSDBCrypt.generate("2y", "wonderland".toCharArray(), new byte[16], 5) + "\nbob:"
                        + OpenBSDBCrypt.generate("2y", "builder".toCharArray(), new byte[16], 5) + "\n");
        Files.writeString(dir.resolve("robot.token"), "token-of-robot\n");
    }

    @AfterEach
    void close() {
        if (gate != null) {
            gate.close();
        }
    }

    private AdminGate admins(List<String> admins) {
        gate = SecurityGate.of(new Security(
                Optional.empty(),
                Optional.of(new ClientAuth(
                        "corp",
                        Optional.of(dir.resolve("htpasswd")),
                        List.of(new ClientAuth.Token("ops-robot", dir.resolve("robot.token"))),
                        false,
                        admins)),
                List.of()));
        return gate.adminGate(meters);
    }

    @Test
    void withoutAuthEveryoneIsLetIn() {
        gate = SecurityGate.of(Security.NONE);
        assertSame(AdminGate.OPEN, gate.adminGate(meters));
    }

    @Test
    void administratorsByPasswordOrTokenAreLetIn() throws Exception {
        AdminGate admins = admins(List.of("alice", "ops-robot"));
        assertNull(admins.admit(basic("alice", "wonderland"), FROM).get(10, TimeUnit.SECONDS));
        assertNull(admins.admit(header("Bearer token-of-robot"), FROM).get(10, TimeUnit.SECONDS));
        assertEquals(0, failures("invalid_credentials") + failures("not_admin"));
    }

    @Test
    void missingCredentialsAreChallengedWithoutCountingAFailure() {
        Refusal refusal = refused(admins(List.of("alice")).admit(header(null), FROM));
        assertEquals(Refusal.Kind.UNAUTHORIZED, refusal.kind());
        assertEquals(List.of("Basic realm=\"corp\""), refusal.challenges());
        assertEquals(0, failures("invalid_credentials"));
    }

    @Test
    void wrongCredentialsAndNonAdministratorsAreRefusedAndCounted() {
        AdminGate admins = admins(List.of("alice"));
        assertEquals(
                Refusal.Kind.UNAUTHORIZED,
                refused(admins.admit(basic("alice", "nope"), FROM)).kind());
        assertEquals(
                Refusal.Kind.UNAUTHORIZED,
                refused(admins.admit(header("Bearer nope"), FROM)).kind());
        assertEquals(
                Refusal.Kind.DENIED,
                refused(admins.admit(basic("bob", "builder"), FROM)).kind());
        assertEquals(
                Refusal.Kind.DENIED,
                refused(admins.admit(header("Bearer token-of-robot"), FROM)).kind());
        assertEquals(2, failures("invalid_credentials"));
        assertEquals(2, failures("not_admin"));
    }

    @Test
    void anEmptyListLetsNobodyIn() {
        AdminGate admins = admins(List.of());
        assertEquals(
                Refusal.Kind.DENIED,
                refused(admins.admit(basic("alice", "wonderland"), FROM)).kind());
    }

    private double failures(String reason) {
        return meters.get(Administrators.FAILURES)
                .tag("reason", reason)
                .counter()
                .count();
    }

    private static Refusal refused(CompletableFuture<Void> admitted) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> admitted.get(10, TimeUnit.SECONDS));
        return assertInstanceOf(Refusal.class, e.getCause());
    }

    private static Caller basic(String user, String password) {
        String value = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return header("Basic " + value);
    }

    private static Caller header(String value) {
        return new Caller(Optional.ofNullable(value), Optional::empty);
    }
}
