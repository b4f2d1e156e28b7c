package dev.wharf.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code Link} headers of a tag list page as a hostile upstream may send them (the corpus under {@code
 * LinkHeaderFuzzTestInputs}: distribution's, GHCR's, Quay's and Harbor's pagination, and broken variants). Each line of
 * an input is one header value.
 */
class LinkHeaderFuzzTest {

    /**
     * Never throws; a next target is the trimmed text of one {@code <...>} of a header that names the relation {@code
     * next}; and a header that puts a target first with {@code rel="next"} gives that target.
     */
    @FuzzTest
    void nextComesFromALinkMarkedNext(byte[] input) {
        List<String> headers = new ArrayList<>(
                new String(input, StandardCharsets.UTF_8).lines().toList());
        Optional<String> next = LinkHeader.next(headers);
        next.ifPresent(target -> {
            assertFalse(target.contains(">"), target);
            assertEquals(target.trim(), target, target);
            assertTrue(
                    headers.stream()
                            .anyMatch(h -> h.contains("<")
                                    && h.contains(target)
                                    && h.toLowerCase(Locale.ROOT).contains("next")),
                    () -> "next " + target + " from " + headers);
        });
        if (!headers.isEmpty()) {
            String target = headers.get(0).replace(">", "");
            List<String> marked = List.of("<" + target + ">; rel=\"next\"");
            assertEquals(Optional.of(target.trim()), LinkHeader.next(marked), marked::toString);
            List<String> prevFirst = List.of("<" + target + "x>; rel=\"prev\"", "<" + target + ">; rel=next");
            assertEquals(Optional.of(target.trim()), LinkHeader.next(prevFirst), prevFirst::toString);
        }
    }
}
