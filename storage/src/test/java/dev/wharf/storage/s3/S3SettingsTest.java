package dev.wharf.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The S3 settings records refuse what S3 or the stores cannot work with, and never print a secret. */
class S3SettingsTest {
    @Test
    void aBucketNeedsAValidNameAndAPrefixEndingInASlash() {
        for (String name : new String[] {"ab", "Upper", "-dash", "a_b", "x".repeat(64)}) {
            assertThrows(IllegalArgumentException.class, () -> S3Bucket.of(name), name);
        }
        for (String prefix : new String[] {"wharf", "/wharf/", "a//b/"}) {
            assertThrows(IllegalArgumentException.class, () -> new S3Bucket("wharf", prefix), prefix);
        }
        assertEquals("cache/eu/", new S3Bucket("my.bucket-1", "cache/eu/").prefix());
    }

    @Test
    void partsAreBoundedAndRedirectsOffByDefault() {
        S3BlobSettings settings = S3BlobSettings.of(S3Bucket.of("wharf"), Path.of("spools"));

        assertEquals(16L << 20, settings.partSize());
        assertFalse(settings.redirects());
        assertTrue(settings.withRedirects(Duration.ofMinutes(10)).redirects());
        assertThrows(IllegalArgumentException.class, () -> settings.withPartSize((5L << 20) - 1));
        assertThrows(IllegalArgumentException.class, () -> settings.withPartSize((512L << 20) + 1));
        assertThrows(IllegalArgumentException.class, () -> settings.withRedirects(Duration.ofDays(8)));
    }

    @Test
    void clientSettingsNeedBothKeysOrNoneAndHideTheSecret() {
        S3ClientSettings settings = S3ClientSettings.of("eu-west-1")
                .withEndpoint(URI.create("http://127.0.0.1:9000"), true)
                .withCredentials("AKIAEXAMPLE", "s3cr3t-value");

        assertFalse(settings.toString().contains("s3cr3t-value"), settings.toString());
        assertTrue(settings.toString().contains("AKIAEXAMPLE"));
        assertThrows(
                IllegalArgumentException.class,
                () -> new S3ClientSettings(
                        "eu-west-1",
                        Optional.empty(),
                        false,
                        Optional.of("id"),
                        Optional.empty(),
                        5,
                        Duration.ofMillis(100)));
        assertThrows(IllegalArgumentException.class, () -> settings.withRetries(0, Duration.ZERO));
    }
}
