package dev.wharf.proxy.http;

import java.util.List;
import java.util.Optional;

/** One page of a sorted tag list: the tags after {@code last}, at most {@code n}, and whether more follow. */
record TagPage(List<String> tags, Optional<String> next) {
    static TagPage of(List<String> sorted, Optional<Integer> n, Optional<String> last) {
        int from = 0;
        if (last.isPresent()) {
            // "last" is exclusive; it need not be a tag that exists.
            while (from < sorted.size() && sorted.get(from).compareTo(last.get()) <= 0) {
                from++;
            }
        }
        int start = from;
        int to = n.map(limit -> Math.min(sorted.size(), start + limit)).orElse(sorted.size());
        List<String> page = sorted.subList(from, to);
        boolean more = to < sorted.size() && n.isPresent();
        return new TagPage(
                List.copyOf(page), more && !page.isEmpty() ? Optional.of(page.get(page.size() - 1)) : Optional.empty());
    }
}
