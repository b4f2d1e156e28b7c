package dev.wharf.storage.tier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.wharf.storage.BlobContent;
import dev.wharf.storage.BlobReader;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.BlobStoreContract;
import dev.wharf.storage.Digest;
import dev.wharf.storage.memory.MemoryBlobStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The blob store contract on a disk tier over a remote (memory) store, and what the tier adds: bounded local copies. */
class DiskTierTest extends BlobStoreContract {
    private static final int MIB = 1 << 20;

    @TempDir
    Path tierDir;

    private final MemoryBlobStore remote = new MemoryBlobStore();

    @Override
    protected BlobStore newStore() {
        return DiskTier.open(remote, tierDir, 3L * MIB);
    }

    @Override
    protected long leftovers() throws IOException {
        try (Stream<Path> spools = Files.list(tierDir.resolve("tmp"))) {
            return remote.pendingWrites() + spools.count();
        }
    }

    @Test
    void aBlobFilledHereIsServedFromItsLocalFileAndOthersFromTheRemoteStore() throws Exception {
        byte[] mine = random(MIB, 1);
        byte[] theirs = random(MIB, 2);
        Digest filledHere = Digest.sha256(mine);
        Digest filledElsewhere = Digest.sha256(theirs);
        put(filledHere, mine.length, mine);
        // Another replica's blob: only in the remote store.
        try (var writer = remote.create(filledElsewhere, theirs.length)) {
            writer.write(ByteBuffer.wrap(theirs));
            writer.commit();
        }

        assertLocal(filledHere);
        assertRemote(filledElsewhere);
        assertArrayEquals(mine, readAll(filledHere));
        assertArrayEquals(theirs, readAll(filledElsewhere));
    }

    @Test
    void theLeastRecentlyUsedBlobLeavesTheTierWhenItWouldOutgrowItsCapacity() throws Exception {
        Digest a = putRandom(1);
        Digest b = putRandom(2);
        Digest c = putRandom(3);
        openContent(a).close(); // a is now used more recently than b

        Digest d = putRandom(4);

        assertEquals(3L * MIB, ((DiskTier) store).heldBytes());
        assertRemote(b);
        assertLocal(a);
        assertLocal(c);
        assertLocal(d);
        assertEquals(MIB, readAll(b).length, "an evicted blob is still served, from the remote store");
    }

    @Test
    void aReaderOfAnEvictedBlobReadsItToItsEnd() throws Exception {
        byte[] first = random(MIB, 5);
        Digest a = Digest.sha256(first);
        put(a, first.length, first);
        try (BlobReader reader = store.open(a).orElseThrow()) {
            putRandom(6);
            putRandom(7);
            putRandom(8);
            assertRemote(a);

            ByteBuffer all = ByteBuffer.allocate(MIB);
            while (all.hasRemaining() && reader.read(all, all.position()) >= 0) {
                // reads the unlinked file
            }
            assertArrayEquals(first, all.array());
        }
    }

    @Test
    void aRestartKeepsWhatTheTierHeld() throws Exception {
        Digest a = putRandom(9);
        Digest b = putRandom(10);
        store.close();

        store = DiskTier.open(remote, tierDir, 3L * MIB);

        assertEquals(2L * MIB, ((DiskTier) store).heldBytes());
        assertLocal(a);
        assertLocal(b);
    }

    @Test
    void aBlobLargerThanTheTierIsServedFromTheRemoteStoreOnly() throws Exception {
        byte[] big = random(4 * MIB, 11);
        Digest digest = Digest.sha256(big);
        put(digest, big.length, big);

        assertRemote(digest);
        assertEquals(0, ((DiskTier) store).heldBytes());
        assertArrayEquals(big, readAll(digest));
    }

    private Digest putRandom(int seed) {
        byte[] bytes = random(MIB, seed);
        Digest digest = Digest.sha256(bytes);
        put(digest, bytes.length, bytes);
        return digest;
    }

    private BlobContent openContent(Digest digest) {
        return store.openContent(digest).orElseThrow();
    }

    private void assertLocal(Digest digest) {
        try (BlobContent content = openContent(digest)) {
            assertInstanceOf(BlobContent.LocalFile.class, content, digest + " is on the tier");
        }
    }

    private void assertRemote(Digest digest) {
        try (BlobContent content = openContent(digest)) {
            assertInstanceOf(BlobContent.Ranged.class, content, digest + " is only in the remote store");
        }
    }

    private static byte[] random(int size, int seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
