package dev.wharf.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code WWW-Authenticate} headers as a hostile upstream may send them (the corpus under {@code
 * AuthChallengeFuzzTestInputs}: the challenges of Docker Hub, GHCR, Quay, ECR, GCR, the distribution registry, and
 * broken variants).
 */
class AuthChallengeFuzzTest {
    private static final URI UPSTREAM = URI.create("https://registry.example");
    private static final String TOKEN_CHARS = "!#$%&'*+-.^_`|~";

    /**
     * A header parses, or is refused with {@link IllegalArgumentException} only. Schemes and parameter names are
     * lowercased tokens written in the header; every value (the realm above all) is a string of the header, as written
     * or as a quoted string unescaped; the challenges written back canonically parse to the same challenges; and a
     * realm is trusted for the upstream only on the upstream's own origin.
     */
    @FuzzTest
    void challengesComeFromTheHeader(byte[] input) {
        String header = new String(input, StandardCharsets.UTF_8);
        List<AuthChallenge> challenges;
        try {
            challenges = AuthChallenge.parse(header);
        } catch (IllegalArgumentException refused) {
            return;
        }
        String lower = header.toLowerCase(Locale.ROOT);
        Set<String> quoted = quotedStrings(header);
        for (AuthChallenge challenge : challenges) {
            assertToken(challenge.scheme(), header);
            assertTrue(lower.contains(challenge.scheme()), header);
            for (Map.Entry<String, String> param : challenge.params().entrySet()) {
                assertToken(param.getKey(), header);
                assertTrue(lower.contains(param.getKey()), header);
                String value = param.getValue();
                assertTrue(
                        (!value.isEmpty() && header.contains(value)) || quoted.contains(value),
                        () -> "value " + value + " is not in " + header);
            }
            challenge.param("realm").ifPresent(realm -> assertRealmPolicy(realm));
        }
        assertEquals(challenges, AuthChallenge.parse(render(challenges)), () -> "rendered: " + render(challenges));
    }

    private static void assertToken(String token, String header) {
        assertFalse(token.isEmpty(), header);
        assertEquals(token.toLowerCase(Locale.ROOT), token, header);
        assertTrue(
                token.chars().allMatch(c -> (c < 128 && Character.isLetterOrDigit(c)) || TOKEN_CHARS.indexOf(c) >= 0),
                () -> "not a token: " + token);
    }

    /** As the authorizer reads a realm: a realm allowed for the upstream has exactly its scheme, host and port. */
    private static void assertRealmPolicy(String realm) {
        URI uri;
        try {
            uri = new URI(realm.trim());
        } catch (URISyntaxException notAUri) {
            return;
        }
        if (RealmPolicy.allows(uri, UPSTREAM, List.of())) {
            assertEquals("https", uri.getScheme().toLowerCase(Locale.ROOT), realm);
            // A trailing dot names the same host (an absolute DNS name).
            assertEquals(
                    "registry.example", uri.getHost().toLowerCase(Locale.ROOT).replaceFirst("\\.$", ""), realm);
            assertTrue(uri.getPort() == -1 || uri.getPort() == 443, realm);
            assertEquals(null, uri.getRawUserInfo(), realm);
        }
    }

    /** Every string that starts after a {@code "} and ends at the next unescaped one, with its escapes resolved. */
    private static Set<String> quotedStrings(String header) {
        Set<String> strings = new HashSet<>();
        for (int start = header.indexOf('"'); start >= 0; start = header.indexOf('"', start + 1)) {
            StringBuilder value = new StringBuilder();
            for (int i = start + 1; i < header.length(); i++) {
                char c = header.charAt(i);
                if (c == '"') {
                    strings.add(value.toString());
                    break;
                }
                if (c == '\\' && i + 1 < header.length()) {
                    c = header.charAt(++i);
                }
                value.append(c);
            }
        }
        return strings;
    }

    /** Challenges as a server writes them: {@code scheme name="value", name="value", scheme2 ...}. */
    private static String render(List<AuthChallenge> challenges) {
        return challenges.stream()
                .map(c -> c.scheme()
                        + (c.params().isEmpty() ? "" : " ")
                        + c.params().entrySet().stream()
                                .map(p -> p.getKey() + "=\""
                                        + p.getValue().replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
                                .collect(Collectors.joining(", ")))
                .collect(Collectors.joining(", "));
    }
}
