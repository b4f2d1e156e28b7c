package dev.wharf.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.wharf.proxy.security.AdminGate;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AdminHandlerTest {
    private static final String SCRAPE = "wharf_requests_total{kind=\"base\",result=\"2xx\"} 3.0\n";

    @Test
    void metricsAnswerWithThePrometheusText() {
        FullHttpResponse response = answer(HttpMethod.GET, "/metrics");

        assertEquals(200, response.status().code());
        assertEquals(AdminEndpoints.PROMETHEUS_TEXT, response.headers().get(HttpHeaderNames.CONTENT_TYPE));
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
        for (String path : new String[] {"/", "/v2/", "/metrics/x", "/healthz/", "/admin", "/items/"}) {
            assertEquals(404, status(HttpMethod.GET, path), path);
        }
    }

    @Test
    void aKnownPathUnderAnotherMethodIsNotAllowed() {
        FullHttpResponse response = answer(HttpMethod.POST, "/metrics");
        assertEquals(405, response.status().code());
        assertEquals("GET", response.headers().get(HttpHeaderNames.ALLOW));
        response.release();
        FullHttpResponse item = answer(HttpMethod.GET, "/items/a");
        assertEquals(405, item.status().code());
        assertEquals("DELETE", item.headers().get(HttpHeaderNames.ALLOW));
        item.release();
    }

    @Test
    void pathParametersAndQueryReachTheEndpoint() {
        assertEquals("deleted a?force=yes", body(answer(HttpMethod.DELETE, "/items/a?force=yes")));
    }

    @Test
    void aFailingEndpointAnswers500WithoutItsMessage() {
        FullHttpResponse response = answer(HttpMethod.GET, "/broken");
        assertEquals(500, response.status().code());
        assertFalse(body(response).contains("secret"));
    }

    @Test
    void headAnswersLikeGetWithoutABody() {
        FullHttpResponse response = answer(HttpMethod.HEAD, "/healthz");
        assertEquals(200, response.status().code());
        assertEquals("2", response.headers().get(HttpHeaderNames.CONTENT_LENGTH));
        assertEquals("", body(response));
    }

    @Test
    void aQueryStringDoesNotHideTheEndpoint() {
        assertEquals(SCRAPE, body(answer(HttpMethod.GET, "/metrics?name[]=wharf_requests_total")));
    }

    @Test
    void onlyRoutesAddedWithGetOpenSkipTheGate() {
        AtomicInteger called = new AtomicInteger();
        AtomicInteger asked = new AtomicInteger();
        AdminEndpoint endpoint = AdminEndpoint.now(r -> {
            called.incrementAndGet();
            return AdminResponse.text(200, "served");
        });
        AdminRoutes routes = new AdminRoutes()
                .getOpen("/healthz", endpoint)
                .get("/status", endpoint)
                .add("POST", "/prewarm/{name}/run", endpoint)
                .add("DELETE", "/cache/{digest}", endpoint)
                .add("GET", "/cache/{digest}", endpoint);
        AdminGate refusing = (caller, from) -> {
            asked.incrementAndGet();
            return CompletableFuture.failedFuture(new IllegalStateException("refused"));
        };
        AdminHandler handler = new AdminHandler(routes, refusing);

        assertEquals(200, status(handler, HttpMethod.GET, "/healthz"));
        assertEquals(200, status(handler, HttpMethod.HEAD, "/healthz"));
        assertEquals(2, called.get());
        assertEquals(0, asked.get(), "an open route asks no one");

        String[][] closed = {
            {"GET", "/status"},
            {"HEAD", "/status"},
            {"POST", "/prewarm/x/run"},
            {"DELETE", "/cache/sha256:a"},
            {"GET", "/cache/sha256:a"}
        };
        for (String[] request : closed) {
            int status = status(handler, HttpMethod.valueOf(request[0]), request[1]);
            assertEquals(500, status, request[0] + " " + request[1] + " answered past a gate that failed");
        }
        assertEquals(closed.length, asked.get(), "every other route asked the gate");
        assertEquals(2, called.get(), "and reached no endpoint");
    }

    private static int status(AdminHandler handler, HttpMethod method, String uri) {
        EmbeddedChannel channel = new EmbeddedChannel(handler);
        try {
            channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri));
            channel.runPendingTasks();
            FullHttpResponse response = channel.readOutbound();
            try {
                return response.status().code();
            } finally {
                response.release();
            }
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    private static FullHttpResponse answer(HttpMethod method, String uri) {
        EmbeddedChannel channel = new EmbeddedChannel(new AdminHandler(routes(), AdminGate.OPEN));
        try {
            channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri));
            FullHttpResponse response = channel.readOutbound();
            assertFalse(channel.finish(), "nothing else was written");
            return response;
        } finally {
            channel.close();
        }
    }

    private static AdminRoutes routes() {
        return new AdminRoutes()
                .get("/metrics", AdminEndpoints.metrics(() -> SCRAPE))
                .get("/healthz", AdminEndpoints.health())
                .add(
                        "DELETE",
                        "/items/{name}",
                        AdminEndpoint.now(r -> AdminResponse.text(
                                200,
                                "deleted " + r.pathParameter("name") + "?force="
                                        + r.queryParameter("force").orElse(""))))
                .get("/broken", request -> CompletableFuture.failedFuture(new IllegalStateException("secret")));
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
