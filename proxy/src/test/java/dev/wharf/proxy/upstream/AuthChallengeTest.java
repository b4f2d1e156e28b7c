package dev.wharf.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class AuthChallengeTest {

    static Stream<Arguments> headers() {
        return Stream.of(
                Arguments.of(
                        "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                                + "scope=\"repository:library/alpine:pull\"",
                        List.of(new AuthChallenge(
                                "bearer",
                                Map.of(
                                        "realm", "https://auth.docker.io/token",
                                        "service", "registry.docker.io",
                                        "scope", "repository:library/alpine:pull")))),
                Arguments.of(
                        "Basic realm=\"Registry Realm\"",
                        List.of(new AuthChallenge("basic", Map.of("realm", "Registry Realm")))),
                Arguments.of(
                        "BEARER Realm=\"https://a/t?x=1,2\", Service=svc",
                        List.of(new AuthChallenge("bearer", Map.of("realm", "https://a/t?x=1,2", "service", "svc")))),
                Arguments.of(
                        "Basic realm=\"x\", Bearer realm=\"y\",service=\"z\"",
                        List.of(
                                new AuthChallenge("basic", Map.of("realm", "x")),
                                new AuthChallenge("bearer", Map.of("realm", "y", "service", "z")))),
                Arguments.of(
                        "Bearer realm=\"a\\\"b\\\\c\"",
                        List.of(new AuthChallenge("bearer", Map.of("realm", "a\"b\\c")))),
                Arguments.of(
                        "Negotiate abc==, Basic realm=\"x\"",
                        List.of(
                                new AuthChallenge("negotiate", Map.of()),
                                new AuthChallenge("basic", Map.of("realm", "x")))),
                Arguments.of("Bearer", List.of(new AuthChallenge("bearer", Map.of()))),
                Arguments.of(
                        "Bearer realm = \"spaced\" ,  service=s ,",
                        List.of(new AuthChallenge("bearer", Map.of("realm", "spaced", "service", "s")))),
                Arguments.of(
                        "Bearer realm=\"\",error=\"invalid_token\"",
                        List.of(new AuthChallenge("bearer", Map.of("realm", "", "error", "invalid_token")))),
                Arguments.of(
                        "Bearer realm=\"first\", realm=\"second\"",
                        List.of(new AuthChallenge("bearer", Map.of("realm", "first")))),
                Arguments.of("", List.of()));
    }

    @ParameterizedTest
    @MethodSource("headers")
    void parses(String header, List<AuthChallenge> expected) {
        assertEquals(expected, AuthChallenge.parse(header));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer realm=\"unterminated", "=x", "Bearer realm=\"a\" service=\"b\"", "Bearer \"x\""})
    void rejectsMalformed(String header) {
        assertThrows(IllegalArgumentException.class, () -> AuthChallenge.parse(header));
    }

    @ParameterizedTest
    @ValueSource(strings = {"realm", "REALM", "Realm"})
    void parameterNamesAreCaseInsensitive(String name) {
        AuthChallenge challenge = AuthChallenge.parse("Bearer Realm=\"r\"").get(0);
        assertEquals("r", challenge.param(name).orElseThrow());
    }
}
