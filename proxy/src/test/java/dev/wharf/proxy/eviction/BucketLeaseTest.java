package dev.wharf.proxy.eviction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.EvictionConfig;
import dev.wharf.proxy.lab.S3Server;
import dev.wharf.proxy.lab.TestClock;
import dev.wharf.storage.Digest;
import dev.wharf.storage.ManifestCache;
import dev.wharf.storage.RepositoryName;
import dev.wharf.storage.StorageException;
import dev.wharf.storage.Tag;
import dev.wharf.storage.TagLink;
import dev.wharf.storage.UpstreamName;
import dev.wharf.storage.memory.MemoryIndex;
import dev.wharf.storage.s3.S3BlobSettings;
import dev.wharf.storage.s3.S3BlobStore;
import dev.wharf.storage.s3.S3Bucket;
import dev.wharf.storage.s3.S3EvictionStore;
import dev.wharf.storage.s3.S3LinkStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The eviction lease of a shared bucket is renewed by time, and its loss stops the work before the next delete. */
class BucketLeaseTest {
    private static final UpstreamName UPSTREAM = UpstreamName.parse("up.test");
    private static final RepositoryName REPOSITORY = RepositoryName.parse("org/app");
    private static final Tag TAG = Tag.parse("1");
    private static final Digest MANIFEST = Digest.sha256("manifest".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path dir;

    private S3Server s3;
    private final TestClock clock = new TestClock(Instant.parse("2026-11-26T12:00:00Z"));
    private final S3Bucket bucket = new S3Bucket(S3Server.BUCKET, "prod/");

    @BeforeEach
    void startS3() throws Exception {
        s3 = S3Server.start();
    }

    @AfterEach
    void stopS3() {
        s3.close();
    }

    @Test
    void workLongerThanTheLeaseKeepsItByRenewingAsTimePasses() throws Exception {
        BucketTarget target = target("a");
        S3EvictionStore other = new S3EvictionStore(s3.client(), bucket, "b", clock);
        Optional<Boolean> held = target.exclusively(() -> {
            for (int i = 0; i < 5; i++) {
                clock.advance(Duration.ofSeconds(25)); // a slow listing or census step
                target.census();
            }
            return other.tryLease(BucketTarget.LEASE_TTL).isEmpty();
        });
        assertEquals(Optional.of(true), held, "125 s of work, and no other replica could take the lease");
    }

    @Test
    void aLostLeaseStopsTheWorkBeforeItsFirstDelete() throws Exception {
        new S3LinkStore(s3.client(), bucket)
                .putTag(UPSTREAM, REPOSITORY, TAG, new TagLink(MANIFEST, "application/json", clock.instant()));
        BucketTarget target = target("a");
        S3EvictionStore other = new S3EvictionStore(s3.client(), bucket, "b", clock);
        StorageException lost = assertThrows(
                StorageException.class,
                () -> target.exclusively(() -> {
                    clock.advance(BucketTarget.LEASE_TTL.plusSeconds(1));
                    assertTrue(other.tryLease(BucketTarget.LEASE_TTL).isPresent(), "the lease expired: b takes it");
                    target.delete(List.of(new TagRef(UPSTREAM.value(), REPOSITORY, TAG)), List.of(MANIFEST));
                    return null;
                }));
        assertEquals(StorageException.Kind.UNAVAILABLE, lost.kind());
        assertTrue(
                new S3LinkStore(s3.client(), bucket)
                        .findTag(UPSTREAM, REPOSITORY, TAG)
                        .isPresent(),
                "the tag was not deleted by a replica that lost the lease");
    }

    @Test
    void anEvictionDeletesOnlyTheTagsThatStillPointAtItsDigestsAsConfirmedBeforeItBegan() throws Exception {
        S3LinkStore links = new S3LinkStore(s3.client(), bucket);
        Tag anew = Tag.parse("pulled-anew");
        Tag moved = Tag.parse("moved");
        Digest other = Digest.sha256("other".getBytes(StandardCharsets.UTF_8));
        links.putTag(UPSTREAM, REPOSITORY, TAG, new TagLink(MANIFEST, "application/json", clock.instant()));
        links.putTag(
                UPSTREAM,
                REPOSITORY,
                anew,
                new TagLink(MANIFEST, "application/json", clock.instant().plusSeconds(5)));
        links.putTag(UPSTREAM, REPOSITORY, moved, new TagLink(other, "application/json", clock.instant()));
        BucketTarget target = target("a");
        target.exclusively(() -> {
            target.delete(
                    List.of(
                            new TagRef(UPSTREAM.value(), REPOSITORY, TAG),
                            new TagRef(UPSTREAM.value(), REPOSITORY, anew),
                            new TagRef(UPSTREAM.value(), REPOSITORY, moved)),
                    List.of(MANIFEST));
            return null;
        });
        assertTrue(links.findTag(UPSTREAM, REPOSITORY, TAG).isEmpty(), "the evicted tag went");
        assertTrue(links.findTag(UPSTREAM, REPOSITORY, anew).isPresent(), "confirmed after the eviction began");
        assertTrue(links.findTag(UPSTREAM, REPOSITORY, moved).isPresent(), "points at another digest now");
    }

    private BucketTarget target(String name) throws Exception {
        S3BlobStore blobs = S3BlobStore.open(
                s3.client(), Optional.empty(), S3BlobSettings.of(bucket, dir.resolve(name + "-spool")));
        MemoryIndex index = new MemoryIndex();
        EvictionSettings settings = new EvictionSettings(
                blobs,
                index,
                index,
                new ManifestCache(1 << 20),
                Files.createDirectories(dir.resolve(name)),
                new EvictionConfig(8L << 20, 0, Duration.ofHours(1), Duration.ofMinutes(15)),
                PinnedImages.NONE,
                new UseLog(clock),
                clock,
                false);
        ReplicaIndex nothing = new ReplicaIndex() {
            @Override
            public void forgetTag(TagRef tag) {}

            @Override
            public void forgetDigest(Digest digest) {}
        };
        return new BucketTarget(
                settings,
                new BucketEvictionSettings(
                        new S3EvictionStore(s3.client(), bucket, name, clock),
                        blobs,
                        Duration.ofMinutes(15),
                        new PendingEvictions(),
                        nothing),
                new CacheCensus.References());
    }
}
