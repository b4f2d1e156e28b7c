package dev.wharf.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ManifestCacheTest {
    @Test
    void returnsTheExactBytesPut() {
        ManifestCache cache = new ManifestCache(1 << 20);
        byte[] manifest = manifest(1);

        cache.put(Digest.sha256(manifest), manifest);

        assertArrayEquals(manifest, cache.find(Digest.sha256(manifest)).orElseThrow());
        assertTrue(cache.find(Digest.sha256(manifest(2))).isEmpty());
    }

    @Test
    void callersCannotAlterCachedBytes() {
        ManifestCache cache = new ManifestCache(1 << 20);
        byte[] manifest = manifest(1);
        byte[] original = manifest.clone();
        Digest digest = Digest.sha256(manifest);

        cache.put(digest, manifest);
        manifest[0] = 'X';
        cache.find(digest).orElseThrow()[1] = 'Y';

        assertArrayEquals(original, cache.find(digest).orElseThrow());
    }

    @Test
    void bytesThatDoNotMatchTheirDigestAreRefused() {
        ManifestCache cache = new ManifestCache(1 << 20);
        Digest digest = Digest.sha256(manifest(1));

        StorageException e = assertThrows(StorageException.class, () -> cache.put(digest, manifest(2)));

        assertEquals(StorageException.Kind.CORRUPT, e.kind());
        assertTrue(cache.find(digest).isEmpty());
    }

    @Test
    void totalBytesStayWithinTheBound() {
        int size = manifest(0).length;
        ManifestCache cache = new ManifestCache(4L * size);

        for (int i = 0; i < 50; i++) {
            byte[] manifest = manifest(i);
            cache.put(Digest.sha256(manifest), manifest);
        }

        long cachedBytes = 0;
        for (int i = 0; i < 50; i++) {
            cachedBytes +=
                    cache.find(Digest.sha256(manifest(i))).map(b -> b.length).orElse(0);
        }
        assertTrue(cachedBytes <= 4L * size, "cached bytes: " + cachedBytes);
    }

    @Test
    void invalidateForgets() {
        ManifestCache cache = new ManifestCache(1 << 20);
        byte[] manifest = manifest(3);
        cache.put(Digest.sha256(manifest), manifest);

        cache.invalidate(Digest.sha256(manifest));

        assertTrue(cache.find(Digest.sha256(manifest)).isEmpty());
    }

    private static byte[] manifest(int n) {
        String json = String.format(
                "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"n\":%04d}", n);
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
