package dev.wharf.proxy.pull;

import static dev.wharf.proxy.pull.CountingUpstream.Call.MANIFEST;
import static dev.wharf.proxy.pull.CountingUpstream.Call.REFERRERS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.upstream.UpstreamException;
import dev.wharf.storage.Digest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PullThroughReferrersTest {
    private static final Digest SUBJECT = Digest.sha256(new byte[] {1});
    private static final String INDEX =
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
                    + "\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:"
                    + "a".repeat(64) + "\",\"size\":10,\"artifactType\":\"application/vnd.example.sig\"},"
                    + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:"
                    + "b".repeat(64)
                    + "\",\"size\":11,\"artifactType\":\"application/spdx+json\"}]}";

    private final PullFixture f = new PullFixture();
    private final CountingUpstream upstream = f.upstream;

    @Test
    void theReferrersApiIsAskedOnceAndItsIndexServedExactlyWhileFresh() {
        upstream.referrers(SUBJECT, INDEX);

        Referrers first = f.referrers(SUBJECT, Optional.empty());
        Referrers again = f.referrers(SUBJECT, Optional.empty());

        assertArrayEquals(INDEX.getBytes(StandardCharsets.UTF_8), first.body());
        assertArrayEquals(first.body(), again.body());
        assertFalse(first.filtered());
        assertEquals(1, upstream.count(REFERRERS));
        assertEquals(0, upstream.count(MANIFEST), "no fallback to the tag schema when the API answers");
    }

    @Test
    void anArtifactTypeNarrowsTheIndexAndSaysSo() {
        upstream.referrers(SUBJECT, INDEX);

        Referrers sboms = f.referrers(SUBJECT, Optional.of("application/spdx+json"));

        assertTrue(sboms.filtered());
        String body = new String(sboms.body(), StandardCharsets.UTF_8);
        assertTrue(body.contains("b".repeat(64)), body);
        assertFalse(body.contains("a".repeat(64)), body);
    }

    @Test
    void withoutTheApiTheReferrersTagIsReadAndWithoutEitherTheIndexIsEmpty() {
        upstream.manifest(
                "sha256-" + SUBJECT.encoded(),
                new dev.wharf.proxy.upstream.ManifestResponse(
                        INDEX.getBytes(StandardCharsets.UTF_8),
                        "application/vnd.oci.image.index.v1+json",
                        Optional.empty()));
        assertArrayEquals(
                INDEX.getBytes(StandardCharsets.UTF_8),
                f.referrers(SUBJECT, Optional.empty()).body());

        Digest other = Digest.sha256(new byte[] {2});
        String empty = new String(f.referrers(other, Optional.empty()).body(), StandardCharsets.UTF_8);
        assertTrue(empty.contains("\"manifests\":[]"), empty);
    }

    @Test
    void aStaleIndexIsServedWithAWarningWhileTheUpstreamIsDownAndNeverWithoutOne() {
        upstream.referrers(SUBJECT, INDEX);
        f.referrers(SUBJECT, Optional.empty());
        f.clock.advance(Duration.ofHours(1));
        upstream.fail(UpstreamException.Kind.UNAVAILABLE);

        Referrers stale = f.referrers(SUBJECT, Optional.empty());

        assertArrayEquals(INDEX.getBytes(StandardCharsets.UTF_8), stale.body());
        assertTrue(stale.staleWarning().isPresent());
        assertEquals(
                UpstreamException.Kind.UNAVAILABLE,
                assertThrows(
                                UpstreamException.class,
                                () -> f.referrers(Digest.sha256(new byte[] {3}), Optional.empty()))
                        .kind());
    }
}
