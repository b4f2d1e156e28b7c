package dev.wharf.proxy.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.config.ConfigLoader;
import dev.wharf.config.WharfConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageRefTest {
    private static final WharfConfig CONFIG = ConfigLoader.parse(
            "upstreams:\n"
                    + "  - {name: docker.io, url: https://registry-1.docker.io, aliases: [index.docker.io]}\n"
                    + "  - {name: ghcr.io, url: https://ghcr.io}\n"
                    + "  - {name: reg.local:5000, url: http://127.0.0.1:5000}\n",
            Map.of(),
            Path.of("."));

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "alpine, docker.io/library/alpine:latest",
        "alpine:3.19, docker.io/library/alpine:3.19",
        "index.docker.io/org/app:1, docker.io/org/app:1",
        "ghcr.io/org/app:2.1, ghcr.io/org/app:2.1",
        "reg.local:5000/team/app:v1, reg.local:5000/team/app:v1",
        "reg.local:5000/team/app, reg.local:5000/team/app:latest",
        "org/app@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,"
                + " docker.io/org/app@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    })
    void resolvesAsClientsNamesAreRouted(String text, String resolved) {
        assertEquals(resolved, ImageRef.parse(text, CONFIG).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"nowhere.example/org/app:1", "Org/App:1", "org/app:-bad", "org/app@sha256:abc"})
    void refusesUnknownUpstreamsAndInvalidNames(String text) {
        assertThrows(IllegalArgumentException.class, () -> ImageRef.parse(text, CONFIG));
    }
}
