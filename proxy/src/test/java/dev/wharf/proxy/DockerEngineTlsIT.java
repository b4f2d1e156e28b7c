package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.lab.DockerEngine;
import dev.wharf.proxy.lab.FreePort;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.SeededImage;
import dev.wharf.proxy.lab.TestCa;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Docker Engine pulling through Wharf's TLS listener as its {@code registry-mirrors} entry, trusting Wharf's CA
 * the way Docker users do: a {@code ca.crt} in {@code /etc/docker/certs.d/HOST:PORT/} (the engine reads only that
 * folder; the test removes what it added).
 */
class DockerEngineTlsIT {
    private static final Path CERTS_D = Path.of("/etc/docker/certs.d");

    @TempDir
    Path dir;

    @Test
    void dockerPullsThroughWharfsTlsListenerWithTheCaInCertsD() throws Exception {
        TestCa ca = TestCa.create("Wharf Docker CA");
        ca.issueServer(dir.resolve("tls.crt"), dir.resolve("tls.key"));
        int port = FreePort.find();
        Path hostDir = CERTS_D.resolve("127.0.0.1:" + port);
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            SeededImage alpine = ImageSeeder.of(registry).seedStandard().alpine();
            String yaml = "upstreams:\n  - name: docker.io\n    url: " + registry.url() + "\n"
                    + "tlsListen: 127.0.0.1:" + port + "\n"
                    + "tls: {certFile: " + dir.resolve("tls.crt") + ", keyFile: " + dir.resolve("tls.key") + "}\n";
            try (RunningWharf wharf = RunningWharf.start(yaml, dir.resolve("data"))) {
                assertEquals("127.0.0.1:" + port, wharf.tlsHost());
                Files.createDirectories(hostDir);
                ca.writeCertificate(hostDir.resolve("ca.crt"));
                try (DockerEngine docker = DockerEngine.start(URI.create("https://127.0.0.1:" + port))) {
                    registry.clearRequests();

                    docker.pull("alpine:3.19");

                    assertTrue(
                            docker.repoDigests("alpine:3.19").contains("@" + alpine.manifestDigest()),
                            docker.repoDigests("alpine:3.19"));
                    for (String blob : alpine.blobDigests()) {
                        assertEquals(
                                1,
                                registry.count("GET", ("/v2/library/alpine/blobs/" + blob)::equals),
                                "fetched by Wharf once, the engine reaching only Wharf: " + blob);
                    }
                }
            }
        } finally {
            delete(hostDir);
        }
    }

    private static void delete(Path tree) throws IOException {
        if (!Files.exists(tree)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(tree)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
