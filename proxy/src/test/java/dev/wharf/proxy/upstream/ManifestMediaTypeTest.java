package dev.wharf.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ManifestMediaTypeTest {
    private static final String DOCKER = "application/vnd.docker.distribution.manifest.v2+json";
    private static final String OCI = "application/vnd.oci.image.manifest.v1+json";
    private static final String INDEX = "application/vnd.oci.image.index.v1+json";

    @ParameterizedTest(name = "{0} with body type {1}: {2}")
    @CsvSource({
        DOCKER + ", " + DOCKER + ", " + DOCKER,
        OCI + ", , " + OCI,
        INDEX + ", " + INDEX + ", " + INDEX,
        "text/html, " + DOCKER + ", " + DOCKER,
        "application/json, " + OCI + ", " + OCI,
        "application/octet-stream, " + INDEX + ", " + INDEX,
        "text/html, , REFUSED",
        "text/html, text/html, REFUSED",
        DOCKER + ", " + INDEX + ", REFUSED",
        OCI + ", text/html, REFUSED",
    })
    void decides(String contentType, String bodyType, String expected) {
        String body = bodyType == null
                ? "{\"schemaVersion\":2,\"layers\":[]}"
                : "{\"schemaVersion\":2,\"mediaType\":\"" + bodyType + "\",\"layers\":[]}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (expected.equals("REFUSED")) {
            assertThrows(IllegalArgumentException.class, () -> ManifestMediaType.decide(contentType, bytes));
        } else {
            assertEquals(expected, ManifestMediaType.decide(contentType, bytes));
        }
    }

    @ParameterizedTest
    @CsvSource({"'<html></html>'", "'[1,2]'", "'\"text\"'", "''"})
    void aBodyThatIsNoJsonObjectNamesNoType(String body) {
        assertThrows(
                IllegalArgumentException.class,
                () -> ManifestMediaType.decide("text/html", body.getBytes(StandardCharsets.UTF_8)));
    }
}
