package dev.wharf.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.wharf.proxy.lab.Mutator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Mutated {@code WWW-Authenticate} and {@code Link} headers (fixed seed, seed corpus under {@code fuzz/}), as a
 * hostile upstream may send them: parsed or refused with {@link IllegalArgumentException}, nothing else.
 */
class HeaderPropertyTest {
    private static final int RUNS = 20_000;

    @Test
    void challengesAreParsedOrRefused() {
        Mutator inputs = new Mutator(Mutator.seeds("/fuzz/www-authenticate.txt"), 15);
        for (int i = 0; i < RUNS; i++) {
            String header = inputs.next();
            try {
                for (AuthChallenge challenge : AuthChallenge.parse(header)) {
                    assertTrue(!challenge.scheme().isEmpty(), header);
                    challenge
                            .param("realm")
                            .ifPresent(realm -> RealmPolicy.allows(
                                    safeUri(realm), java.net.URI.create("https://registry.example"), List.of()));
                }
            } catch (IllegalArgumentException expected) {
                // refused as documented
            } catch (RuntimeException e) {
                fail("AuthChallenge.parse(" + printable(header) + ") threw " + e, e);
            }
        }
    }

    @Test
    void linkHeadersGiveATargetOrNothing() {
        Mutator inputs = new Mutator(Mutator.seeds("/fuzz/link.txt"), 15);
        for (int i = 0; i < RUNS; i++) {
            String header = inputs.next();
            try {
                Optional<String> next = LinkHeader.next(List.of(header, inputs.next()));
                next.ifPresent(target -> assertTrue(!target.contains(">"), header));
            } catch (RuntimeException e) {
                fail("LinkHeader.next(" + printable(header) + ") threw " + e, e);
            }
        }
    }

    private static java.net.URI safeUri(String text) {
        try {
            return new java.net.URI(text.trim());
        } catch (java.net.URISyntaxException e) {
            return java.net.URI.create("relative");
        }
    }

    private static String printable(String s) {
        return s.replaceAll("[^ -~]", "?");
    }
}
