package dev.wharf.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.wharf.proxy.pull.Manifest;
import dev.wharf.storage.Digest;
import io.netty.handler.codec.http.FullHttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ResponsesTest {
    private static final byte[] BYTES = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
    private static final Manifest FRESH =
            new Manifest(Digest.sha256(BYTES), "application/vnd.oci.image.manifest.v1+json", BYTES);

    @Test
    void aConfirmedManifestHasNoWarning() {
        FullHttpResponse response = Responses.manifest(FRESH, false);
        try {
            assertFalse(response.headers().contains("Warning"));
        } finally {
            response.release();
        }
    }

    @Test
    void aStaleManifestCarriesAWarning299WithItsReasonForGetAndHead() {
        Manifest stale = new Manifest(
                FRESH.digest(), FRESH.mediaType(), BYTES, Optional.of("stale: upstream up.test unavailable"));
        for (boolean head : new boolean[] {false, true}) {
            FullHttpResponse response = Responses.manifest(stale, head);
            try {
                assertEquals(
                        "299 - \"stale: upstream up.test unavailable\"",
                        response.headers().get("Warning"));
                assertEquals(FRESH.digest().toString(), response.headers().get("Docker-Content-Digest"));
                assertEquals(BYTES.length, response.headers().getInt("Content-Length"));
            } finally {
                response.release();
            }
        }
    }
}
