package dev.wharf.proxy.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;

/** Parses one page of {@code {"name":..., "tags":[...]}}, or of the catalog's {@code {"repositories":[...]}}. */
final class TagPage {
    private TagPage() {}

    /** Appends the page's tags to {@code into}; PROTOCOL when malformed, TOO_LARGE past {@code max} tags. */
    static void parse(byte[] body, List<String> into, int max, String prefix) {
        parse(body, "tags", "tag list", into, max, prefix);
    }

    /** Appends the catalog page's repository names to {@code into}; as {@link #parse}. */
    static void parseCatalog(byte[] body, List<String> into, int max, String prefix) {
        parse(body, "repositories", "catalog", into, max, prefix);
    }

    private static void parse(byte[] body, String field, String what, List<String> into, int max, String prefix) {
        JsonNode json;
        try {
            json = UpstreamJson.parse(body);
        } catch (IOException e) {
            throw new UpstreamException(UpstreamException.Kind.PROTOCOL, 200, prefix + what + " is not JSON");
        }
        if (json == null || !json.isObject()) {
            throw new UpstreamException(UpstreamException.Kind.PROTOCOL, 200, prefix + what + " is not an object");
        }
        JsonNode tags = json.get(field);
        if (tags == null || tags.isNull()) {
            return;
        }
        if (!tags.isArray()) {
            throw new UpstreamException(UpstreamException.Kind.PROTOCOL, 200, prefix + field + " is not an array");
        }
        for (JsonNode tag : tags) {
            if (!tag.isTextual()) {
                throw new UpstreamException(
                        UpstreamException.Kind.PROTOCOL, 200, prefix + what + " entry is not a string");
            }
            if (into.size() == max) {
                throw new UpstreamException(
                        UpstreamException.Kind.TOO_LARGE, 200, prefix + what + " over " + max + " entries");
            }
            into.add(tag.asText());
        }
    }
}
