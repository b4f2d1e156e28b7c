package dev.wharf.proxy.security;

import dev.wharf.proxy.upstream.WatchedFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Users and bcrypt hashes from an Apache htpasswd file ({@code htpasswd -B}), read again when it changes. Lines with
 * another hash kind are ignored with a warning naming the line, never its content. Checking a password costs one
 * bcrypt whether or not the user exists, and compares in constant time. Thread-safe; blocks: never call it on an
 * event loop.
 */
final class Htpasswd {
    private static final Logger LOG = LoggerFactory.getLogger(Htpasswd.class);
    private static final int LIMIT = 4 * 1024 * 1024;
    private static final int DEFAULT_COST = 5;

    private final WatchedFile file;
    private byte[] parsedFrom;
    private Map<String, String> hashes = Map.of();
    /** Checked against when the user is unknown, at the file's cost, so that a miss costs what a wrong password does. */
    private String decoy = decoy(DEFAULT_COST);

    Htpasswd(WatchedFile file) {
        this.file = file;
    }

    /** True when {@code user} is in the file now with a bcrypt hash that {@code password} matches. */
    boolean check(String user, char[] password) {
        Optional<String> hash;
        String against;
        synchronized (this) {
            hash = hashOf(user);
            against = hash.orElse(decoy);
        }
        try {
            boolean matches = OpenBSDBCrypt.checkPassword(against, password);
            return matches && hash.isPresent();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private Optional<String> hashOf(String user) {
        byte[] content;
        try {
            content = file.read();
        } catch (IOException e) {
            LOG.warn("auth.htpasswd {} {}: nobody can log in with a password", file.path(), WatchedFile.reason(e));
            hashes = Map.of();
            parsedFrom = null;
            return Optional.empty();
        }
        if (content != parsedFrom) {
            hashes = parse(content);
            parsedFrom = content;
            decoy = decoy(
                    hashes.values().stream().findFirst().map(Htpasswd::cost).orElse(DEFAULT_COST));
        }
        return Optional.ofNullable(hashes.get(user));
    }

    private static int cost(String hash) {
        try {
            return Math.max(4, Math.min(31, Integer.parseInt(hash.substring(4, 6))));
        } catch (RuntimeException e) {
            return DEFAULT_COST;
        }
    }

    private static String decoy(int cost) {
        return OpenBSDBCrypt.generate("2y", "decoy".toCharArray(), new byte[16], cost);
    }

    private Map<String, String> parse(byte[] content) {
        Map<String, String> parsed = new HashMap<>();
        String[] lines = new String(content, StandardCharsets.UTF_8).split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            String hash = colon < 0 ? "" : line.substring(colon + 1);
            if (colon <= 0 || !(hash.startsWith("$2y$") || hash.startsWith("$2a$") || hash.startsWith("$2b$"))) {
                LOG.warn(
                        "auth.htpasswd {} line {}: not a user with a bcrypt hash (htpasswd -B); ignored",
                        file.path(),
                        i + 1);
                continue;
            }
            parsed.put(line.substring(0, colon), hash);
        }
        return Map.copyOf(parsed);
    }
}
