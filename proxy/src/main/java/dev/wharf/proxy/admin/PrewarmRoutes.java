package dev.wharf.proxy.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wharf.config.PrewarmSchedule;
import dev.wharf.proxy.prewarm.PrewarmScheduler;
import dev.wharf.proxy.prewarm.RuleStatus;
import dev.wharf.proxy.prewarm.RunResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /prewarm}: the rule files' problems, and every rule with its schedule, whether it runs, its next run, its last run (when, selected,
 * images, blobs and bytes fetched, bytes cached, errors) and last success. {@code POST /prewarm/NAME/run}: makes the
 * rule due now (202), or 409 while it runs, 404 for no such rule. Runs on the admin event loop: reads and sets the
 * scheduler's in-memory state only.
 */
public final class PrewarmRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrewarmScheduler scheduler;

    public PrewarmRoutes(PrewarmScheduler scheduler) {
        this.scheduler = scheduler;
    }

    /** Adds {@code GET /prewarm} (every rule's status) and {@code POST /prewarm/NAME/run} to {@code routes}. */
    public AdminRoutes addTo(AdminRoutes routes) {
        return routes.get("/prewarm", AdminEndpoint.now(request -> AdminResponse.json(200, status())))
                .add(
                        "POST",
                        "/prewarm/{name...}/run",
                        AdminEndpoint.now(
                                request -> run(request.pathParameters().get("name"))));
    }

    private AdminResponse run(String name) {
        return switch (scheduler.runNow(name)) {
            case STARTED_NEXT_TICK -> message(202, "started");
            case ALREADY_RUNNING -> message(409, "a run of this rule is going on");
            case NO_SUCH_RULE -> message(404, "no such prewarm rule");
        };
    }

    private ObjectNode status() {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode problems = body.putArray("problems");
        scheduler.problems().forEach(problems::add);
        ArrayNode rules = body.putArray("rules");
        for (RuleStatus s : scheduler.status()) {
            ObjectNode rule = rules.addObject();
            rule.put("name", s.rule().name());
            rule.put("upstream", s.rule().upstream());
            rule.put("repository", s.rule().repository());
            rule.put("schedule", schedule(s.rule().schedule()));
            rule.put("running", s.running());
            put(rule, "nextRun", s.next());
            put(rule, "lastSuccess", s.lastSuccess());
            rule.put("skippedRuns", s.skipped());
            s.last().ifPresentOrElse(last -> lastRun(rule.putObject("lastRun"), last), () -> rule.putNull("lastRun"));
        }
        return body;
    }

    private static void lastRun(ObjectNode node, RunResult last) {
        node.put("started", last.started().toString());
        node.put("finished", last.finished().toString());
        node.put("selected", last.selected());
        node.put("images", last.images());
        node.put("referrers", last.referrers());
        node.put("blobsFetched", last.blobsFetched());
        node.put("bytesFetched", last.bytesFetched());
        node.put("bytesCached", last.bytesCached());
        ObjectNode errors = node.putObject("errors");
        last.failures().forEach(errors::put);
    }

    private static String schedule(PrewarmSchedule schedule) {
        if (schedule instanceof PrewarmSchedule.Every every) {
            return "every " + shortDuration(every.interval());
        }
        if (schedule instanceof PrewarmSchedule.Cron cron) {
            return "cron " + cron.cron();
        }
        return "once";
    }

    /** {@code 1h}, {@code 90m}, {@code 1500ms}: the largest unit that divides the duration, as configurations write it. */
    private static String shortDuration(Duration d) {
        long ms = d.toMillis();
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (ms % sizes[i] == 0) {
                return ms / sizes[i] + units[i];
            }
        }
        return ms + "ms";
    }

    private static void put(ObjectNode node, String field, Optional<Instant> time) {
        time.ifPresentOrElse(t -> node.put(field, t.toString()), () -> node.putNull(field));
    }

    private static AdminResponse message(int status, String text) {
        return AdminResponse.json(status, Map.of("message", text));
    }
}
