package dev.wharf.storage.s3;

import dev.wharf.storage.Digest;
import dev.wharf.storage.RepositoryName;
import dev.wharf.storage.StorageException;
import dev.wharf.storage.Tag;
import dev.wharf.storage.TagLink;
import dev.wharf.storage.UpstreamName;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The bucket's side of eviction when replicas share it (layout in {@link S3Keys}): one listing of everything stored,
 * the eviction lease (one evicting replica at a time, taken as fill leases are, see {@link LeaseObject}), each
 * replica's published last uses, the journals of evictions under way, and the deletes. Every method blocks on S3 and
 * throws {@link StorageException} of kind UNAVAILABLE when the bucket fails; absence is empty, deleting what is absent
 * does nothing. Thread-safe.
 */
public final class S3EvictionStore {
    /** The most bytes a uses object or a journal may have (about 100,000 digests); larger ones are refused. */
    public static final int MAX_RECORD = 16 << 20;

    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final Logger LOG = LoggerFactory.getLogger(S3EvictionStore.class);
    /** The most foreign names remembered (each logged once): beyond, they are skipped without a word. */
    private static final int MAX_REPORTED = 1_000;

    private final S3Objects objects;
    private final S3Keys keys;
    private final S3LinkStore links;
    private final String replicaId;
    private final Clock clock;
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    /** The eviction objects in {@code bucket} through {@code client}, written in the name of {@code replicaId}. */
    public S3EvictionStore(S3Client client, S3Bucket bucket, String replicaId, Clock clock) {
        if (!replicaId.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("replica id must be 1 to 64 letters, digits, '.', '_' or '-'");
        }
        this.objects = new S3Objects(client, bucket);
        this.keys = new S3Keys(bucket);
        this.links = new S3LinkStore(client, bucket);
        this.replicaId = replicaId;
        this.clock = clock;
    }

    /** This replica's name in the bucket. */
    public String replicaId() {
        return replicaId;
    }

    /** Lists the whole prefix once (one paginated listing) and sorts what it holds. */
    public BucketListing list() {
        Map<Digest, BucketListing.Blob> blobs = new HashMap<>();
        Set<Digest> mediaTypes = new HashSet<>();
        List<BucketListing.TagObject> tags = new ArrayList<>();
        List<BucketListing.LinkObject> repositoryLinks = new ArrayList<>();
        List<BucketListing.Named> uses = new ArrayList<>();
        List<BucketListing.Named> journals = new ArrayList<>();
        for (S3Object object : objects.listAll(keys.prefix())) {
            String key = object.key();
            if (key.startsWith(keys.blobs())) {
                fannedDigest(key.substring(keys.blobs().length()))
                        .ifPresent(d -> blobs.put(d, new BucketListing.Blob(object.size(), object.lastModified())));
            } else if (key.startsWith(keys.mediaTypes())) {
                fannedDigest(key.substring(keys.mediaTypes().length())).ifPresent(mediaTypes::add);
            } else if (key.startsWith(keys.repositories())) {
                repositoryObject(key.substring(keys.repositories().length()), object.eTag(), tags, repositoryLinks);
            } else if (key.startsWith(keys.uses())) {
                String name = key.substring(keys.uses().length());
                if (isOurs(key, name)) {
                    uses.add(new BucketListing.Named(name, object.lastModified()));
                }
            } else if (key.startsWith(keys.journals())) {
                String name = key.substring(keys.journals().length());
                if (isOurs(key, name)) {
                    journals.add(new BucketListing.Named(name, object.lastModified()));
                }
            }
        }
        return new BucketListing(blobs, mediaTypes, tags, repositoryLinks, uses, journals);
    }

    /** The names of the journals under way (one short listing, not of the whole prefix). */
    public List<String> listJournals() {
        return objects.list(keys.journals()).stream()
                .filter(name -> isOurs(keys.journals() + name, name))
                .toList();
    }

    /** What a listed tag points at; empty when it is gone since. */
    public Optional<TagLink> readTag(BucketListing.TagObject tag) {
        return links.findTag(tag.upstream(), tag.repository(), tag.tag());
    }

    /** The media type recorded for {@code digest}; empty when none. */
    public Optional<String> readMediaType(Digest digest) {
        return links.findMediaType(digest);
    }

    /** Takes the eviction lease for {@code ttl}; empty when another replica holds it. */
    public Optional<EvictionLease> tryLease(Duration ttl) {
        LeaseObject lease = new LeaseObject(objects, keys.evictionLease(), clock);
        return lease.take(replicaId, ttl).map(holder -> new EvictionLease(lease, holder, ttl));
    }

    /** Whether a fill of {@code digest} holds its lease (of life {@code ttl}) now. */
    public boolean isFilling(Digest digest, Duration ttl) {
        return new LeaseObject(objects, keys.lease(digest), clock).isHeld(ttl);
    }

    /** Replaces this replica's uses object with {@code bytes}. */
    public void putUses(byte[] bytes) {
        checkSize(bytes);
        objects.put(keys.uses() + replicaId, bytes);
    }

    /** The uses object {@code name}; empty when gone. */
    public Optional<byte[]> readUses(String name) {
        return objects.read(keys.uses() + checkName(name), MAX_RECORD).map(S3Objects.Small::bytes);
    }

    /** Deletes the uses object {@code name}. */
    public void deleteUses(String name) {
        objects.delete(keys.uses() + checkName(name));
    }

    /** Writes the journal {@code name} only if none has the name; false when one has. */
    public boolean createJournal(String name, byte[] bytes) {
        checkSize(bytes);
        return objects.putIfAbsent(keys.journals() + checkName(name), bytes);
    }

    /** The journal {@code name}; empty when gone. */
    public Optional<byte[]> readJournal(String name) {
        return objects.read(keys.journals() + checkName(name), MAX_RECORD).map(S3Objects.Small::bytes);
    }

    /** Deletes the journal {@code name}. */
    public void deleteJournal(String name) {
        objects.delete(keys.journals() + checkName(name));
    }

    /** Deletes a tag's object. */
    public void deleteTag(UpstreamName upstream, RepositoryName repository, Tag tag) {
        links.deleteTag(upstream, repository, tag);
    }

    /** Deletes the bytes of {@code digest} and its media type (manifests have one). */
    public void deleteDigest(Digest digest) {
        objects.delete(keys.blob(digest));
        links.deleteMediaType(digest);
    }

    /** Deletes a repository link. */
    public void deleteLink(BucketListing.LinkObject link) {
        objects.delete(keys.link(link.upstream(), link.repository(), link.digest()));
    }

    private static void checkSize(byte[] bytes) {
        if (bytes.length > MAX_RECORD) {
            throw new IllegalArgumentException("record of " + bytes.length + " bytes exceeds " + MAX_RECORD);
        }
    }

    /**
     * Whether {@code name} (of the object {@code key}) is one this store could have written; a foreign one (an
     * operator's file, another program's) is logged once and skipped, so that it stops no eviction.
     */
    private boolean isOurs(String key, String name) {
        if (NAME.matcher(name).matches()) {
            return true;
        }
        if (reported.size() < MAX_REPORTED && reported.add(key)) {
            LOG.warn("ignoring {}: not an object eviction writes (names are {})", key, NAME.pattern());
        }
        return false;
    }

    private static String checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid object name");
        }
        return name;
    }

    /** {@code sha256/ab/abcdef…} as a digest; empty for anything else. */
    private static Optional<Digest> fannedDigest(String rest) {
        String[] parts = rest.split("/", -1);
        if (parts.length != 3 || !parts[2].startsWith(parts[1]) || parts[1].length() != 2) {
            return Optional.empty();
        }
        String text = parts[0] + ":" + parts[2];
        return Digest.isDigest(text) ? Optional.of(Digest.parse(text)) : Optional.empty();
    }

    /** {@code upstream/repo/_tags/tag} or {@code upstream/repo/_links/alg/hex}, added to its list when valid. */
    private static void repositoryObject(
            String rest, String eTag, List<BucketListing.TagObject> tags, List<BucketListing.LinkObject> links) {
        int slash = rest.indexOf('/');
        if (slash < 0) {
            return;
        }
        try {
            UpstreamName upstream = UpstreamName.parse(rest.substring(0, slash));
            String path = rest.substring(slash + 1);
            int tagAt = path.lastIndexOf("/_tags/");
            int linkAt = path.lastIndexOf("/_links/");
            if (tagAt > 0 && path.indexOf('/', tagAt + "/_tags/".length()) < 0) {
                tags.add(new BucketListing.TagObject(
                        upstream,
                        RepositoryName.parse(path.substring(0, tagAt)),
                        Tag.parse(path.substring(tagAt + "/_tags/".length())),
                        eTag));
            } else if (linkAt > 0) {
                String[] digest = path.substring(linkAt + "/_links/".length()).split("/", -1);
                if (digest.length == 2 && Digest.isDigest(digest[0] + ":" + digest[1])) {
                    links.add(new BucketListing.LinkObject(
                            upstream,
                            RepositoryName.parse(path.substring(0, linkAt)),
                            Digest.parse(digest[0] + ":" + digest[1])));
                }
            }
        } catch (IllegalArgumentException e) {
            // Something an operator left under repositories/ that is no link: not ours to count or delete.
        }
    }

    /** The eviction lease as one replica holds it; closing releases it. Thread-safe. */
    public static final class EvictionLease implements AutoCloseable {
        private final LeaseObject.Held lease;

        private EvictionLease(LeaseObject lease, String holder, Duration ttl) {
            this.lease = lease.held(holder, ttl);
        }

        /** Extends the lease by its ttl; false once it was lost (expired and taken over), and from then on. */
        public boolean renew() {
            return lease.renew();
        }

        /** Releases the lease; does nothing when it was lost. */
        @Override
        public void close() {
            lease.release();
        }
    }
}
