package dev.wharf.storage.index;

import dev.wharf.storage.CacheIndex;
import dev.wharf.storage.Digest;
import dev.wharf.storage.DigestEntry;
import dev.wharf.storage.RepositoryName;
import dev.wharf.storage.StorageException;
import dev.wharf.storage.Tag;
import dev.wharf.storage.TagEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiConsumer;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * The cache index in a RocksDB database, one column family per kind of entry. Keys (NUL is {@code \0}, never part
 * of any name):
 *
 * <pre>
 * column family   key                                            value
 * tags            upstream \0 repository \0 tag                   v1 | digest | mediaType | fetchedAt | verifiedAt
 * digests         algorithm:hex                                  v1 | size | mediaType | lastAccess
 * seen            upstream \0 repository \0 algorithm:hex        (empty)
 * </pre>
 *
 * <p>Strings are modified UTF-8 with a length prefix, instants are epoch seconds (8 bytes) and nanos (4 bytes), and
 * {@code v1} is a version byte. Because the repository is followed by NUL, the tags of {@code a} and {@code ab}
 * never share a prefix. Thread-safe; {@link #close()} waits for calls in progress.
 */
public final class RocksIndex implements CacheIndex {
    private static final byte[] TAGS = "tags".getBytes(StandardCharsets.UTF_8);
    private static final byte[] DIGESTS = "digests".getBytes(StandardCharsets.UTF_8);
    private static final byte[] SEEN = "seen".getBytes(StandardCharsets.UTF_8);

    private final DBOptions options;
    private final ColumnFamilyOptions familyOptions;
    private final RocksDB db;
    private final List<ColumnFamilyHandle> handles;
    private final ColumnFamilyHandle tags;
    private final ColumnFamilyHandle digests;
    private final ColumnFamilyHandle seen;
    // Native handles must not be used after close: calls hold the read lock, close takes the write lock.
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    private RocksIndex(
            DBOptions options, ColumnFamilyOptions familyOptions, RocksDB db, List<ColumnFamilyHandle> handles) {
        this.options = options;
        this.familyOptions = familyOptions;
        this.db = db;
        this.handles = handles;
        this.tags = handles.get(1);
        this.digests = handles.get(2);
        this.seen = handles.get(3);
    }

    /**
     * Opens (creating if needed) the index in {@code dir}; throws {@link StorageException} of kind IO when the
     * database cannot be opened, for example because another process holds it.
     */
    public static RocksIndex open(Path dir) {
        RocksDB.loadLibrary();
        DBOptions options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
        ColumnFamilyOptions familyOptions = new ColumnFamilyOptions();
        List<ColumnFamilyDescriptor> descriptors = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, familyOptions),
                new ColumnFamilyDescriptor(TAGS, familyOptions),
                new ColumnFamilyDescriptor(DIGESTS, familyOptions),
                new ColumnFamilyDescriptor(SEEN, familyOptions));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            RocksDB db = RocksDB.open(options, dir.toString(), descriptors, handles);
            return new RocksIndex(options, familyOptions, db, handles);
        } catch (RocksDBException | IOException e) {
            handles.forEach(ColumnFamilyHandle::close);
            familyOptions.close();
            options.close();
            throw new StorageException(StorageException.Kind.IO, "cannot open index at " + dir, e);
        }
    }

    @Override
    public Optional<TagEntry> findTag(String upstream, RepositoryName repository, Tag tag) {
        byte[] key = IndexCodec.tagKey(upstream, repository, tag);
        return call(() -> Optional.ofNullable(db.get(tags, key)).map(IndexCodec::decodeTag));
    }

    @Override
    public void putTag(String upstream, RepositoryName repository, Tag tag, TagEntry entry) {
        byte[] key = IndexCodec.tagKey(upstream, repository, tag);
        byte[] value = IndexCodec.encode(entry);
        call(() -> {
            db.put(tags, key, value);
            return null;
        });
    }

    @Override
    public void deleteTag(String upstream, RepositoryName repository, Tag tag) {
        byte[] key = IndexCodec.tagKey(upstream, repository, tag);
        call(() -> {
            db.delete(tags, key);
            return null;
        });
    }

    @Override
    public List<String> listTags(String upstream, RepositoryName repository) {
        byte[] prefix = IndexCodec.repositoryPrefix(upstream, repository);
        return call(() -> {
            List<String> names = new ArrayList<>();
            try (RocksIterator it = db.newIterator(tags)) {
                for (it.seek(prefix); it.isValid() && IndexCodec.startsWith(it.key(), prefix); it.next()) {
                    names.add(IndexCodec.suffix(it.key(), prefix));
                }
                it.status();
            }
            return names;
        });
    }

    @Override
    public Optional<DigestEntry> findDigest(Digest digest) {
        byte[] key = IndexCodec.digestKey(digest);
        return call(() -> Optional.ofNullable(db.get(digests, key)).map(IndexCodec::decodeDigest));
    }

    @Override
    public void putDigest(Digest digest, DigestEntry entry) {
        byte[] key = IndexCodec.digestKey(digest);
        byte[] value = IndexCodec.encode(entry);
        call(() -> {
            db.put(digests, key, value);
            return null;
        });
    }

    @Override
    public void deleteDigest(Digest digest) {
        byte[] key = IndexCodec.digestKey(digest);
        call(() -> {
            db.delete(digests, key);
            return null;
        });
    }

    @Override
    public void forEachDigest(BiConsumer<Digest, DigestEntry> action) {
        call(() -> {
            // The iterator reads a consistent snapshot, so the action may delete entries as it goes.
            try (RocksIterator it = db.newIterator(digests)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    action.accept(IndexCodec.digestOfKey(it.key()), IndexCodec.decodeDigest(it.value()));
                }
                it.status();
            }
            return null;
        });
    }

    @Override
    public void forEachTag(TagVisitor visitor) {
        call(() -> {
            try (RocksIterator it = db.newIterator(tags)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    IndexCodec.TagKey key = IndexCodec.tagOfKey(it.key());
                    visitor.visit(key.upstream(), key.repository(), key.tag(), IndexCodec.decodeTag(it.value()));
                }
                it.status();
            }
            return null;
        });
    }

    @Override
    public void markSeen(String upstream, RepositoryName repository, Digest digest) {
        byte[] key = IndexCodec.seenKey(upstream, repository, digest);
        call(() -> {
            db.put(seen, key, IndexCodec.EMPTY);
            return null;
        });
    }

    @Override
    public boolean isSeen(String upstream, RepositoryName repository, Digest digest) {
        byte[] key = IndexCodec.seenKey(upstream, repository, digest);
        return call(() -> db.get(seen, key) != null);
    }

    /** Releases every native handle once calls in progress finish; idempotent. Later calls throw IO. */
    @Override
    public void close() {
        Lock write = lock.writeLock();
        write.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            handles.forEach(ColumnFamilyHandle::close);
            db.close();
            familyOptions.close();
            options.close();
        } finally {
            write.unlock();
        }
    }

    private interface RocksCall<T> {
        T run() throws RocksDBException;
    }

    private <T> T call(RocksCall<T> body) {
        Lock read = lock.readLock();
        read.lock();
        try {
            if (closed) {
                throw new StorageException(StorageException.Kind.IO, "index is closed");
            }
            return body.run();
        } catch (RocksDBException e) {
            throw new StorageException(StorageException.Kind.IO, "index operation failed", e);
        } finally {
            read.unlock();
        }
    }
}
