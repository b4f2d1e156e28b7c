package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsConfigTest {
    private static final String CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

    @TempDir
    Path dir;

    private WharfConfig parse(String url, String tls) {
        return ConfigLoader.parse(
                "defaultUpstream: registry.example\nupstreams:\n  - name: registry.example\n    url: " + url
                        + "\n    tls: " + tls + "\n",
                Map.of(),
                dir);
    }

    private List<String> problems(String url, String tls) {
        return assertThrows(ConfigException.class, () -> parse(url, tls)).problems();
    }

    @Test
    void readsEveryKeyResolvingPathsAgainstTheBaseDir() throws IOException {
        Files.writeString(dir.resolve("ca.pem"), CERT);
        Files.writeString(dir.resolve("client.pem"), CERT);
        Files.writeString(dir.resolve("client.key"), "-----BEGIN EC PRIVATE KEY-----\n");
        Files.createDirectories(dir.resolve("certs.d"));

        UpstreamTls tls = parse(
                        "https://registry.example",
                        "{caFile: ca.pem, certFile: client.pem, keyFile: client.key, insecureSkipVerify: true,"
                                + " certsDir: certs.d}")
                .upstreams()
                .get(0)
                .tls();

        assertEquals(
                new UpstreamTls(
                        Optional.of(dir.resolve("ca.pem")),
                        Optional.of(dir.resolve("client.pem")),
                        Optional.of(dir.resolve("client.key")),
                        true,
                        Optional.of(dir.resolve("certs.d"))),
                tls);
    }

    @Test
    void absentMeansTheJdkDefaults() {
        assertEquals(
                UpstreamTls.DEFAULT,
                ConfigLoader.parse(
                                "defaultUpstream: a.example\nupstreams:\n  - {name: a.example, url: 'https://a.example'}\n",
                                Map.of(),
                                dir)
                        .upstreams()
                        .get(0)
                        .tls());
        assertEquals(
                UpstreamTls.DEFAULT,
                parse("https://registry.example", "{insecureSkipVerify: false}")
                        .upstreams()
                        .get(0)
                        .tls());
    }

    @Test
    void reportsEveryInvalidForm() throws IOException {
        Files.writeString(dir.resolve("client.pem"), CERT);
        Files.writeString(dir.resolve("file"), "x");
        Files.writeString(dir.resolve("encrypted.key"), "-----BEGIN ENCRYPTED PRIVATE KEY-----\n");

        assertEquals(
                List.of("upstreams[0].tls: a scalar"
                        + " (expected: a mapping with caFile, certFile, keyFile, insecureSkipVerify, certsDir)"),
                problems("https://registry.example", "yes"));
        assertEquals(List.of("upstreams[0].tls.ca: unknown key"), problems("https://registry.example", "{ca: x}"));
        assertEquals(
                List.of("upstreams[0].tls.caFile: \"" + dir.resolve("missing.pem")
                        + "\" does not exist (expected: a readable PEM file of CA certificates)"),
                problems("https://registry.example", "{caFile: missing.pem}"));
        assertEquals(
                List.of("upstreams[0].tls.certFile: set without keyFile (expected: certFile and keyFile together)"),
                problems("https://registry.example", "{certFile: client.pem}"));
        assertEquals(
                List.of(
                        "upstreams[0].tls.keyFile: \"" + dir.resolve("missing.key")
                                + "\" does not exist (expected: a readable PEM file with the client's private key)",
                        "upstreams[0].tls.keyFile: set without certFile (expected: certFile and keyFile together)"),
                problems("https://registry.example", "{keyFile: missing.key}"));
        assertEquals(
                List.of("upstreams[0].tls.caFile: \"" + dir.resolve("file")
                        + "\" has no CERTIFICATE block (expected: a readable PEM file of CA certificates)"),
                problems("https://registry.example", "{caFile: file}"));
        assertEquals(
                List.of("upstreams[0].tls.keyFile: \"" + dir.resolve("encrypted.key")
                        + "\" holds an encrypted key (expected: an unencrypted key)"),
                problems("https://registry.example", "{certFile: client.pem, keyFile: encrypted.key}"));
        assertEquals(
                List.of("upstreams[0].tls.keyFile: \"" + dir.resolve("client.pem") + "\" has no PRIVATE KEY,"
                        + " RSA PRIVATE KEY or EC PRIVATE KEY block"
                        + " (expected: a readable PEM file with the client's private key)"),
                problems("https://registry.example", "{certFile: client.pem, keyFile: client.pem}"));
        assertEquals(
                List.of("upstreams[0].tls.insecureSkipVerify: \"maybe\" (expected: true or false)"),
                problems("https://registry.example", "{insecureSkipVerify: maybe}"));
        assertEquals(
                List.of("upstreams[0].tls.certsDir: \"" + dir.resolve("file") + "\" is not a readable folder"
                        + " (expected: a folder holding <host>/ or <host:port>/ folders, as /etc/docker/certs.d does)"),
                problems("https://registry.example", "{certsDir: file}"));
        assertEquals(
                List.of("upstreams[0].tls: set for an http url (expected: an https url with tls)"),
                problems("http://registry.example", "{insecureSkipVerify: true}"));
    }
}
