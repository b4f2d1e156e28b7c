package dev.wharf.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.proxy.lab.TestCa;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys and certificates in the PEM forms openssl writes, made by a test CA. */
class PemTest {
    @TempDir
    Path dir;

    private final TestCa ca = TestCa.create("PemTest CA");

    @Test
    void readsPkcs8Pkcs1AndSec1Keys() throws IOException {
        ca.issueServer(dir.resolve("server.pem"), dir.resolve("pkcs8.key"));
        ca.issueClient(dir.resolve("rsa.pem"), dir.resolve("pkcs1.key"), false);
        ca.issueClient(dir.resolve("ec.pem"), dir.resolve("sec1.key"), true);

        assertEquals("RSA", Pem.privateKey(read("pkcs8.key")).getAlgorithm());
        assertEquals("RSA", Pem.privateKey(read("pkcs1.key")).getAlgorithm());
        assertEquals("EC", Pem.privateKey(read("sec1.key")).getAlgorithm());
        assertEquals(1, Pem.certificates(read("ec.pem")).size());
    }

    @Test
    void readsEveryCertificateOfABundleAndSkipsOtherBlocks() throws IOException {
        ca.writeCertificate(dir.resolve("ca.pem"));
        ca.issueServer(dir.resolve("server.pem"), dir.resolve("server.key"));

        String bundle = read("ca.pem") + "junk between blocks\n" + read("server.key") + read("server.pem");

        assertEquals(2, Pem.certificates(bundle).size());
    }

    @Test
    void refusesEncryptedAndMissingKeys() {
        IllegalArgumentException encrypted = assertThrows(
                IllegalArgumentException.class,
                () -> Pem.privateKey(
                        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"));
        IllegalArgumentException none = assertThrows(
                IllegalArgumentException.class,
                () -> Pem.privateKey("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"));

        assertEquals("the private key is encrypted (expected: an unencrypted key)", encrypted.getMessage());
        assertEquals("no PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block", none.getMessage());
    }

    private String read(String name) throws IOException {
        return Files.readString(dir.resolve(name));
    }
}
