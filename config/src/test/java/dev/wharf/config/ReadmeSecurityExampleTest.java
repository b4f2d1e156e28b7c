package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The "Serving securely" example in README.md parses, given the files it names, and means what it says. */
class ReadmeSecurityExampleTest {
    private static final String MARKER = "<!-- This example is parsed by config's ReadmeSecurityExampleTest";

    @TempDir
    Path dir;

    @Test
    void readmeExamplePassesConfigCheck() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        int marker = readme.indexOf(MARKER);
        assertTrue(marker >= 0, "README.md lost the security example marker");
        int start = readme.indexOf("```yaml\n", marker) + "```yaml\n".length();
        String yaml = readme.substring(start, readme.indexOf("```\n", start));
        for (String cert : List.of("tls/tls.crt", "tls/clients-ca.crt")) {
            write(cert, "-----BEGIN CERTIFICATE-----\n");
        }
        write("tls/tls.key", "-----BEGIN PRIVATE KEY-----\n");
        write("htpasswd", "alice:$2y$05$x\n");
        write("secrets/ci-token", "t1\n");
        write("secrets/nodes-token", "t2\n");
        write("secrets/example", "pw\n");

        Security security = ConfigLoader.parse(yaml, Map.of(), dir).security();

        ServerTls tls = security.tls().orElseThrow();
        assertEquals(new HostPort("0.0.0.0", 5443), tls.listen());
        assertFalse(tls.clientCertificateRequired());
        ClientAuth auth = security.auth().orElseThrow();
        assertEquals(Optional.of(dir.resolve("htpasswd")), auth.htpasswd());
        assertEquals(
                List.of("ci", "nodes"),
                auth.tokens().stream().map(ClientAuth.Token::user).toList());
        assertTrue(auth.clientCertificates());
        AccessRule example = security.accessFor("registry.example.com").orElseThrow();
        assertTrue(example.allowsRepository("team-a/app"));
        assertFalse(example.allowsRepository("team-a/secret-app"));
        assertFalse(example.allowsRepository("team-b/app"));
        assertFalse(example.allowsUser(Optional.of("bob")));
        assertFalse(security.accessFor("docker.io").orElseThrow().allowsRepository("evil/cryptominer"));
    }

    private void write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
