package dev.wharf.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proxy.pull.Reference;
import dev.wharf.proxy.pull.Target;
import dev.wharf.proxy.upstream.UpstreamException;
import dev.wharf.proxy.upstream.UpstreamFailures;
import dev.wharf.storage.Digest;
import dev.wharf.storage.RepositoryName;
import dev.wharf.storage.StorageException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class ErrorMapperTest {
    private static final Route BLOB = new Route.Blob(
            new Target("up.test", RepositoryName.parse("library/alpine")),
            Digest.sha256("x".getBytes(StandardCharsets.UTF_8)));
    private static final Target TARGET = new Target("up.test", RepositoryName.parse("library/alpine"));
    private static final Route TAGS = new Route.Tags(TARGET, "library/alpine", Optional.empty(), Optional.empty());
    private static final Route MANIFEST = new Route.Manifest(TARGET, Reference.parse("latest"));

    @Test
    void anUpstreamThatTimedOutIsAGatewayTimeoutNamingTheUpstream() {
        ErrorMapper.OciError error = ErrorMapper.map(new CompletionException(UpstreamFailures.timeout()), BLOB);

        assertEquals(HttpResponseStatus.GATEWAY_TIMEOUT, error.status());
        assertEquals("UNAVAILABLE", error.code());
        assertEquals("upstream up.test timed out", error.message());
    }

    @Test
    void anUpstreamThatFailedOtherwiseIsABadGateway() {
        UpstreamException down = UpstreamFailures.of(UpstreamException.Kind.UNAVAILABLE);

        ErrorMapper.OciError error = ErrorMapper.map(down, BLOB);

        assertFalse(down.timedOut());
        assertEquals(HttpResponseStatus.BAD_GATEWAY, error.status());
        assertEquals("UNAVAILABLE", error.code());
        assertEquals("upstream up.test is unavailable: it answered 503", error.message());
    }

    @Test
    void wharfsRefusedCredentialsAreABadGatewayNeverTheClientsUnauthorized() {
        ErrorMapper.OciError error = ErrorMapper.map(UpstreamFailures.of(UpstreamException.Kind.CREDENTIALS), MANIFEST);

        assertEquals(HttpResponseStatus.BAD_GATEWAY, error.status());
        assertEquals("DENIED", error.code());
        assertEquals("upstream up.test refused Wharf's credentials", error.message());
    }

    @Test
    void anUpstreamRefusingAnonymousAccessIsForbidden() {
        ErrorMapper.OciError error =
                ErrorMapper.map(UpstreamFailures.of(UpstreamException.Kind.UNAUTHORIZED), MANIFEST);

        assertEquals(HttpResponseStatus.FORBIDDEN, error.status());
        assertEquals("DENIED", error.code());
        assertEquals("upstream up.test refused access", error.message());
    }

    @Test
    void aTagListTooLargeIsReportedAsATagListNeverAsAManifest() {
        ErrorMapper.OciError error = ErrorMapper.map(UpstreamFailures.of(UpstreamException.Kind.TOO_LARGE), TAGS);

        assertEquals(HttpResponseStatus.BAD_GATEWAY, error.status());
        assertEquals("UNAVAILABLE", error.code());
        assertEquals("upstream up.test sent a tag list longer than Wharf accepts", error.message());
        assertFalse(error.message().contains("manifest"), error.message());
    }

    @Test
    void aManifestTooLargeIsAnInvalidManifest() {
        ErrorMapper.OciError error = ErrorMapper.map(UpstreamFailures.of(UpstreamException.Kind.TOO_LARGE), MANIFEST);

        assertEquals(HttpResponseStatus.BAD_GATEWAY, error.status());
        assertEquals("MANIFEST_INVALID", error.code());
        assertTrue(error.message().contains("manifest over 4 MiB"), error.message());
    }

    @Test
    void anUpstreamThatBrokeTheProtocolIsABadGatewayNamingTheUpstream() {
        ErrorMapper.OciError error = ErrorMapper.map(UpstreamFailures.of(UpstreamException.Kind.PROTOCOL), MANIFEST);

        assertEquals(HttpResponseStatus.BAD_GATEWAY, error.status());
        assertEquals("UNAVAILABLE", error.code());
        assertEquals("upstream up.test broke the registry protocol", error.message());
    }

    @Test
    void upstreamBytesThatDoNotMatchTheirDigestAreABadGatewayWithAnInvalidDigest() {
        UpstreamException mismatch =
                UpstreamException.digestMismatch("up.test", "manifest", "its Docker-Content-Digest");

        ErrorMapper.OciError error = ErrorMapper.map(new CompletionException(mismatch), MANIFEST);

        assertEquals(UpstreamException.Kind.PROTOCOL, mismatch.kind());
        assertEquals("upstream up.test: manifest does not match its Docker-Content-Digest", mismatch.getMessage());
        assertEquals(HttpResponseStatus.BAD_GATEWAY, error.status());
        assertEquals("DIGEST_INVALID", error.code());
        assertEquals("upstream up.test sent content that does not match its digest", error.message());
    }

    @Test
    void aLocalStorageFailureIsAnInternalErrorAboutStorageNotTheUpstream() {
        StorageException disk = new StorageException(StorageException.Kind.IO, "cannot write blob /var/wharf/x");

        ErrorMapper.OciError error = ErrorMapper.map(new CompletionException(disk), BLOB);

        assertEquals(HttpResponseStatus.INTERNAL_SERVER_ERROR, error.status());
        assertEquals("UNKNOWN", error.code());
        assertEquals("local storage failed", error.message());
        assertFalse(error.message().contains("upstream"), error.message());
        assertFalse(error.message().contains("/var/wharf"), error.message());
    }

    @Test
    void aCancelledRequestIsUnavailableWhetherWrappedOrNot() {
        for (Throwable cancelled :
                List.of(new CancellationException(), new CompletionException(new CancellationException()))) {
            ErrorMapper.OciError error = ErrorMapper.map(cancelled, BLOB);

            assertEquals(HttpResponseStatus.SERVICE_UNAVAILABLE, error.status());
            assertEquals("UNAVAILABLE", error.code());
            assertEquals("request cancelled", error.message());
        }
    }
}
