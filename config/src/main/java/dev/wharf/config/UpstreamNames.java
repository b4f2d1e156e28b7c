package dev.wharf.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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

    /**
     * Claims {@code name} and {@code aliases} for {@code name} when none of them is claimed yet, and says whether it
     * did: a built-in upstream yields to a configured one that uses any of its names.
     */
    boolean claimAllUnclaimed(String name, List<String> aliases) {
        List<String> all = new ArrayList<>(List.of(name));
        all.addAll(aliases);
        if (all.stream().anyMatch(host -> owners.containsKey(host.toLowerCase(Locale.ROOT)))) {
            return false;
        }
        all.forEach(host -> owners.put(host.toLowerCase(Locale.ROOT), new Located<>("upstreams", name)));
        return true;
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
