package dev.wharf.proxy.pull;

import static dev.wharf.proxy.pull.CountingUpstream.Call.TAGS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.proxy.upstream.UpstreamException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class PullThroughTagsTest {
    private final PullFixture f = new PullFixture();
    private final CountingUpstream upstream = f.upstream;

    @Test
    void theUpstreamListIsSortedAndDeduplicated() {
        upstream.tags(List.of("b", "1.0", "a", "b", "1.0"));

        assertEquals(List.of("1.0", "a", "b"), f.tags());
        assertEquals(1, upstream.count(TAGS));
    }

    @Test
    void whenTheUpstreamIsUnavailableTheTagsKnownToTheCacheAreListed() {
        upstream.tag("2.0", "{\"v\":2}");
        upstream.tag("1.0", "{\"v\":1}");
        f.manifest("2.0");
        f.manifest("1.0");
        upstream.fail(UpstreamException.Kind.UNAVAILABLE);

        assertEquals(List.of("1.0", "2.0"), f.tags());
        assertEquals(1, upstream.count(TAGS));
    }

    @Test
    void whenTheUpstreamIsUnavailableAndNoTagIsKnownTheFailurePropagates() {
        upstream.fail(UpstreamException.Kind.UNAVAILABLE);

        UpstreamException e = assertThrows(UpstreamException.class, () -> f.tags());

        assertEquals(UpstreamException.Kind.UNAVAILABLE, e.kind());
    }

    @Test
    void anUpstreamThatSaysTheRepositoryIsGoneIsBelievedEvenWithKnownTags() {
        upstream.tag("1.0", "{\"v\":1}");
        f.manifest("1.0");
        upstream.fail(UpstreamException.Kind.NOT_FOUND, CountingUpstream.Call.TAGS);

        UpstreamException e = assertThrows(UpstreamException.class, () -> f.tags());

        assertEquals(UpstreamException.Kind.NOT_FOUND, e.kind());
    }

    @Test
    void withinTheListTtlTheHeldListIsAnsweredWithoutAskingAndAfterItTheUpstreamIsAskedAgain() {
        f.listTtl(Duration.ofSeconds(30));
        upstream.tags(List.of("1.0"));
        assertEquals(List.of("1.0"), f.tags());
        upstream.tags(List.of("1.0", "2.0"));

        f.clock.advance(Duration.ofSeconds(29));
        assertEquals(List.of("1.0"), f.tags());
        assertEquals(1, upstream.count(TAGS));

        f.clock.advance(Duration.ofSeconds(1));
        assertEquals(List.of("1.0", "2.0"), f.tags());
        assertEquals(2, upstream.count(TAGS));
    }

    @Test
    void concurrentListingsOfOneRepositoryShareOneUpstreamCall() {
        QueuedLane lane = new QueuedLane();
        PullThrough pull = f.pullOn(lane);
        upstream.tags(List.of("a", "b"));

        List<CompletableFuture<List<String>>> callers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            callers.add(pull.tags(f.target));
        }
        lane.runAll();

        for (CompletableFuture<List<String>> caller : callers) {
            assertEquals(List.of("a", "b"), caller.join());
        }
        assertEquals(1, upstream.count(TAGS));
    }
}
