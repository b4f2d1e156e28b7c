package dev.wharf.proxy.upstream;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The {@code rel="next"} target of {@code Link} headers (RFC 8288), as the tag list uses for pagination. */
final class LinkHeader {
    private static final Pattern LINK = Pattern.compile("<([^>]*)>((?:\\s*;\\s*[^;,]*)*)");
    private static final Pattern REL = Pattern.compile("(?i)rel\\s*=\\s*(?:\"([^\"]*)\"|([^\\s;,\"]+))");

    private LinkHeader() {}

    /** The target of the first link whose relation types include {@code next}; empty when there is none. */
    static Optional<String> next(List<String> headers) {
        for (String header : headers) {
            Matcher link = LINK.matcher(header);
            while (link.find()) {
                Matcher rel = REL.matcher(link.group(2));
                if (rel.find()) {
                    String types = rel.group(1) != null ? rel.group(1) : rel.group(2);
                    for (String type : types.trim().split("\\s+")) {
                        if (type.toLowerCase(Locale.ROOT).equals("next")) {
                            return Optional.of(link.group(1).trim());
                        }
                    }
                }
            }
        }
        return Optional.empty();
    }
}
