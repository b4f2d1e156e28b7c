package dev.wharf.proxy.upstream;

import static dev.wharf.proxy.upstream.RegistryClientTest.REPO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.proxy.upstream.FakeUpstream.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SecretRedactionTest {
    static final String PASSWORD = "S3NT1NEL-pass";
    static final String TOKEN = "S3NT1NEL-tok";

    private FakeUpstream upstream;

    @BeforeEach
    void start() throws IOException {
        upstream = FakeUpstream.start();
    }

    @AfterEach
    void stop() {
        upstream.close();
    }

    @Test
    void settingsToStringHidesPasswordAndToken() {
        UpstreamSettings basic = RegistryClientAuthTest.settings(
                upstream.uri(), Optional.of("u"), Optional.of(PASSWORD), Optional.empty());
        UpstreamSettings token =
                RegistryClientAuthTest.settings(upstream.uri(), Optional.empty(), Optional.empty(), Optional.of(TOKEN));

        assertClean(basic.toString());
        assertClean(token.toString());
    }

    @Test
    void noFailureMessageCarriesASecret() {
        String realm = upstream.uri() + "/token?account=S3NT1NEL-account";
        List<Function<FakeUpstream.Request, Response>> scripts = List.of(
                r -> Response.of(401, Map.of("WWW-Authenticate", "Basic realm=\"x\"")),
                r -> Response.of(401, Map.of("WWW-Authenticate", "Bearer realm=\"" + realm + "\",service=s")),
                r -> r.path().equals("/token")
                        ? Response.status(500)
                        : Response.of(401, Map.of("WWW-Authenticate", "Bearer realm=\"" + realm + "\"")),
                r -> r.path().equals("/token")
                        ? Response.of(200, Map.of(), ("{\"token\":\"" + TOKEN + "\"}").getBytes(StandardCharsets.UTF_8))
                        : Response.of(401, Map.of("WWW-Authenticate", "Bearer realm=\"" + realm + "\"")),
                r -> Response.of(
                        401, Map.of("WWW-Authenticate", "Bearer realm=\"https://evil.example/t?S3NT1NEL-q=1\"")),
                r -> Response.of(302, Map.of("Location", "/v2/loop?sig=S3NT1NEL-sig")));
        List<String> messages = new ArrayList<>();
        for (Function<FakeUpstream.Request, Response> script : scripts) {
            upstream.answer(script);
            for (Optional<String> token : List.of(Optional.<String>empty(), Optional.of(TOKEN))) {
                Optional<String> user = token.isPresent() ? Optional.empty() : Optional.of("u");
                Optional<String> password = token.isPresent() ? Optional.empty() : Optional.of(PASSWORD);
                RegistryClient client = new RegistryClient(
                        RegistryClientAuthTest.settings(upstream.uri(), user, password, token), TestWatchdog.SHARED);
                UpstreamException e = assertThrows(UpstreamException.class, () -> client.fetchManifest(REPO, "latest"));
                messages.add(e.getMessage());
            }
        }

        assertEquals(scripts.size() * 2, messages.size());
        messages.forEach(SecretRedactionTest::assertClean);
    }

    private static void assertClean(String text) {
        String basic = Base64.getEncoder().encodeToString(("u:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        assertFalse(text.contains("S3NT1NEL"), text);
        assertFalse(text.contains(basic), text);
        assertFalse(text.contains("?"), text);
    }
}
