package dev.wharf.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.UpstreamTls;
import dev.wharf.proxy.lab.TestCa;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpstreamSslTest {
    private static final URI URL = URI.create("https://registry.example:5000");

    @TempDir
    Path dir;

    private static UpstreamTls tls(
            Optional<Path> ca, Optional<Path> cert, Optional<Path> key, Optional<Path> certsDir) {
        return new UpstreamTls(ca, cert, key, false, certsDir);
    }

    @Test
    void defaultsNeedNoContextOfTheirOwn() {
        assertEquals(Optional.empty(), UpstreamSsl.of("up", URL, UpstreamTls.DEFAULT));
    }

    @Test
    void aCertificateThatDoesNotParseFailsStartUpNamingUpstreamKeyAndFile() throws IOException {
        Path ca = Files.writeString(
                dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");

        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> UpstreamSsl.of(
                        "up", URL, tls(Optional.of(ca), Optional.empty(), Optional.empty(), Optional.empty())));

        assertEquals(
                "upstream up: tls.caFile " + ca + ": a CERTIFICATE block is not a valid X.509 certificate",
                e.getMessage());
    }

    @Test
    void aKeyThatDoesNotParseFailsWithoutShowingIt() throws IOException {
        TestCa ca = TestCa.create("UpstreamSslTest CA");
        ca.issueClient(dir.resolve("client.pem"), dir.resolve("unused.key"), false);
        Path key = Files.writeString(
                dir.resolve("client.key"), "-----BEGIN PRIVATE KEY-----\nU0VDUkVU\n-----END PRIVATE KEY-----\n");

        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> UpstreamSsl.of(
                        "up",
                        URL,
                        tls(
                                Optional.empty(),
                                Optional.of(dir.resolve("client.pem")),
                                Optional.of(key),
                                Optional.empty())));

        assertTrue(e.getMessage().startsWith("upstream up: tls.keyFile " + key + ": the private key is not a valid"));
        assertFalse(e.getMessage().contains("U0VDUkVU"));
    }

    @Test
    void certsDirWithoutAFolderForTheHostStillMakesAContext() throws IOException {
        Files.createDirectories(dir.resolve("other.example"));

        Optional<UpstreamSsl> ssl =
                UpstreamSsl.of("up", URL, tls(Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(dir)));

        assertTrue(ssl.isPresent());
        assertFalse(ssl.get().insecureSkipVerify());
    }
}
