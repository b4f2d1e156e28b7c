package dev.wharf.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.storage.LinkStore;
import dev.wharf.storage.LinkStoreContract;
import dev.wharf.storage.StorageException;
import dev.wharf.storage.Tag;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The link store contract on S3, and the keys and bodies the links have there. */
@ExtendWith(S3Lab.Extension.class)
class S3LinkStoreTest extends LinkStoreContract {
    private S3Bucket bucket;

    @Override
    protected LinkStore newLinks() {
        bucket = S3Lab.get().freshBucket();
        return new S3LinkStore(client(), bucket);
    }

    @Test
    void linksLiveWhereTheLayoutSaysInTheDiskFormat() {
        links.putTag(HUB, NGINX, Tag.parse("latest"), link("m"));
        links.putMediaType(digest("m"), INDEX);
        links.putLink(HUB, NGINX, digest("layer"));

        String hex = digest("m").encoded();
        assertEquals(
                "v1\n" + digest("m") + "\napplication/vnd.oci.image.manifest.v1+json\n" + T0 + "\n",
                object("repositories/docker.io/library/nginx/_tags/latest"));
        assertEquals(INDEX + "\n", object("media-types/sha256/" + hex.substring(0, 2) + "/" + hex));
        assertEquals(
                "",
                object("repositories/docker.io/library/nginx/_links/sha256/"
                        + digest("layer").encoded()));
    }

    @Test
    void linksAreSeenByAnotherStoreOnTheSameBucket() {
        links.putTag(HUB, NGINX, Tag.parse("1.27"), link("1.27"));

        LinkStore replica = new S3LinkStore(client(), bucket);

        assertEquals(Optional.of(link("1.27")), replica.findTag(HUB, NGINX, Tag.parse("1.27")));
    }

    @Test
    void objectsThatAreNoTagsAreNotListed() {
        links.putTag(HUB, NGINX, Tag.parse("1.0"), link("1.0"));
        String tags = bucket.prefix() + "repositories/docker.io/library/nginx/_tags/";
        put(tags + ".hidden", "not a tag");
        put(tags + "deeper/1.1", "not a tag of this repository");

        assertEquals(List.of("1.0"), links.listTags(HUB, NGINX));
    }

    @Test
    void anUnreadableLinkFailsWithIo() {
        put(bucket.prefix() + "repositories/docker.io/library/nginx/_tags/broken", "v9\nwhatever\n");

        StorageException e = assertThrows(StorageException.class, () -> links.findTag(HUB, NGINX, Tag.parse("broken")));
        assertEquals(StorageException.Kind.IO, e.kind());
    }

    @Test
    void anOversizedLinkIsNotReadWhole() {
        put(bucket.prefix() + "repositories/docker.io/library/nginx/_tags/huge", "x".repeat(S3Objects.MAX_SMALL + 1));

        StorageException e = assertThrows(StorageException.class, () -> links.findTag(HUB, NGINX, Tag.parse("huge")));
        assertEquals(StorageException.Kind.IO, e.kind());
        assertTrue(links.findTag(HUB, NGINX, Tag.parse("absent")).isEmpty());
    }

    private String object(String key) {
        return client().getObjectAsBytes(b -> b.bucket(S3Lab.BUCKET).key(bucket.prefix() + key))
                .asString(StandardCharsets.UTF_8);
    }

    private void put(String key, String body) {
        client().putObject(b -> b.bucket(S3Lab.BUCKET).key(key), RequestBody.fromString(body));
    }

    private static S3Client client() {
        return S3Lab.get().client();
    }
}
