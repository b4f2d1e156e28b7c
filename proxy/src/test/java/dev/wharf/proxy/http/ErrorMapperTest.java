package dev.wharf.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.wharf.proxy.pull.Target;
import dev.wharf.proxy.upstream.UpstreamException;
import dev.wharf.proxy.upstream.UpstreamFailures;
import dev.wharf.storage.Digest;
import dev.wharf.storage.RepositoryName;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class ErrorMapperTest {
    private static final Route BLOB = new Route.Blob(
            new Target("up.test", RepositoryName.parse("library/alpine")),
            Digest.sha256("x".getBytes(StandardCharsets.UTF_8)));

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
        assertEquals("upstream up.test is unavailable", error.message());
    }
}
