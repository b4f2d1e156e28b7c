package dev.wharf.proxy.prewarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.ConfigLoader;
import dev.wharf.config.PrewarmRule;
import dev.wharf.config.WharfConfig;
import dev.wharf.proxy.lab.TestClock;
import dev.wharf.storage.Digest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scheduler driven by a test clock and a hand-run worker queue: no sleeps, no threads. */
class PrewarmSchedulerTest {
    private static final Instant T0 = Instant.parse("2026-11-26T02:50:00Z");
    private static final Duration JITTER = Duration.ofMinutes(1);
    private static final String DIGEST = "sha256:" + "ab".repeat(32);

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock(T0);
    private final Queue<Runnable> workers = new ArrayDeque<>();
    private final List<String> started = new ArrayList<>();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private PinStore pins;
    private PrewarmScheduler scheduler;

    @BeforeEach
    void start() throws IOException {
        Path rules = Files.createDirectories(dir.resolve("prewarm.d"));
        Files.writeString(rules.resolve("team.yaml"), rule("team", "every: 30m"));
        String yaml = "storage: {path: " + dir.resolve("data") + "}\nprewarmDir: " + rules + "\nprewarm:\n"
                + "  - {name: hourly, upstream: docker.io, repository: a, tags: [1], every: 1h}\n"
                + "  - {name: at-start, upstream: docker.io, repository: b, tags: [1], once: true}\n"
                + "  - {name: nightly, upstream: docker.io, repository: c, tags: [1], cron: '0 3 * * *'}\n";
        WharfConfig config = ConfigLoader.parse(yaml, Map.of(), dir);
        pins = PinStore.open(dir.resolve("data"));
        scheduler = new PrewarmScheduler(
                new RuleSource(config, Map.of()),
                this::run,
                task -> workers.add(task),
                2,
                interval -> JITTER.toMillis(),
                clock,
                new PrewarmMetrics(meters),
                pins);
    }

    @Test
    void runsEachRuleWhenDueWithinTheConcurrencyLimitAndSkipsARunWhileThePreviousGoesOn() {
        scheduler.tick();
        assertEquals(List.of("hourly", "at-start"), running(), "two at once at most");

        finishAll();
        scheduler.tick();
        assertEquals(List.of("team"), running(), "the rule that waited starts next");
        assertEquals(
                Instant.parse("2026-11-26T03:21:00Z"), status("team").next().orElseThrow(), "30m + jitter");
        assertTrue(status("at-start").next().isEmpty(), "once: not again");

        clock.advance(Duration.ofMinutes(9).plusSeconds(59));
        scheduler.tick();
        assertEquals(List.of("team"), running(), "nightly is not due before 03:00");

        clock.advance(Duration.ofSeconds(1));
        scheduler.tick();
        assertEquals(List.of("nightly", "team"), running());
        assertEquals(
                Instant.parse("2026-11-27T03:00:00Z"), status("nightly").next().orElseThrow());

        clock.advance(Duration.ofMinutes(21));
        scheduler.tick();
        assertEquals(List.of("nightly", "team"), running(), "team due while its run goes on: not started twice");
        assertEquals(1, status("team").skipped());
        assertEquals(
                1.0,
                meters.get("wharf_prewarm_runs_total")
                        .tags("rule", "team", "result", "skipped")
                        .counter()
                        .count());
        assertEquals(
                Instant.parse("2026-11-26T03:52:00Z"), status("team").next().orElseThrow());

        finishAll();
        assertEquals(List.of("hourly", "at-start", "team", "nightly"), started);
        clock.advance(Duration.ofMinutes(30));
        scheduler.tick();
        assertEquals(List.of("hourly"), running(), "hourly at 03:51 (1h + jitter after 02:50)");
        clock.advance(Duration.ofMinutes(1));
        scheduler.tick();
        assertEquals(List.of("hourly", "team"), running());
        finishAll();
        assertEquals(
                2.0,
                meters.get("wharf_prewarm_runs_total")
                        .tags("rule", "hourly", "result", "ok")
                        .counter()
                        .count());
        assertEquals(
                0.0,
                meters.get("wharf_prewarm_lag_seconds")
                        .tags("rule", "hourly")
                        .gauge()
                        .value());
        clock.advance(Duration.ofSeconds(90));
        assertEquals(
                90.0,
                meters.get("wharf_prewarm_lag_seconds")
                        .tags("rule", "hourly")
                        .gauge()
                        .value());
    }

    @Test
    void ruleFilesAddedChangedBrokenAndRemovedWhileRunning() throws IOException {
        scheduler.tick();
        finishAll();
        scheduler.tick();
        finishAll();
        assertEquals(List.of("hourly", "at-start", "team"), started);
        Path added = dir.resolve("prewarm.d/added.yaml");

        Files.writeString(added, rule("added", "every: 1h"));
        scheduler.tick();
        finishAll();
        assertEquals("added", started.get(3), "a new file's rule runs at once");
        assertTrue(pins.find("added").isPresent());

        Files.writeString(added, rule("added", "every: 1h").replace("tags: [1]", "tags: ['2']"));
        scheduler.tick();
        finishAll();
        assertEquals("added", started.get(4), "a changed rule runs again at once");

        Files.writeString(added, "name: added\ntags: {semver: one}\n");
        clock.advance(Duration.ofMinutes(5));
        scheduler.tick();
        assertEquals(List.of(), running());
        assertEquals(4, scheduler.problems().size(), scheduler.problems()::toString);
        assertEquals(
                added + ": top level: no schedule (expected: exactly one of every, cron, once)",
                scheduler.problems().get(3));
        assertTrue(scheduler.problems().get(0).startsWith(added + ": "), scheduler.problems()::toString);
        assertTrue(find("added"), "a broken file keeps its last valid rule");
        assertTrue(find("team") && find("hourly"), "the other rules go on");

        Files.delete(added);
        scheduler.tick();
        assertFalse(find("added"));
        assertEquals(List.of(), scheduler.problems());
        assertTrue(pins.find("added").isEmpty(), "a removed rule's pins go");
        assertTrue(pins.pinned(Digest.parse(DIGEST)), "the other rules' pins stay");
        assertEquals(PrewarmScheduler.Request.NO_SUCH_RULE, scheduler.runNow("added"));
        assertEquals(PrewarmScheduler.Request.STARTED_NEXT_TICK, scheduler.runNow("at-start"));
        scheduler.tick();
        assertEquals(List.of("at-start"), running());
        assertEquals(PrewarmScheduler.Request.ALREADY_RUNNING, scheduler.runNow("at-start"));
        finishAll();
        assertEquals("at-start", started.get(5));
    }

    private RunResult run(PrewarmRule rule) {
        started.add(rule.name());
        Instant now = clock.instant();
        pins.put(rule.name(), new PinStore.RulePins(now, List.of(new PinStore.Pin("r", "1", DIGEST, List.of(DIGEST)))));
        return new RunResult(rule.name(), now, now, 1, 1, 0, 0, 0, 0, Map.of());
    }

    private void finishAll() {
        while (!workers.isEmpty()) {
            workers.poll().run();
        }
    }

    private List<String> running() {
        return scheduler.status().stream()
                .filter(RuleStatus::running)
                .map(s -> s.rule().name())
                .toList();
    }

    private boolean find(String name) {
        return scheduler.status().stream().anyMatch(s -> s.rule().name().equals(name));
    }

    private RuleStatus status(String name) {
        return scheduler.status().stream()
                .filter(s -> s.rule().name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    private static String rule(String name, String schedule) {
        return "name: " + name + "\nupstream: docker.io\nrepository: " + name + "\ntags: [1]\n" + schedule + "\n";
    }
}
