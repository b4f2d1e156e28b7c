package dev.wharf.proxy.prewarm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wharf.config.PrewarmRule;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The lines {@code wharf prewarm plan} and {@code run} print: one JSON object a line, or text for a terminal. */
public final class PrewarmReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PrewarmReport() {}

    /**
     * One planned image: {@code rule}, {@code upstream}, {@code repository} (the image's, also for a rule of a
     * repository glob), {@code tag} (the reference selected, a
     * digest for pinned ones), {@code digest}, {@code platforms}, {@code bytes}, {@code missingBytes}, {@code blobs},
     * {@code missingBlobs} (their digests).
     */
    public static ObjectNode image(PrewarmRule rule, ImagePlan image) {
        ObjectNode line = head(rule, image.repository());
        line.put("tag", image.reference());
        line.put("digest", image.digest().toString());
        ArrayNode platforms = line.putArray("platforms");
        image.platforms().forEach(platforms::add);
        line.put("bytes", image.bytes());
        line.put("missingBytes", image.missingBytes());
        line.put("blobs", image.blobs().size());
        ArrayNode missing = line.putArray("missingBlobs");
        image.missing().forEach(b -> missing.add(b.digest().toString()));
        return line;
    }

    /** An image that could not be stored. */
    public static ObjectNode imageFailure(PrewarmRule rule, ImagePlan image, String reason) {
        ObjectNode line = head(rule, image.repository());
        line.put("tag", image.reference());
        line.put("error", reason);
        return line;
    }

    /**
     * A reference that could not be planned or stored, or a listing that failed (tag {@code "tags"}, or for a
     * repository glob {@code "catalog"} and a repository's name), by its key in the plan's failures.
     */
    public static ObjectNode failure(PrewarmRule rule, String reference, String reason) {
        ObjectNode line = head(rule, rule.repository());
        line.put("tag", reference);
        line.put("error", reason);
        return line;
    }

    /** A listed tag the rule did not select, and why. */
    public static ObjectNode rejected(PrewarmRule rule, String tag, String reason) {
        ObjectNode line = head(rule, rule.repository());
        line.put("tag", tag);
        line.put("skipped", reason);
        return line;
    }

    /** A run's summary. */
    public static ObjectNode summary(RunResult result) {
        ObjectNode line = JSON.createObjectNode();
        line.put("rule", result.rule());
        line.put("summary", true);
        line.put("selected", result.selected());
        line.put("images", result.images());
        line.put("referrers", result.referrers());
        line.put("blobsFetched", result.blobsFetched());
        line.put("bytesFetched", result.bytesFetched());
        line.put("bytesCached", result.bytesCached());
        line.put("failures", result.failures().size());
        return line;
    }

    /** Text for a terminal: one planned or stored image. */
    public static String imageText(PrewarmRule rule, ImagePlan image, Optional<String> failure) {
        String what = rule.name() + "  " + image.repository() + ":" + image.reference() + "  "
                + image.digest().toString().substring(0, 19) + "  "
                + (image.platforms().isEmpty() ? "-" : String.join(",", image.platforms()));
        return failure.map(reason -> what + "  FAILED: " + reason)
                .orElse(what + "  " + bytes(image.bytes()) + ", " + bytes(image.missingBytes()) + " to fetch");
    }

    /** Text for a terminal: a run's summary. */
    public static String summaryText(RunResult r) {
        return r.rule() + ": " + r.images() + "/" + r.selected() + " images, " + r.referrers() + " referrers, "
                + r.blobsFetched() + " blobs ("
                + bytes(r.bytesFetched()) + ") fetched, " + bytes(r.bytesCached()) + " already cached, "
                + r.failures().size() + " failed";
    }

    /** Text lines for failures. */
    public static String failuresText(String rule, Map<String, String> failures) {
        StringBuilder out = new StringBuilder();
        failures.forEach((ref, why) -> out.append(rule)
                .append("  ")
                .append(ref)
                .append("  FAILED: ")
                .append(why)
                .append('\n'));
        return out.toString();
    }

    /** The line for {@code node}. */
    public static String line(ObjectNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static ObjectNode head(PrewarmRule rule, String repository) {
        ObjectNode line = JSON.createObjectNode();
        line.put("rule", rule.name());
        line.put("upstream", rule.upstream());
        line.put("repository", repository);
        return line;
    }
}
