package dev.wharf.config;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A semantic version read from a tag: an optional leading {@code v}, one to three numeric components (missing ones are
 * 0, so {@code 7} is 7.0.0 and {@code 7.9} is 7.9.0), an optional pre-release after {@code -} and build metadata after
 * {@code +} (ignored in ordering). Ordered by semver precedence: a pre-release sorts below its release.
 */
public record Version(long major, long minor, long patch, List<String> prerelease) implements Comparable<Version> {
    private static final String NUMBER = "(0|[1-9][0-9]{0,17})";
    private static final Pattern TEXT = Pattern.compile("[vV]?" + NUMBER + "(?:\\." + NUMBER + ")?(?:\\." + NUMBER
            + ")?(?:-([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?");

    public Version {
        prerelease = List.copyOf(prerelease);
        if (major < 0 || minor < 0 || patch < 0) {
            throw new IllegalArgumentException("negative version component");
        }
    }

    /** The version {@code text} spells; empty when it is not one (four components, leading zeros, other words). */
    public static Optional<Version> find(String text) {
        Matcher m = TEXT.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new Version(
                Long.parseLong(m.group(1)),
                m.group(2) == null ? 0 : Long.parseLong(m.group(2)),
                m.group(3) == null ? 0 : Long.parseLong(m.group(3)),
                m.group(4) == null ? List.of() : List.of(m.group(4).split("\\."))));
    }

    /** A release version without pre-release. */
    public static Version of(long major, long minor, long patch) {
        return new Version(major, minor, patch, List.of());
    }

    /** True when this is a pre-release, such as {@code 1.2.0-rc1}. */
    public boolean isPrerelease() {
        return !prerelease.isEmpty();
    }

    /** This version without its pre-release: the release it leads to. */
    public Version release() {
        return isPrerelease() ? of(major, minor, patch) : this;
    }

    @Override
    public int compareTo(Version other) {
        int c = Long.compare(major, other.major);
        if (c == 0) {
            c = Long.compare(minor, other.minor);
        }
        if (c == 0) {
            c = Long.compare(patch, other.patch);
        }
        return c != 0 ? c : comparePrerelease(prerelease, other.prerelease);
    }

    private static int comparePrerelease(List<String> a, List<String> b) {
        if (a.isEmpty() || b.isEmpty()) {
            return Boolean.compare(a.isEmpty(), b.isEmpty());
        }
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = compareIdentifier(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    /** Numeric identifiers compare as numbers and below alphanumeric ones, which compare in ASCII order. */
    private static int compareIdentifier(String a, String b) {
        boolean numericA = a.chars().allMatch(Character::isDigit);
        boolean numericB = b.chars().allMatch(Character::isDigit);
        if (numericA && numericB) {
            return new BigInteger(a).compareTo(new BigInteger(b));
        }
        if (numericA || numericB) {
            return numericA ? -1 : 1;
        }
        return a.compareTo(b);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch + (prerelease.isEmpty() ? "" : "-" + String.join(".", prerelease));
    }
}
