package dev.wharf.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RealmPolicyTest {
    static final List<String> ALLOWED = List.of("tokens.partner.example", "auth.other.example:8443");
    static final List<String> DOCKER_HUB = List.of("auth.docker.io:443");

    @ParameterizedTest(name = "{1} for upstream {0}: {2}")
    @CsvSource({
        // The upstream's own origin: scheme, host and port.
        "https://ghcr.io, https://ghcr.io/token, true",
        "https://quay.io, https://quay.io/v2/auth, true",
        "https://ghcr.io, https://GHCR.IO./token, true",
        "https://ghcr.io, https://ghcr.io:443/token, true",
        "https://ghcr.io, https://ghcr.io:8443/token, false",
        "https://ghcr.io, http://ghcr.io/token, false",
        "http://127.0.0.1:5000, http://127.0.0.1:5000/token, true",
        "http://127.0.0.1:5000, http://127.0.0.1:5001/token, false",
        "http://127.0.0.1:5000, http://127.0.0.1/token, false",
        "http://127.0.0.1:5000, http://localhost:5000/token, false",
        "http://127.0.0.1:5000, https://127.0.0.1:5000/token, false",
        // No guessing from domain names: lookalikes and shared suffixes are strangers.
        "https://registry.evil.test, https://attacker.evil.test/token, false",
        "https://123456789012.dkr.ecr.us-east-1.amazonaws.com, "
                + "https://attacker-bucket.s3-website-us-east-1.amazonaws.com/token, false",
        "https://myreg.azurecr.io, https://attacker.azurecr.io/oauth2/token, false",
        "https://registry.example.co.uk, https://auth.example.co.uk/token, false",
        "https://registry-1.docker.io, https://auth.docker.io/token, false",
        "https://registry-1.docker.io, https://docker.io.evil.example/token, false",
        "https://registry-1.docker.io, https://169.254.169.254/latest, false",
        "https://registry-1.docker.io, https://[fe80::1]/token, false",
        "https://registry-1.docker.io, https://localhost/token, false",
        "https://registry-1.docker.io, https://user:pw@registry-1.docker.io/token, false",
        "https://registry-1.docker.io, ftp://registry-1.docker.io/token, false",
        "https://registry-1.docker.io, /token, false",
        // Allow-listed host (the scheme's default port) or host:port, https unless the upstream is http.
        "https://registry.example, https://tokens.partner.example/t, true",
        "https://registry.example, https://tokens.partner.example:443/t, true",
        "https://registry.example, https://tokens.partner.example:8443/t, false",
        "https://registry.example, https://auth.other.example:8443/t, true",
        "https://registry.example, https://auth.other.example/t, false",
        "https://registry.example, http://tokens.partner.example/t, false",
        "https://registry.example, https://evil.tokens.partner.example/t, false",
    })
    void decides(String base, String realm, boolean allowed) {
        assertEquals(allowed, RealmPolicy.allows(URI.create(realm), URI.create(base), ALLOWED));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
        "https://auth.docker.io/token, true",
        "https://auth.docker.io:443/token, true",
        "https://auth.docker.io:8443/token, false",
        "http://auth.docker.io/token, false",
        "https://auth.docker.io.evil.example/token, false",
        "https://evil-auth.docker.io/token, false",
    })
    void dockerHubsKnownRealm(String realm, boolean allowed) {
        assertEquals(
                allowed, RealmPolicy.allows(URI.create(realm), URI.create("https://registry-1.docker.io"), DOCKER_HUB));
    }
}
