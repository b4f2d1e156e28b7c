package dev.wharf.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AdminHandlerTest {
    private static final String SCRAPE = "wharf_requests_total{kind=\"base\",result=\"2xx\"} 3.0\n";

    @Test
    void metricsAnswerWithThePrometheusText() {
        FullHttpResponse response = answer(HttpMethod.GET, "/metrics");

        assertEquals(200, response.status().code());
        assertEquals(AdminHandler.PROMETHEUS_TEXT, response.headers().get(HttpHeaderNames.CONTENT_TYPE));
        assertEquals(SCRAPE, body(response));
    }

    @Test
    void healthzAnswersOk() {
        FullHttpResponse response = answer(HttpMethod.GET, "/healthz");

        assertEquals(200, response.status().code());
        assertEquals("ok", body(response));
    }

    @Test
    void everythingElseIsNotFound() {
        for (String path : new String[] {"/", "/v2/", "/metrics/x", "/healthz/", "/admin"}) {
            assertEquals(404, status(HttpMethod.GET, path), path);
        }
        assertEquals(404, status(HttpMethod.POST, "/metrics"));
        assertEquals(404, status(HttpMethod.DELETE, "/healthz"));
    }

    @Test
    void aQueryStringDoesNotHideTheEndpoint() {
        assertEquals(SCRAPE, body(answer(HttpMethod.GET, "/metrics?name[]=wharf_requests_total")));
    }

    private static FullHttpResponse answer(HttpMethod method, String uri) {
        EmbeddedChannel channel = new EmbeddedChannel(new AdminHandler(() -> SCRAPE));
        try {
            channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri));
            FullHttpResponse response = channel.readOutbound();
            assertFalse(channel.finish(), "nothing else was written");
            return response;
        } finally {
            channel.close();
        }
    }

    private static int status(HttpMethod method, String uri) {
        FullHttpResponse response = answer(method, uri);
        try {
            return response.status().code();
        } finally {
            response.release();
        }
    }

    private static String body(FullHttpResponse response) {
        try {
            return response.content().toString(StandardCharsets.UTF_8);
        } finally {
            response.release();
        }
    }
}
