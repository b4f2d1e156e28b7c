package dev.wharf.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.storage.FillLease;
import dev.wharf.storage.FillLeases;
import dev.wharf.storage.SharedFillLeasesContract;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The shared lease contract on S3, replicas being stores on one bucket and prefix, and the lease objects there. */
@ExtendWith(S3Lab.Extension.class)
class S3FillLeasesTest extends SharedFillLeasesContract {
    private S3Bucket bucket;

    @Override
    protected FillLeases replica(String replicaId) {
        if (bucket == null) {
            bucket = S3Lab.get().freshBucket();
        }
        return new S3FillLeases(client(), bucket, replicaId, clock);
    }

    @Test
    void aLeaseIsAnObjectNamingItsHolderAndExpiry() {
        FillLease lease = leases.tryAcquire(DIGEST, TTL).orElseThrow();

        String[] lines = object().split("\n", -1);
        assertEquals("v1", lines[0]);
        assertTrue(lines[1].startsWith("first/"), lines[1]);
        assertEquals(clock.instant().plus(TTL).toString(), lines[2]);

        lease.release();
        assertTrue(client().listObjectsV2(b -> b.bucket(S3Lab.BUCKET).prefix(bucket.prefix()))
                .contents()
                .isEmpty());
    }

    @Test
    void anUnreadableLeaseExpiresTtlAfterItWasWritten() {
        client().putObject(b -> b.bucket(S3Lab.BUCKET).key(key()), RequestBody.fromString("half a lea"));

        assertTrue(leases.tryAcquire(DIGEST, TTL).isEmpty());

        clock.advance(TTL.plusSeconds(5));
        assertTrue(leases.tryAcquire(DIGEST, TTL).isPresent());
    }

    @Test
    void theServerRefusesWritesAndDeletesWhoseEntityTagChanged() {
        client().putObject(b -> b.bucket(S3Lab.BUCKET).key(key()), RequestBody.fromString("one"));
        S3Objects objects = new S3Objects(client(), bucket);
        String stale = objects.read(key()).orElseThrow().eTag();
        client().putObject(b -> b.bucket(S3Lab.BUCKET).key(key()), RequestBody.fromString("two"));

        assertFalse(objects.putIfMatch(key(), "three".getBytes(StandardCharsets.UTF_8), stale));
        assertFalse(objects.deleteIfMatch(key(), stale));
        assertEquals("two", object());
    }

    @Test
    void aReplicaIdMustBeOneSafeWord() {
        for (String id : new String[] {"", "a/b", "a\nb", "x".repeat(65)}) {
            assertThrows(
                    IllegalArgumentException.class,
                    () -> new S3FillLeases(client(), bucket, id, clock),
                    id.replace("\n", "\\n"));
        }
        assertTrue(new S3FillLeases(client(), bucket, "wharf-0.pod_1", clock)
                .tryAcquire(DIGEST, Duration.ofSeconds(1))
                .isPresent());
    }

    private String key() {
        return bucket.prefix() + "leases/sha256/" + DIGEST.encoded();
    }

    private String object() {
        return client().getObjectAsBytes(b -> b.bucket(S3Lab.BUCKET).key(key())).asString(StandardCharsets.UTF_8);
    }

    private static S3Client client() {
        return S3Lab.get().client();
    }
}
