package dev.wharf.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.storage.Digest;
import dev.wharf.storage.RepositoryName;
import dev.wharf.storage.Tag;
import dev.wharf.storage.TagLink;
import dev.wharf.storage.UpstreamName;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The eviction's objects in a real S3 server: one listing of the bucket, the eviction lease, uses and journals. */
@ExtendWith(S3Lab.Extension.class)
class S3EvictionStoreTest {
    private static final Digest MANIFEST = Digest.sha256("manifest".getBytes(StandardCharsets.UTF_8));
    private static final Digest LAYER = Digest.sha256("layer".getBytes(StandardCharsets.UTF_8));
    private static final UpstreamName UPSTREAM = UpstreamName.parse("up.test");
    private static final RepositoryName REPOSITORY = RepositoryName.parse("org/app");

    private final S3Client client = S3Lab.get().client();
    private final S3Bucket bucket = S3Lab.get().freshBucket();
    private final Clock clock = Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC);

    @Test
    void oneListingSortsBlobsManifestsTagsLinksAndTheEvictionsObjects() {
        S3Keys keys = new S3Keys(bucket);
        put(keys.blob(MANIFEST), "manifest");
        put(keys.blob(LAYER), "layer");
        S3LinkStore links = new S3LinkStore(client, bucket);
        links.putMediaType(MANIFEST, "application/vnd.oci.image.manifest.v1+json");
        links.putTag(
                UPSTREAM,
                REPOSITORY,
                Tag.parse("1.0"),
                new TagLink(MANIFEST, "application/vnd.oci.image.manifest.v1+json", clock.instant()));
        links.putLink(UPSTREAM, REPOSITORY, LAYER);
        put(keys.repositories() + "up.test/org/app/_tags/not a tag", "left by hand");
        S3EvictionStore store = store("a");
        store.putUses("x".getBytes(StandardCharsets.UTF_8));
        assertTrue(store.createJournal("1-j", "journal".getBytes(StandardCharsets.UTF_8)));

        BucketListing listing = store.list();

        assertEquals(Set.of(MANIFEST, LAYER), listing.blobs().keySet());
        assertEquals("manifest".length(), listing.blobs().get(MANIFEST).size());
        assertEquals("manifest".length() + "layer".length(), listing.blobBytes());
        assertEquals(Set.of(MANIFEST), listing.mediaTypes());
        assertEquals(1, listing.tags().size());
        BucketListing.TagObject tag = listing.tags().get(0);
        assertEquals(
                List.of(UPSTREAM, REPOSITORY, Tag.parse("1.0")), List.of(tag.upstream(), tag.repository(), tag.tag()));
        assertEquals(Optional.of(MANIFEST), store.readTag(tag).map(TagLink::digest));
        assertEquals(List.of(new BucketListing.LinkObject(UPSTREAM, REPOSITORY, LAYER)), listing.links());
        assertEquals(
                List.of("a"),
                listing.uses().stream().map(BucketListing.Named::name).toList());
        assertEquals(
                List.of("1-j"),
                listing.journals().stream().map(BucketListing.Named::name).toList());
        assertEquals(List.of("1-j"), store.listJournals());

        store.deleteDigest(MANIFEST);
        store.deleteLink(listing.links().get(0));
        store.deleteTag(UPSTREAM, REPOSITORY, Tag.parse("1.0"));
        BucketListing after = store.list();
        assertEquals(Set.of(LAYER), after.blobs().keySet());
        assertEquals(Set.of(), after.mediaTypes());
        assertEquals(List.of(), after.tags());
        assertEquals(List.of(), after.links());
    }

    @Test
    void sixteenReplicasRacingForTheEvictionLeaseGetOneLease() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(16);
        try {
            List<Callable<Optional<S3EvictionStore.EvictionLease>>> racers = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                S3EvictionStore replica = store("replica-" + i);
                racers.add(() -> replica.tryLease(Duration.ofMinutes(1)));
            }
            List<S3EvictionStore.EvictionLease> held = new ArrayList<>();
            for (Future<Optional<S3EvictionStore.EvictionLease>> result : threads.invokeAll(racers)) {
                result.get().ifPresent(held::add);
            }
            assertEquals(1, held.size(), "one replica holds the eviction lease");
            assertTrue(held.get(0).renew());
            assertTrue(store("late").tryLease(Duration.ofMinutes(1)).isEmpty(), "held: no one else gets it");
            held.get(0).close();
            assertTrue(store("late").tryLease(Duration.ofMinutes(1)).isPresent(), "released: the next one gets it");
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aLeaseWhoseHolderDiedIsTakenOverOnceExpiredAndTheOldHolderLearnsItLostIt() {
        MutableClock time = new MutableClock();
        S3EvictionStore dead = new S3EvictionStore(client, bucket, "dead", time);
        S3EvictionStore alive = new S3EvictionStore(client, bucket, "alive", time);
        S3EvictionStore.EvictionLease stale =
                dead.tryLease(Duration.ofMinutes(1)).orElseThrow();

        assertTrue(alive.tryLease(Duration.ofMinutes(1)).isEmpty());
        time.now = time.now.plus(Duration.ofSeconds(61));
        S3EvictionStore.EvictionLease taken =
                alive.tryLease(Duration.ofMinutes(1)).orElseThrow();

        assertFalse(stale.renew(), "the dead replica's lease was taken over");
        stale.close();
        assertTrue(taken.renew(), "closing a lost lease leaves the new holder's alone");
    }

    @Test
    void aJournalIsCreatedOnlyOnceAndFillLeasesAreSeen() {
        S3EvictionStore store = store("a");
        assertTrue(store.createJournal("7-x", "one".getBytes(StandardCharsets.UTF_8)));
        assertFalse(store.createJournal("7-x", "two".getBytes(StandardCharsets.UTF_8)));
        assertEquals("one", new String(store.readJournal("7-x").orElseThrow(), StandardCharsets.UTF_8));
        store.deleteJournal("7-x");
        assertEquals(Optional.empty(), store.readJournal("7-x"));

        assertFalse(store.isFilling(LAYER, Duration.ofSeconds(30)));
        new S3FillLeases(client, bucket, "filler", clock).tryAcquire(LAYER, Duration.ofSeconds(30));
        assertTrue(store.isFilling(LAYER, Duration.ofSeconds(30)));
    }

    @Test
    void foreignObjectsUnderEvictionAreSkippedNotFatal() {
        S3Keys keys = new S3Keys(bucket);
        S3EvictionStore store = store("a");
        store.putUses("x".getBytes(StandardCharsets.UTF_8));
        assertTrue(store.createJournal("1-j", "journal".getBytes(StandardCharsets.UTF_8)));
        put(keys.journals() + "notes about it.txt", "left by hand");
        put(keys.journals() + "sub/dir", "another program's");
        put(keys.uses() + "b%20c", "left by hand");

        assertEquals(List.of("1-j"), store.listJournals());
        BucketListing listing = store.list();
        assertEquals(
                List.of("1-j"),
                listing.journals().stream().map(BucketListing.Named::name).toList());
        assertEquals(
                List.of("a"),
                listing.uses().stream().map(BucketListing.Named::name).toList());
        for (BucketListing.Named journal : listing.journals()) {
            assertTrue(store.readJournal(journal.name()).isPresent(), "every listed name can be read");
        }
    }

    private S3EvictionStore store(String replica) {
        return new S3EvictionStore(client, bucket, replica, clock);
    }

    private void put(String key, String text) {
        client.putObject(b -> b.bucket(S3Lab.BUCKET).key(key), RequestBody.fromString(text));
    }

    private static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-11-26T12:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
