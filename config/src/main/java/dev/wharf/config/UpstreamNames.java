package dev.wharf.config;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Every name and alias claimed so far, ignoring case, with where it was claimed and the canonical upstream name it
 * stands for. Incomplete when an upstream's name could not be read: then an unknown reference is not reported,
 * since it may name that upstream.
 */
final class UpstreamNames {
    static final String EXPECTED_REFERENCE = "the name or alias of a configured upstream";
    private final Map<String, Located<String>> owners = new HashMap<>();
    private boolean complete = true;

    /** Claims {@code host} for {@code canonical}; reports at {@code path} when it is already claimed. */
    void claim(String host, String path, String canonical, Problems problems) {
        Located<String> owner = owners.putIfAbsent(host.toLowerCase(Locale.ROOT), new Located<>(path, canonical));
        if (owner != null) {
            problems.add(
                    path, Problems.quote(host) + " is already used at " + owner.path(), "a name or alias used once");
        }
    }

    void markIncomplete() {
        complete = false;
    }

    /** The canonical name {@code reference} stands for; empty, after reporting when the names are complete, if none. */
    Optional<String> resolve(String reference, String path, Problems problems) {
        Located<String> owner = owners.get(reference.toLowerCase(Locale.ROOT));
        if (owner == null) {
            if (complete) {
                problems.invalid(path, reference, EXPECTED_REFERENCE);
            }
            return Optional.empty();
        }
        return Optional.of(owner.value());
    }
}
