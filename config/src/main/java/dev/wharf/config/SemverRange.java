package dev.wharf.config;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A range of versions as npm and Helm write them: alternatives joined by {@code ||}, each a hyphen range
 * ({@code 1.2 - 2.3}) or comparators that must all hold ({@code >=1.2 <2}, commas allowed between them). A comparator
 * is a partial version, optionally with {@code ~}, {@code ^}, {@code =}, {@code >}, {@code >=}, {@code <},
 * {@code <=}; {@code x}, {@code X} or {@code *} stand for any component and missing components count as {@code x}, so
 * {@code 1.27}, {@code 1.27.x} and {@code ~1.27} all mean every 1.27.N. A leading {@code v} is ignored.
 */
public final class SemverRange {
    private static final String PART = "(0|[1-9][0-9]{0,17}|[xX*])";
    private static final Pattern COMPARATOR = Pattern.compile("(~|\\^|>=|<=|>|<|=)?[vV]?" + PART + "(?:\\." + PART
            + ")?(?:\\." + PART + ")?(-[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?(?:\\+[0-9A-Za-z.-]+)?");
    private static final Pattern HYPHEN = Pattern.compile("(\\S+)\\s+-\\s+(\\S+)");

    private enum Op {
        GE,
        GT,
        LE,
        LT
    }

    private record Bound(Op op, Version version) {
        boolean admits(Version v) {
            int c = v.compareTo(version);
            return switch (op) {
                case GE -> c >= 0;
                case GT -> c > 0;
                case LE -> c <= 0;
                case LT -> c < 0;
            };
        }
    }

    /** A comparator's version: the numbers given ({@code -1} for a wildcard or missing part) and its pre-release. */
    private record Partial(long major, long minor, long patch, String prerelease) {
        int given() {
            return major < 0 ? 0 : minor < 0 ? 1 : patch < 0 ? 2 : 3;
        }

        Version floor() {
            Version base = Version.of(Math.max(major, 0), Math.max(minor, 0), Math.max(patch, 0));
            return prerelease.isEmpty() || given() < 3
                    ? base
                    : Version.find(base + prerelease).orElseThrow();
        }

        /** The first version above every version this partial matches (for {@code 1.2}: 1.3.0). */
        Version ceiling() {
            return given() == 1 ? Version.of(major + 1, 0, 0) : Version.of(major, minor + 1, 0);
        }
    }

    private final String text;
    private final List<List<Bound>> alternatives;

    private SemverRange(String text, List<List<Bound>> alternatives) {
        this.text = text;
        this.alternatives = alternatives;
    }

    /** Parses {@code text}; throws {@link IllegalArgumentException} naming the part that is not a range. */
    public static SemverRange parse(String text) {
        List<List<Bound>> alternatives = new ArrayList<>();
        for (String alternative : text.split("\\|\\|", -1)) {
            String range = alternative.trim();
            if (range.isEmpty()) {
                throw new IllegalArgumentException("empty range");
            }
            List<Bound> bounds = new ArrayList<>();
            Matcher hyphen = HYPHEN.matcher(range);
            if (hyphen.matches()) {
                Partial from = partial(hyphen.group(1), null);
                Partial to = partial(hyphen.group(2), null);
                bounds.add(new Bound(Op.GE, from.floor()));
                bounds.add(to.given() == 3 ? new Bound(Op.LE, to.floor()) : upper(to));
            } else {
                for (String comparator : range.split("[\\s,]+")) {
                    if (!comparator.isEmpty()) {
                        bounds.addAll(bounds(comparator));
                    }
                }
            }
            alternatives.add(List.copyOf(bounds));
        }
        return new SemverRange(text, List.copyOf(alternatives));
    }

    /**
     * Whether {@code version} is in the range. A pre-release is judged by its release version, so {@code 2.13.x}
     * holds {@code 2.13.0-rc1}; callers decide whether pre-releases are wanted at all.
     */
    public boolean contains(Version version) {
        Version release = version.release();
        return alternatives.stream().anyMatch(bounds -> bounds.stream().allMatch(b -> b.admits(release)));
    }

    private static List<Bound> bounds(String comparator) {
        Matcher m = COMPARATOR.matcher(comparator);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a comparator: " + comparator);
        }
        String op = m.group(1) == null ? "=" : m.group(1);
        Partial p = partial(comparator, m);
        int given = p.given();
        return switch (op) {
            case "=" ->
                given == 0
                        ? List.of()
                        : given == 3 ? List.of(new Bound(Op.GE, p.floor()), new Bound(Op.LE, p.floor())) : range(p);
            case "~" ->
                given <= 2
                        ? range(p)
                        : List.of(new Bound(Op.GE, p.floor()), upper(new Partial(p.major, p.minor, -1, "")));
            case "^" -> caret(p);
            case ">=" -> List.of(new Bound(Op.GE, p.floor()));
            case "<" ->
                given == 0 ? List.of(new Bound(Op.LT, Version.of(0, 0, 0))) : List.of(new Bound(Op.LT, p.floor()));
            case ">" ->
                given == 0
                        ? List.of(new Bound(Op.LT, Version.of(0, 0, 0)))
                        : given == 3 ? List.of(new Bound(Op.GT, p.floor())) : List.of(new Bound(Op.GE, p.ceiling()));
            case "<=" -> given == 0 ? List.of() : given == 3 ? List.of(new Bound(Op.LE, p.floor())) : List.of(upper(p));
            default -> throw new IllegalArgumentException("not an operator: " + op);
        };
    }

    /** Every version the partial matches: {@code 1.2} is [1.2.0, 1.3.0). */
    private static List<Bound> range(Partial p) {
        return p.given() == 0 ? List.of() : List.of(new Bound(Op.GE, p.floor()), upper(p));
    }

    private static Bound upper(Partial p) {
        return new Bound(Op.LT, p.ceiling());
    }

    /** Changes that do not modify the left-most non-zero component given. */
    private static List<Bound> caret(Partial p) {
        int given = p.given();
        if (given == 0) {
            return List.of();
        }
        Version to;
        if (p.major > 0 || given == 1) {
            to = Version.of(p.major + 1, 0, 0);
        } else if (p.minor > 0 || given == 2) {
            to = Version.of(0, p.minor + 1, 0);
        } else {
            to = Version.of(0, 0, p.patch + 1);
        }
        return List.of(new Bound(Op.GE, p.floor()), new Bound(Op.LT, to));
    }

    private static Partial partial(String text, Matcher matched) {
        Matcher m = matched;
        if (m == null) {
            m = COMPARATOR.matcher(text);
            if (!m.matches() || m.group(1) != null) {
                throw new IllegalArgumentException("not a version: " + text);
            }
        }
        long major = number(m.group(2));
        long minor = major < 0 ? -1 : number(m.group(3));
        long patch = minor < 0 ? -1 : number(m.group(4));
        return new Partial(major, minor, patch, m.group(5) == null ? "" : m.group(5));
    }

    private static long number(String part) {
        return part == null || part.equalsIgnoreCase("x") || part.equals("*") ? -1 : Long.parseLong(part);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SemverRange other && other.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    /** The range as written. */
    @Override
    public String toString() {
        return text;
    }
}
