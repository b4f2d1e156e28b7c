package dev.wharf.storage.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.storage.BlobContent;
import dev.wharf.storage.BlobReader;
import dev.wharf.storage.Digest;
import dev.wharf.storage.Spool;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A store that redirects hands out presigned URLs that a plain HTTP client follows without credentials. */
@ExtendWith(S3Lab.Extension.class)
class S3RedirectTest {
    private static final byte[] BYTES = "fetched by the client itself".getBytes(StandardCharsets.UTF_8);
    private static final Pattern SIGNATURE = Pattern.compile("X-Amz-Signature=([0-9a-f]+)");

    @TempDir
    Path dir;

    private S3BlobStore store;
    private Digest digest;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void storeABlob() {
        S3Lab lab = S3Lab.get();
        S3BlobSettings settings =
                S3BlobSettings.of(lab.freshBucket(), dir.resolve("spools")).withRedirects(Duration.ofMinutes(5));
        store = S3BlobStore.open(lab.client(), Optional.of(lab.presigner()), settings);
        digest = Digest.sha256(BYTES);
        try (Spool spool = Spool.create(store.spoolDirectory(), digest, BYTES.length)) {
            spool.write(ByteBuffer.wrap(BYTES));
            spool.verify();
            store.publish(spool);
        }
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void aPresignedUrlDownloadsTheBytesWithoutCredentials() throws Exception {
        try (BlobContent content = store.openContent(digest).orElseThrow()) {
            BlobContent.Redirect redirect = assertInstanceOf(BlobContent.Redirect.class, content);
            assertEquals(BYTES.length, redirect.size());
            assertFalse(redirect.toString().contains("Signature"), "the URL is never printed");

            HttpResponse<byte[]> response = get(redirect.location());

            assertEquals(200, response.statusCode());
            assertArrayEquals(BYTES, response.body());
        }
    }

    @Test
    void aTamperedSignatureIsRefused() throws Exception {
        URI location = ((BlobContent.Redirect) store.openContent(digest).orElseThrow()).location();
        Matcher signature = SIGNATURE.matcher(location.toString());
        assertTrue(signature.find(), "a SigV4 presigned URL");
        String forged = signature.group(1).startsWith("0") ? "1" : "0";

        HttpResponse<byte[]> response = get(URI.create(signature.replaceFirst(
                "X-Amz-Signature=" + forged + signature.group(1).substring(1))));

        assertEquals(403, response.statusCode());
    }

    @Test
    void openStillYieldsTheBytesForCallersThatMustReadThem() throws Exception {
        try (BlobReader reader = store.open(digest).orElseThrow()) {
            ByteBuffer all = ByteBuffer.allocate(BYTES.length);
            while (all.hasRemaining() && reader.read(all, all.position()) > 0) {}
            assertArrayEquals(BYTES, all.array());
        }
    }

    @Test
    void anAbsentDigestRedirectsNowhere() {
        assertTrue(store.openContent(Digest.sha256(new byte[] {1})).isEmpty());
    }

    private HttpResponse<byte[]> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
