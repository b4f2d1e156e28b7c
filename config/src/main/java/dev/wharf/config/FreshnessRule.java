package dev.wharf.config;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How long a tag is trusted before Wharf re-checks it upstream. {@code match} is {@code "*"} (everything) or
 * {@code "<repository glob>:<tag glob>"}, with {@code *} and {@code ?} wildcards ({@code *} also matches
 * {@code /}). Wharf matches the repository as {@code <upstream>/<name>} (such as {@code docker.io/library/nginx}), so
 * a rule can name one upstream ({@code "ghcr.io/*:*"}) or any ({@code "*:latest"}).
 */
public record FreshnessRule(String match, Duration tagTtl) {
    private static final String EVERYTHING = "*";
    private static final Pattern REPOSITORY_GLOB = Pattern.compile("[a-z0-9._/*?-]+");
    private static final Pattern TAG_GLOB = Pattern.compile("[A-Za-z0-9._*?-]+");

    public FreshnessRule {
        if (match == null || !isValidMatch(match)) {
            throw new IllegalArgumentException("match must be \"*\" or \"<repository glob>:<tag glob>\"");
        }
        if (tagTtl == null || tagTtl.isNegative()) {
            throw new IllegalArgumentException("tagTtl must not be negative");
        }
    }

    /** The TTL of the first rule matching {@code repository:tag}, or {@code fallback} when none matches. */
    public static Duration ttlFor(List<FreshnessRule> rules, String repository, String tag, Duration fallback) {
        for (FreshnessRule rule : rules) {
            if (rule.matches(repository, tag)) {
                return rule.tagTtl;
            }
        }
        return fallback;
    }

    /** True when this rule applies to the tag {@code tag} of {@code repository}. */
    public boolean matches(String repository, String tag) {
        if (match.equals(EVERYTHING)) {
            return true;
        }
        int colon = match.indexOf(':');
        return Glob.matches(match.substring(0, colon), repository) && Glob.matches(match.substring(colon + 1), tag);
    }

    static boolean isValidMatch(String match) {
        if (match.equals(EVERYTHING)) {
            return true;
        }
        int colon = match.indexOf(':');
        return colon > 0
                && REPOSITORY_GLOB.matcher(match.substring(0, colon)).matches()
                && TAG_GLOB.matcher(match.substring(colon + 1)).matches();
    }
}
