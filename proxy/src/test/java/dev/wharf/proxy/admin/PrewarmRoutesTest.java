package dev.wharf.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.config.ConfigLoader;
import dev.wharf.config.WharfConfig;
import dev.wharf.proxy.lab.TestClock;
import dev.wharf.proxy.prewarm.PinStore;
import dev.wharf.proxy.prewarm.PrewarmMetrics;
import dev.wharf.proxy.prewarm.PrewarmScheduler;
import dev.wharf.proxy.prewarm.RuleSource;
import dev.wharf.proxy.prewarm.RunResult;
import dev.wharf.proxy.security.AdminGate;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Queue;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrewarmRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    @TempDir
    Path dir;

    private final Queue<Runnable> workers = new ArrayDeque<>();
    private PrewarmScheduler scheduler;

    @BeforeEach
    void start() {
        WharfConfig config = ConfigLoader.parse(
                "prewarm:\n  - {name: docker.io/library/redis, upstream: docker.io, repository: redis, tags: [7],"
                        + " every: 1h}\n",
                Map.of(),
                dir);
        scheduler = new PrewarmScheduler(
                new RuleSource(config, Map.of()),
                rule -> new RunResult(rule.name(), T0, T0.plusSeconds(3), 1, 1, 0, 2, 2048, 0, Map.of("7", "boom")),
                workers::add,
                2,
                interval -> 0,
                new TestClock(T0),
                new PrewarmMetrics(new SimpleMeterRegistry()),
                PinStore.open(dir));
    }

    @Test
    void statusShowsEachRulesLastAndNextRun() throws Exception {
        scheduler.tick();
        assertEquals(409, status(HttpMethod.POST, "/prewarm/docker.io/library/redis/run"), "still running");
        workers.poll().run();

        JsonNode rule =
                JSON.readTree(body(HttpMethod.GET, "/prewarm")).path("rules").get(0);

        assertEquals("docker.io/library/redis", rule.path("name").asText());
        assertEquals("every 1h", rule.path("schedule").asText());
        assertEquals("2026-11-26T11:00:00Z", rule.path("nextRun").asText());
        assertEquals(2048, rule.path("lastRun").path("bytesFetched").asLong());
        assertEquals("boom", rule.path("lastRun").path("errors").path("7").asText());
        assertEquals(true, rule.path("lastSuccess").isNull(), "a run with a failure is not a success");
    }

    @Test
    void runRequestsAnswerWithTheirOutcome() {
        scheduler.tick();
        workers.poll().run();
        assertEquals(202, status(HttpMethod.POST, "/prewarm/docker.io%2Flibrary%2Fredis/run"));
        assertEquals(404, status(HttpMethod.POST, "/prewarm/nothing/run"));
        assertEquals(405, status(HttpMethod.GET, "/prewarm/docker.io/library/redis/run"));
        assertEquals(405, status(HttpMethod.POST, "/prewarm"));
        assertEquals(404, status(HttpMethod.POST, "/prewarm//run"));
        assertEquals(404, status(HttpMethod.GET, "/prewarm/x"));
    }

    private FullHttpResponse answer(HttpMethod method, String uri) {
        EmbeddedChannel channel = new EmbeddedChannel(
                new AdminHandler(new PrewarmRoutes(scheduler).addTo(new AdminRoutes()), AdminGate.OPEN));
        try {
            channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri));
            return channel.readOutbound();
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    private int status(HttpMethod method, String uri) {
        FullHttpResponse response = answer(method, uri);
        try {
            return response.status().code();
        } finally {
            response.release();
        }
    }

    private String body(HttpMethod method, String uri) {
        FullHttpResponse response = answer(method, uri);
        try {
            return response.content().toString(StandardCharsets.UTF_8);
        } finally {
            response.release();
        }
    }
}
