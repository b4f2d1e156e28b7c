package dev.wharf.proxy.pull;

import dev.wharf.config.Defaults;
import dev.wharf.proxy.lab.TestClock;
import dev.wharf.storage.BlobContent;
import dev.wharf.storage.BlobReader;
import dev.wharf.storage.Digest;
import dev.wharf.storage.LocalFillLeases;
import dev.wharf.storage.ManifestCache;
import dev.wharf.storage.RepositoryName;
import dev.wharf.storage.Tag;
import dev.wharf.storage.memory.MemoryBlobStore;
import dev.wharf.storage.memory.MemoryIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/** A pull-through cache over memory storage, a counting upstream and a clock that moves only when told. */
final class PullFixture {
    static final Duration DEFAULT_TTL = Duration.ofMinutes(1);

    final Target target = new Target("fake", RepositoryName.parse("library/app"));
    final MemoryBlobStore store = new MemoryBlobStore();
    final MemoryIndex index = new MemoryIndex();
    final CountingUpstream upstream = new CountingUpstream();
    final TestClock clock = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final Map<String, Duration> ttls = new ConcurrentHashMap<>();
    private volatile Duration listTtl = Duration.ZERO;
    final PullThrough pull;

    /** With a hot manifest cache of {@code hotBytes}; 0 makes every cached manifest come from the store. */
    PullFixture(long hotBytes) {
        this(hotBytes, Defaults.MAX_STALE);
    }

    /** As {@link #PullFixture(long)}, serving a tag stale for at most {@code maxStale} while the upstream fails. */
    PullFixture(long hotBytes, Duration maxStale) {
        this(hotBytes, maxStale, GoneTags.SERVE, RateBudget.UNLIMITED);
    }

    /** As {@link #PullFixture(long, Duration)}, with the given treatment of gone tags and rate budget. */
    PullFixture(long hotBytes, Duration maxStale, GoneTags goneTags, RateBudget budget) {
        this(hotBytes, maxStale, goneTags, budget, TestLanes.NEVER, Duration.ofSeconds(2));
    }

    /** As above, with re-check deadlines of {@code deadline} run by {@code scheduler}. */
    PullFixture(
            long hotBytes,
            Duration maxStale,
            GoneTags goneTags,
            RateBudget budget,
            Scheduler scheduler,
            Duration deadline) {
        FreshnessPolicy freshness = new FreshnessPolicy() {
            @Override
            public Duration tagTtl(Target target, Tag tag) {
                return ttls.getOrDefault(tag.value(), DEFAULT_TTL);
            }

            @Override
            public Duration listTtl(Target target) {
                return listTtl;
            }
        };
        PullSettings settings = PullSettings.of(freshness, clock, scheduler)
                .withMaxStale(maxStale)
                .withRecheckDeadline(deadline)
                .withTagPolicy(goneTags, budget);
        pull = new PullThrough(
                store,
                index,
                new ManifestCache(hotBytes),
                TestLanes.of("fake", upstream),
                Runnable::run,
                new LocalFillLeases(),
                settings);
    }

    /** Another pull-through cache over this fixture's store, index, upstream and clock, its upstream calls on {@code lane}. */
    PullThrough pullOn(Executor lane) {
        return new PullThrough(
                store,
                index,
                new ManifestCache(1 << 20),
                new Upstreams(Map.of("fake", new Upstreams.Lane(upstream, lane))),
                Runnable::run,
                new LocalFillLeases(),
                PullSettings.of((target, tag) -> DEFAULT_TTL, clock, TestLanes.NEVER));
    }

    PullFixture() {
        this(1 << 20);
    }

    /** Sets how long tag lists are held (zero until set). */
    void listTtl(Duration ttl) {
        listTtl = ttl;
    }

    /** Sets the freshness of one tag; others keep {@link #DEFAULT_TTL}. */
    void ttl(String tag, Duration ttl) {
        ttls.put(tag, ttl);
    }

    Manifest manifest(String reference) {
        return Futures.join(pull.manifest(target, Reference.parse(reference)));
    }

    Referrers referrers(Digest subject, Optional<String> artifactType) {
        return Futures.join(pull.referrers(target, subject, artifactType));
    }

    List<String> tags() {
        return Futures.join(pull.tags(target));
    }

    /** Opens, reads whole (waiting for the end of a fill) and closes the blob. */
    byte[] blob(Digest digest) {
        try (BlobSource source = Futures.join(pull.openBlob(target, digest))) {
            if (source instanceof BlobSource.Filling filling) {
                try (BlobReader stored = filling.fill().awaitStored()) {
                    return readAll(stored);
                }
            }
            return readAll(((BlobSource.Stored) source).content());
        }
    }

    /** How many digests the index has entries for. */
    int indexedDigests() {
        AtomicInteger count = new AtomicInteger();
        index.forEachDigest((digest, entry) -> count.incrementAndGet());
        return count.get();
    }

    /** The bytes of stored content, read through its file or its reader. */
    static byte[] readAll(BlobContent content) {
        if (content instanceof BlobContent.Ranged ranged) {
            return readAll(ranged.reader());
        }
        FileChannel file = ((BlobContent.LocalFile) content).channel();
        ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(content.size()));
        try {
            while (buffer.hasRemaining()) {
                if (file.read(buffer, buffer.position()) < 0) {
                    throw new IllegalStateException("blob shorter than its size");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.array();
    }

    static byte[] readAll(BlobReader reader) {
        ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(reader.size()));
        try {
            while (buffer.hasRemaining()) {
                if (reader.read(buffer, buffer.position()) < 0) {
                    throw new IllegalStateException("blob shorter than its size");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.array();
    }

    static String text(Manifest manifest) {
        return new String(manifest.bytes(), StandardCharsets.UTF_8);
    }

    static byte[] bytes(int size, int seed) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + seed);
        }
        return bytes;
    }
}
