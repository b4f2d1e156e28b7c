package dev.wharf.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class GrammarTest {
    private static final String HEX64 = "a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4";

    static Stream<String> validDigests() {
        return Stream.of("sha256:" + HEX64, "sha512:" + HEX64 + HEX64, "sha256:" + "0".repeat(64));
    }

    static Stream<String> invalidDigests() {
        return Stream.of(
                "",
                "sha256",
                "sha256:",
                ":" + HEX64,
                "sha256:" + HEX64.toUpperCase(Locale.ROOT),
                "SHA256:" + HEX64,
                "sha384:" + HEX64 + HEX64.substring(0, 32),
                "md5:" + HEX64.substring(0, 32),
                "sha256:" + HEX64.substring(1),
                "sha256:" + HEX64 + "0",
                "sha256:" + HEX64.substring(2) + "/x",
                "sha256:../../../../etc/passwd",
                "sha256:" + HEX64.substring(1) + "g",
                "sha256:" + HEX64 + "\n",
                "sha512:" + HEX64);
    }

    @ParameterizedTest
    @MethodSource("validDigests")
    void validDigestsParseAndPrintBack(String text) {
        assertEquals(text, Digest.parse(text).toString());
        assertTrue(Digest.isDigest(text));
    }

    @ParameterizedTest
    @MethodSource("invalidDigests")
    void invalidDigestsAreRejected(String text) {
        assertThrows(IllegalArgumentException.class, () -> Digest.parse(text));
        assertFalse(Digest.isDigest(text));
    }

    static Stream<String> validNames() {
        return Stream.of(
                "a",
                "library/nginx",
                "org/team/app",
                "a.b",
                "a_b",
                "a__b",
                "a-b",
                "a---b",
                "x1/y-2.z_3",
                "0",
                "a".repeat(RepositoryName.MAX_LENGTH));
    }

    static Stream<String> invalidNames() {
        return Stream.of(
                "",
                "A",
                "Library/nginx",
                "..",
                "a/../b",
                "a/./b",
                "a//b",
                "/a",
                "a/",
                "-a",
                ".a",
                "_a",
                "a.",
                "a-",
                "a..b",
                "a___b",
                "a b",
                "a:b",
                "a\\b",
                "a@b",
                "a\0b",
                "a".repeat(RepositoryName.MAX_LENGTH + 1));
    }

    @ParameterizedTest
    @MethodSource("validNames")
    void validRepositoryNamesParse(String text) {
        assertEquals(text, RepositoryName.parse(text).value());
    }

    @ParameterizedTest
    @MethodSource("invalidNames")
    void invalidRepositoryNamesAreRejected(String text) {
        assertThrows(IllegalArgumentException.class, () -> RepositoryName.parse(text));
    }

    static Stream<String> validTags() {
        return Stream.of("latest", "1.27.3", "v1.2.3-rc.1", "_x", "A", "1", "Alpine_3.20", "a".repeat(128));
    }

    @ParameterizedTest
    @MethodSource("validTags")
    void validTagsParse(String text) {
        assertEquals(text, Tag.parse(text).value());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".x", "-x", "a/b", "a:b", "a b", "a@b", "..", "tag\n", "é"})
    void invalidTagsAreRejected(String text) {
        assertThrows(IllegalArgumentException.class, () -> Tag.parse(text));
    }

    @ParameterizedTest
    @ValueSource(ints = {129, 200})
    void overlongTagsAreRejected(int length) {
        assertThrows(IllegalArgumentException.class, () -> Tag.parse("a".repeat(length)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"library/nginx", "nginx"})
    void firstComponentIsTheLeadingPathSegment(String text) {
        String expected = text.contains("/") ? text.substring(0, text.indexOf('/')) : text;
        assertEquals(expected, RepositoryName.parse(text).firstComponent());
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker.io", "ghcr.io", "registry.local:5000", "localhost", "127.0.0.1:65535", "a-b.c"})
    void validUpstreamNamesParse(String text) {
        assertEquals(text, UpstreamName.parse(text).toString());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                ".",
                "..",
                "a/b",
                "a/../b",
                "a..b",
                ".a",
                "a.",
                "-a.io",
                "a-.io",
                "Docker.io",
                "a:0",
                "a:65536",
                "a:",
                ":80",
                "a b",
                "a\0b",
                "%2e%2e",
                "a:80:80",
                "a_b.io",
                "a\nb"
            })
    void invalidUpstreamNamesAreRejected(String text) {
        assertThrows(IllegalArgumentException.class, () -> UpstreamName.parse(text));
    }

    @Test
    void overlongUpstreamNamesAndLabelsAreRejected() {
        String label = "a".repeat(63);
        UpstreamName.parse(label + ".io");
        assertThrows(IllegalArgumentException.class, () -> UpstreamName.parse("a" + label + ".io"));
        String name = (label + ".").repeat(4);
        assertThrows(IllegalArgumentException.class, () -> UpstreamName.parse(name.substring(0, 254)));
    }

    @Test
    void tagLinksRoundTripThroughTheirText() {
        TagLink link = new TagLink(
                Digest.parse("sha256:" + HEX64),
                "application/vnd.oci.image.index.v1+json",
                Instant.parse("2025-01-02T03:04:05.000000001Z"));

        assertEquals(link, TagLink.parse(link.format()));
        assertThrows(IllegalArgumentException.class, () -> TagLink.parse("v1\nsha256:" + HEX64 + "\nx\n"));
        assertThrows(IllegalArgumentException.class, () -> TagLink.parse(link.format() + "extra\n"));
        assertThrows(IllegalArgumentException.class, () -> new TagLink(link.digest(), "a\rb", link.confirmedAt()));
    }
}
