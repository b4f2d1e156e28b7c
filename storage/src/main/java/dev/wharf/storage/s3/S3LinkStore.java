package dev.wharf.storage.s3;

import dev.wharf.storage.Digest;
import dev.wharf.storage.LinkStore;
import dev.wharf.storage.RepositoryName;
import dev.wharf.storage.StorageException;
import dev.wharf.storage.Tag;
import dev.wharf.storage.TagLink;
import dev.wharf.storage.UpstreamName;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Links as small objects beside the blobs of an {@link S3BlobStore} with the same bucket and prefix, in the layout and
 * formats of the disk's {@code FileLinkStore} (see {@link S3Keys}): a tag object holds {@link TagLink#format()}, a
 * media-type object the media type and a newline, a link object nothing. Each put is one PutObject, which S3 makes
 * visible whole or not at all; replicas sharing the bucket see each other's links. The store does not own the client.
 * Thread-safe.
 */
public final class S3LinkStore implements LinkStore {
    private static final byte[] EMPTY = new byte[0];

    private final S3Keys keys;
    private final S3Objects objects;

    /** Links in {@code bucket} through {@code client}; asks nothing of S3 until used. */
    public S3LinkStore(S3Client client, S3Bucket bucket) {
        this.keys = new S3Keys(bucket);
        this.objects = new S3Objects(client, bucket);
    }

    @Override
    public void putTag(UpstreamName upstream, RepositoryName repository, Tag tag, TagLink link) {
        objects.put(keys.tag(upstream, repository, tag), utf8(link.format()));
    }

    @Override
    public Optional<TagLink> findTag(UpstreamName upstream, RepositoryName repository, Tag tag) {
        return read(keys.tag(upstream, repository, tag), TagLink::parse);
    }

    @Override
    public List<String> listTags(UpstreamName upstream, RepositoryName repository) {
        List<String> tags = new ArrayList<>();
        for (String name : objects.list(keys.tags(upstream, repository))) {
            // Anything an operator left there that is not a tag is no link.
            if (isTag(name)) {
                tags.add(name);
            }
        }
        tags.sort(null);
        return tags;
    }

    @Override
    public void deleteTag(UpstreamName upstream, RepositoryName repository, Tag tag) {
        objects.delete(keys.tag(upstream, repository, tag));
    }

    @Override
    public void putMediaType(Digest digest, String mediaType) {
        objects.put(keys.mediaType(digest), utf8(TagLink.checkMediaType(mediaType) + "\n"));
    }

    @Override
    public Optional<String> findMediaType(Digest digest) {
        return read(keys.mediaType(digest), S3LinkStore::parseMediaType);
    }

    @Override
    public void deleteMediaType(Digest digest) {
        objects.delete(keys.mediaType(digest));
    }

    @Override
    public void putLink(UpstreamName upstream, RepositoryName repository, Digest digest) {
        objects.put(keys.link(upstream, repository, digest), EMPTY);
    }

    @Override
    public boolean hasLink(UpstreamName upstream, RepositoryName repository, Digest digest) {
        return objects.head(keys.link(upstream, repository, digest)).isPresent();
    }

    private <T> Optional<T> read(String key, Function<String, T> parser) {
        return objects.read(key).map(small -> {
            try {
                return parser.apply(new String(small.bytes(), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new StorageException(StorageException.Kind.IO, "unreadable link " + key, e);
            }
        });
    }

    private static String parseMediaType(String text) {
        if (!text.endsWith("\n")) {
            throw new IllegalArgumentException("media type object does not end with a newline");
        }
        return TagLink.checkMediaType(text.substring(0, text.length() - 1));
    }

    private static boolean isTag(String name) {
        try {
            Tag.parse(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
