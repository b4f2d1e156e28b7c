package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.lab.DockerEngine;
import dev.wharf.proxy.lab.ImageSeeder;
import dev.wharf.proxy.lab.RegistryProcess;
import dev.wharf.proxy.lab.RunningWharf;
import dev.wharf.proxy.lab.SeededImage;
import dev.wharf.proxy.lab.SeededSet;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Docker Engine pulling Docker Hub images through Wharf as its {@code registry-mirrors} entry. */
class DockerEngineIT {
    @Test
    void dockerPullsThroughWharfAsRegistryMirror(@TempDir Path data) throws Exception {
        try (RegistryProcess registry = RegistryProcess.anonymous()) {
            SeededSet seeded = ImageSeeder.of(registry).seedStandard();
            // Docker Hub is the upstream here: it is the only registry Docker sends to a mirror.
            String yaml = "upstreams:\n  - name: docker.io\n    url: " + registry.url() + "\n";
            try (RunningWharf wharf = RunningWharf.start(yaml, data);
                    DockerEngine docker = DockerEngine.start(wharf.url())) {
                registry.clearRequests();

                // "alpine:3.19" is docker.io/library/alpine: Docker adds library/, no ns is sent.
                docker.pull("alpine:3.19");
                docker.pull("multi:1");

                SeededImage alpine = seeded.alpine();
                assertTrue(
                        docker.repoDigests("alpine:3.19").contains("@" + alpine.manifestDigest()),
                        docker.repoDigests("alpine:3.19"));
                assertTrue(
                        docker.repoDigests("multi:1")
                                .contains("@" + seeded.multi().manifestDigest()),
                        docker.repoDigests("multi:1"));
                for (String blob : alpine.blobDigests()) {
                    assertEquals(
                            1,
                            registry.count("GET", ("/v2/library/alpine/blobs/" + blob)::equals),
                            "each layer fetched from the upstream once: " + blob);
                }
            }
        }
    }
}
