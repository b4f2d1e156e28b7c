package dev.wharf.proxy.pull;

import static dev.wharf.proxy.pull.CountingUpstream.Call.TAGS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.proxy.upstream.UpstreamException;
import java.util.List;
import org.junit.jupiter.api.Test;

class PullThroughTagsTest {
    private final PullFixture f = new PullFixture();
    private final CountingUpstream upstream = f.upstream;

    @Test
    void theUpstreamListIsSortedAndDeduplicated() {
        upstream.tags(List.of("b", "1.0", "a", "b", "1.0"));

        assertEquals(List.of("1.0", "a", "b"), f.pull.tags(f.target));
        assertEquals(1, upstream.count(TAGS));
    }

    @Test
    void whenTheUpstreamIsUnavailableTheTagsKnownToTheCacheAreListed() {
        upstream.tag("2.0", "{\"v\":2}");
        upstream.tag("1.0", "{\"v\":1}");
        f.manifest("2.0");
        f.manifest("1.0");
        upstream.fail(UpstreamException.Kind.UNAVAILABLE);

        assertEquals(List.of("1.0", "2.0"), f.pull.tags(f.target));
        assertEquals(1, upstream.count(TAGS));
    }

    @Test
    void whenTheUpstreamIsUnavailableAndNoTagIsKnownTheFailurePropagates() {
        upstream.fail(UpstreamException.Kind.UNAVAILABLE);

        UpstreamException e = assertThrows(UpstreamException.class, () -> f.pull.tags(f.target));

        assertEquals(UpstreamException.Kind.UNAVAILABLE, e.kind());
    }

    @Test
    void anUpstreamThatSaysTheRepositoryIsGoneIsBelievedEvenWithKnownTags() {
        upstream.tag("1.0", "{\"v\":1}");
        f.manifest("1.0");
        upstream.fail(UpstreamException.Kind.NOT_FOUND, CountingUpstream.Call.TAGS);

        UpstreamException e = assertThrows(UpstreamException.class, () -> f.pull.tags(f.target));

        assertEquals(UpstreamException.Kind.NOT_FOUND, e.kind());
    }
}
