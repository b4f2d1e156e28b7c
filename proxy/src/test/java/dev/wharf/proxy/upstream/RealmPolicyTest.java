package dev.wharf.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RealmPolicyTest {
    static final List<String> ALLOWED = List.of("tokens.partner.example", "auth.other.example:8443");

    @ParameterizedTest(name = "{1} for upstream {0}: {2}")
    @CsvSource({
        "https://registry-1.docker.io, https://auth.docker.io/token, true",
        "https://registry-1.docker.io, https://registry-1.docker.io/token, true",
        "https://registry-1.docker.io, HTTPS://AUTH.DOCKER.IO/token, true",
        "https://registry-1.docker.io, http://auth.docker.io/token, false",
        "https://registry-1.docker.io, https://evil.example/token, false",
        "https://registry-1.docker.io, https://docker.io.evil.example/token, false",
        "https://registry-1.docker.io, https://169.254.169.254/latest, false",
        "https://registry-1.docker.io, https://[fe80::1]/token, false",
        "https://registry-1.docker.io, https://localhost/token, false",
        "https://registry-1.docker.io, https://user:pw@auth.docker.io/token, false",
        "https://registry-1.docker.io, ftp://auth.docker.io/token, false",
        "https://registry-1.docker.io, /token, false",
        "https://ghcr.io, https://ghcr.io/token, true",
        "https://registry.example.co.uk, https://auth.example.co.uk/token, true",
        "https://registry.example.co.uk, https://auth.other.co.uk/token, false",
        "https://registry.example.com.au, https://auth.example.com.au/token, true",
        "http://registry.corp-lan.example, http://auth.corp-lan.example/token, true",
        "https://registry.abc.com, https://auth.abc.com/token, false",
        "http://127.0.0.1:5000, http://127.0.0.1:5001/token, true",
        "http://127.0.0.1:5000, http://127.0.0.2/token, false",
        "http://127.0.0.1:5000, http://localhost:5000/token, false",
        "https://registry.example, https://tokens.partner.example/t, true",
        "https://registry.example, https://auth.other.example:8443/t, true",
        "https://registry.example, https://auth.other.example/t, false",
        "https://registry.example, http://tokens.partner.example/t, false",
    })
    void decides(String base, String realm, boolean allowed) {
        assertEquals(allowed, RealmPolicy.allows(URI.create(realm), URI.create(base), ALLOWED));
    }

    @ParameterizedTest
    @CsvSource({
        "registry-1.docker.io, docker.io",
        "docker.io, docker.io",
        "a.b.example.co.uk, example.co.uk",
        "ghcr.io, ghcr.io",
        "localhost, localhost",
        "Auth.Docker.IO., docker.io",
    })
    void approximatesRegistrableDomains(String host, String domain) {
        assertEquals(domain, RealmPolicy.registrableDomain(host));
    }
}
