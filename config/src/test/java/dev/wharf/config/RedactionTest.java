package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RedactionTest {
    private static final String SENTINEL = "S3NTINEL-pw-7d1e";
    private static final String HUB = "upstreams:\n  - name: docker.io\n    url: https://registry-1.docker.io\n";

    @Test
    void toStringNeverShowsPasswordOrToken() {
        String yaml = HUB
                + "    username: robot\n    password: " + SENTINEL + "\n"
                + "  - {name: ghcr.io, url: 'https://ghcr.io', token: '${TOKEN}'}\n";

        WharfConfig config = ConfigLoader.parse(yaml, Map.of("TOKEN", SENTINEL + "-token"), Path.of("/"));

        assertEquals(
                new UpstreamCredentials.Basic("robot", new Secret.Inline(SENTINEL)),
                config.upstreams().get(0).credentials());
        assertEquals(
                new UpstreamCredentials.Bearer(new Secret.Inline(SENTINEL + "-token")),
                config.upstreams().get(1).credentials());
        for (String shown : new String[] {
            config.toString(),
            config.upstreams().get(0).toString(),
            config.upstreams().get(1).toString()
        }) {
            assertFalse(shown.contains(SENTINEL), shown);
            assertTrue(shown.contains("***"), shown);
        }
        assertTrue(config.upstreams().get(0).toString().contains("username=robot"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "    username: robot\n    password: PW\n    token: PW\n",
                "    password: PW\n",
                "    password: [PW]\n",
                "    pasword: PW\n",
                "    username: robot\n    password: '${PW'\n",
                "    username: robot\n    password: '${PW:-x}'\n",
                "    username: robot\n    password: PW: x\n",
                "    username: robot\n    password: \"PW\n",
                "    username: robot\n    password: PW\n    password: PW\n",
                "    username: robot\n    token: PW\n",
                "    username: robot\n    password: PW\n    passwordFile: /nonexistent\n",
            })
    void noProblemEverShowsASecret(String credentials) {
        String yaml = HUB.replace("https://registry-1.docker.io", "https://robot:PW@registry-1.docker.io")
                + credentials.replace("PW", SENTINEL)
                + "maxStale: never\n";

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, Map.of(), Path.of("/")));

        assertFalse(e.getMessage().contains(SENTINEL), e.getMessage());
        assertFalse(e.problems().stream().anyMatch(problem -> problem.contains(SENTINEL)), e.getMessage());
    }
}
