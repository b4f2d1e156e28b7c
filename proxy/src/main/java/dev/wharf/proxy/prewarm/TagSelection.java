package dev.wharf.proxy.prewarm;

import dev.wharf.config.TagSelector;
import dev.wharf.config.Version;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;

/**
 * Which references a {@link TagSelector} picks. Exact lists are taken as written. Otherwise each listed tag must match
 * {@code include} (anywhere, unless anchored), must not match {@code exclude}, and with {@code semver} must have a
 * version (the {@code version} group of {@code include}, else the whole tag) that is a release, or a pre-release when
 * allowed, whose release is in the range. The survivors are ordered newest first: versions by semver precedence, then
 * tags that are not versions, later in the listing first; {@code newest} keeps the first N. Pure: no I/O.
 */
public final class TagSelection {
    static final String NO_INCLUDE = "does not match include";
    static final String EXCLUDED = "matches exclude";
    static final String NOT_A_VERSION = "not a version";
    static final String PRERELEASE = "pre-release";
    static final String OUTSIDE = "outside the semver range";
    static final String OLDER = "older than the newest";

    /** The references picked, newest first, and why each other listed tag was not. */
    public record Result(List<String> selected, Map<String, String> rejected) {
        public Result {
            selected = List.copyOf(selected);
            rejected = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(rejected));
        }
    }

    private record Candidate(String tag, int position, Optional<Version> version) {}

    private static final Comparator<Candidate> NEWEST_FIRST = (a, b) -> {
        if (a.version.isPresent() != b.version.isPresent()) {
            return a.version.isPresent() ? -1 : 1;
        }
        if (a.version.isPresent()) {
            int c = b.version.get().compareTo(a.version.get());
            return c != 0 ? c : Integer.compare(a.position, b.position);
        }
        return Integer.compare(b.position, a.position);
    };

    private TagSelection() {}

    /** True when the selector names its references and needs no tag listing. */
    public static boolean isExact(TagSelector selector) {
        return !selector.exact().isEmpty();
    }

    /** What {@code selector} picks from {@code listed} (the upstream's tags, in its order). */
    public static Result select(TagSelector selector, List<String> listed) {
        if (isExact(selector)) {
            return new Result(selector.exact(), Map.of());
        }
        Map<String, String> rejected = new LinkedHashMap<>();
        List<Candidate> kept = new ArrayList<>();
        for (int i = 0; i < listed.size(); i++) {
            String tag = listed.get(i);
            String versionText = tag;
            if (selector.include().isPresent()) {
                Matcher m = selector.include().get().matcher(tag);
                if (!m.find()) {
                    rejected.put(tag, NO_INCLUDE);
                    continue;
                }
                versionText = selector.hasVersionGroup() ? m.group("version") : tag;
            }
            if (selector.exclude().isPresent()
                    && selector.exclude().get().matcher(tag).find()) {
                rejected.put(tag, EXCLUDED);
                continue;
            }
            Optional<Version> version = versionText == null ? Optional.empty() : Version.find(versionText);
            Optional<String> why = rangeProblem(selector, version);
            if (why.isPresent()) {
                rejected.put(tag, why.get());
                continue;
            }
            kept.add(new Candidate(tag, i, version));
        }
        kept.sort(NEWEST_FIRST);
        List<String> selected = new ArrayList<>();
        for (Candidate candidate : kept) {
            if (selector.newest() > 0 && selected.size() == selector.newest()) {
                rejected.put(candidate.tag(), OLDER + " " + selector.newest());
            } else {
                selected.add(candidate.tag());
            }
        }
        return new Result(selected, rejected);
    }

    private static Optional<String> rangeProblem(TagSelector selector, Optional<Version> version) {
        if (selector.semver().isEmpty()) {
            return Optional.empty();
        }
        if (version.isEmpty()) {
            return Optional.of(NOT_A_VERSION);
        }
        if (version.get().isPrerelease() && !selector.prerelease()) {
            return Optional.of(PRERELEASE);
        }
        return selector.semver().get().contains(version.get()) ? Optional.empty() : Optional.of(OUTSIDE);
    }
}
