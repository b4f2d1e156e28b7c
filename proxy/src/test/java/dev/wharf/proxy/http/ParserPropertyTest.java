package dev.wharf.proxy.http;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.wharf.proxy.lab.Mutator;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Mutated inputs (fixed seed, seed corpus under {@code fuzz/}) for the route and Range parsers: each either answers
 * or refuses in its documented way, never with another exception, and what it answers respects its contract.
 */
class ParserPropertyTest {
    private static final int RUNS = 20_000;
    private final Router router = new Router(
            host -> Optional.ofNullable(
                    Map.of("ghcr.io", "ghcr.io", "docker.io", "docker.io").get(host)),
            "docker.io");

    @Test
    void theRouterRoutesOrRefusesEveryMutatedUri() {
        Mutator inputs = new Mutator(Mutator.seeds("/fuzz/route.txt"), 15);
        for (int i = 0; i < RUNS; i++) {
            String uri = inputs.next();
            try {
                Route route = router.route(uri);
                if (!(route instanceof Route.Base)) {
                    String path = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
                    assertTrue(path.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '%' && c != '\\'), uri);
                }
            } catch (RequestException expected) {
                assertTrue(expected.status().code() >= 400 && expected.status().code() < 500, uri);
            } catch (RuntimeException e) {
                fail("route(" + printable(uri) + ") threw " + e, e);
            }
        }
    }

    @Test
    void rangesAreParsedWithinTheBlobOrRefused() {
        Mutator inputs = new Mutator(Mutator.seeds("/fuzz/range.txt"), 15);
        long[] sizes = {0, 1, 100, 4096, Long.MAX_VALUE};
        for (int i = 0; i < RUNS; i++) {
            String header = inputs.next();
            long size = sizes[i % sizes.length];
            try {
                Optional<ByteRange> range = ByteRange.parse(header, size);
                range.ifPresent(r -> {
                    assertTrue(r.first() >= 0 && r.length() >= 1, header);
                    assertTrue(r.first() + r.length() <= size && r.first() + r.length() > r.first(), header);
                });
            } catch (ByteRange.Unsatisfiable expected) {
                assertTrue(expected.length() == size, header);
            } catch (RuntimeException e) {
                fail("ByteRange.parse(" + printable(header) + ", " + size + ") threw " + e, e);
            }
        }
    }

    private static String printable(String s) {
        return s.replaceAll("[^ -~]", "?");
    }
}
