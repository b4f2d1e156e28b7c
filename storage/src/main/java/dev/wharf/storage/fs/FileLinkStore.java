package dev.wharf.storage.fs;

import dev.wharf.storage.Digest;
import dev.wharf.storage.LinkStore;
import dev.wharf.storage.RepositoryName;
import dev.wharf.storage.StorageException;
import dev.wharf.storage.Tag;
import dev.wharf.storage.TagLink;
import dev.wharf.storage.UpstreamName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Links as small files beside the blobs of a {@link FileBlobStore} with the same root. Paths are built only from
 * validated names ({@link UpstreamName}, the components of a {@link RepositoryName}, {@link Tag}, {@link Digest}), and
 * no repository component starts with {@code _}, so {@code _tags} and {@code _links} never clash with one:
 *
 * <pre>
 * root/
 * ├── repositories/
 * │   └── docker.io/                       upstream: host[:port]
 * │       └── library/
 * │           └── nginx/                   one directory per repository name component
 * │               ├── _tags/
 * │               │   └── latest           v1, digest, media type, confirmed-at: one line each
 * │               └── _links/
 * │                   └── sha256/
 * │                       └── abcdef0123…  empty: the repository references sha256:abcdef0123…
 * ├── media-types/
 * │   └── sha256/
 * │       └── ab/                          first two hex characters (fan-out)
 * │           └── abcdef0123…              the media type of sha256:abcdef0123…, one line
 * └── tmp/
 *     └── link-*.tmp                       writes in progress; swept by {@link #open(Path)}
 * </pre>
 *
 * <p>A write goes to a temp file under {@code tmp/} (the same filesystem), is fsynced and renamed over its target; new
 * directories and the rename are fsynced too. Tags differ by case, so the root must be on a case-sensitive
 * filesystem. Thread-safe.
 */
public final class FileLinkStore implements LinkStore {
    private final Path root;
    private final Path repositories;
    private final Path mediaTypes;
    private final Path tmp;

    private FileLinkStore(Path root) {
        this.root = root;
        this.repositories = root.resolve("repositories");
        this.mediaTypes = root.resolve("media-types");
        this.tmp = root.resolve("tmp");
    }

    /**
     * Opens (creating if needed) the links under {@code root} and deletes temp files of interrupted writes; throws
     * {@link StorageException} of kind IO when the directories cannot be created or swept.
     */
    public static FileLinkStore open(Path root) {
        FileLinkStore store = new FileLinkStore(root);
        try {
            Files.createDirectories(store.repositories);
            Files.createDirectories(store.mediaTypes);
            Files.createDirectories(store.tmp);
            try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(store.tmp, "link-*.tmp")) {
                for (Path leftover : leftovers) {
                    Files.deleteIfExists(leftover);
                }
            }
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.IO, "cannot open links at " + root, e);
        }
        return store;
    }

    @Override
    public void putTag(UpstreamName upstream, RepositoryName repository, Tag tag, TagLink link) {
        write(tagPath(upstream, repository, tag), link.format());
    }

    @Override
    public Optional<TagLink> findTag(UpstreamName upstream, RepositoryName repository, Tag tag) {
        return read(tagPath(upstream, repository, tag)).map(text -> decode(text, TagLink::parse));
    }

    @Override
    public List<String> listTags(UpstreamName upstream, RepositoryName repository) {
        List<String> tags = new ArrayList<>();
        try (DirectoryStream<Path> files =
                Files.newDirectoryStream(repository(upstream, repository).resolve("_tags"))) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                // Anything an operator left there that is not a tag is no link.
                if (isTag(name)) {
                    tags.add(name);
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.IO, "cannot list tags of " + repository, e);
        }
        tags.sort(null);
        return tags;
    }

    @Override
    public void deleteTag(UpstreamName upstream, RepositoryName repository, Tag tag) {
        delete(tagPath(upstream, repository, tag));
    }

    @Override
    public void putMediaType(Digest digest, String mediaType) {
        write(mediaTypePath(digest), TagLink.checkMediaType(mediaType) + "\n");
    }

    @Override
    public Optional<String> findMediaType(Digest digest) {
        return read(mediaTypePath(digest)).map(text -> decode(text, FileLinkStore::parseMediaType));
    }

    @Override
    public void deleteMediaType(Digest digest) {
        delete(mediaTypePath(digest));
    }

    @Override
    public void putLink(UpstreamName upstream, RepositoryName repository, Digest digest) {
        try {
            Durable.touch(linkPath(upstream, repository, digest));
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.IO, "cannot link " + digest + " to " + repository, e);
        }
    }

    @Override
    public boolean hasLink(UpstreamName upstream, RepositoryName repository, Digest digest) {
        return Files.isRegularFile(linkPath(upstream, repository, digest));
    }

    private Path repository(UpstreamName upstream, RepositoryName repository) {
        Path dir = repositories.resolve(upstream.value());
        for (String component : repository.value().split("/")) {
            dir = dir.resolve(component);
        }
        return dir;
    }

    private Path tagPath(UpstreamName upstream, RepositoryName repository, Tag tag) {
        return repository(upstream, repository).resolve("_tags").resolve(tag.value());
    }

    private Path linkPath(UpstreamName upstream, RepositoryName repository, Digest digest) {
        return repository(upstream, repository)
                .resolve("_links")
                .resolve(digest.algorithm())
                .resolve(digest.encoded());
    }

    private Path mediaTypePath(Digest digest) {
        String hex = digest.encoded();
        return mediaTypes
                .resolve(digest.algorithm())
                .resolve(hex.substring(0, 2))
                .resolve(hex);
    }

    private void write(Path target, String text) {
        try {
            Durable.write(tmp, target, text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.IO, "cannot write link " + relative(target), e);
        }
    }

    private Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.IO, "cannot read link " + relative(file), e);
        }
    }

    private void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.IO, "cannot delete link " + relative(file), e);
        }
    }

    private static String parseMediaType(String text) {
        if (!text.endsWith("\n")) {
            throw new IllegalArgumentException("media type file does not end with a newline");
        }
        return TagLink.checkMediaType(text.substring(0, text.length() - 1));
    }

    private static <T> T decode(String text, Function<String, T> parser) {
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            throw new StorageException(StorageException.Kind.IO, "unreadable link", e);
        }
    }

    private String relative(Path file) {
        return root.relativize(file).toString();
    }

    private static boolean isTag(String name) {
        try {
            Tag.parse(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
