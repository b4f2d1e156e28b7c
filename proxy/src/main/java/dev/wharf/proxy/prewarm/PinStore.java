package dev.wharf.proxy.prewarm;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.storage.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Per rule, the images its last run prewarmed (the repository, the reference, the image digest and every digest stored
 * for it) and
 * when: kept in one small JSON file, {@code <storage.path>/prewarm-pins.json}, replaced atomically on each change. A
 * rule's pins are replaced by each successful image set it stores, so digests it no longer selects stop being pinned.
 * Thread-safe; {@link #pinned} reads an immutable snapshot and never touches the disk.
 */
public final class PinStore implements PrewarmPins {
    /**
     * One image a rule keeps: its repository (null in files written before repository globs: the rule's repository),
     * the reference it was selected by, its digest, and every digest stored for it (with its referrers' when asked).
     */
    public record Pin(String repository, String reference, String digest, List<String> digests) {
        public Pin {
            digests = List.copyOf(digests);
        }
    }

    /** What a rule keeps, and when its run stored it ({@code at}: an ISO-8601 instant). */
    public record RulePins(String at, List<Pin> images) {
        public RulePins {
            Instant.parse(at);
            images = List.copyOf(images);
        }

        public RulePins(Instant at, List<Pin> images) {
            this(at.toString(), images);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private Map<String, RulePins> rules;
    private volatile Set<Digest> pinned;

    private PinStore(Path file, Map<String, RulePins> rules) {
        this.file = file;
        this.rules = rules;
        this.pinned = digests(rules);
    }

    /** The pins kept under {@code storageDir}; none when the file does not exist yet. */
    public static PinStore open(Path storageDir) {
        Path file = storageDir.resolve("prewarm-pins.json");
        if (!Files.exists(file)) {
            return new PinStore(file, new TreeMap<>());
        }
        try {
            return new PinStore(
                    file, new TreeMap<>(JSON.readValue(file.toFile(), new TypeReference<Map<String, RulePins>>() {})));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    @Override
    public boolean pinned(Digest digest) {
        return pinned.contains(digest);
    }

    /** What {@code rule} keeps; empty when nothing. */
    public synchronized Optional<RulePins> find(String rule) {
        return Optional.ofNullable(rules.get(rule));
    }

    /** Replaces what {@code rule} keeps. */
    public synchronized void put(String rule, RulePins pins) {
        Map<String, RulePins> next = new TreeMap<>(rules);
        next.put(rule, pins);
        write(next);
    }

    /** Drops what {@code rule} keeps (the rule is gone). */
    public synchronized void remove(String rule) {
        if (rules.containsKey(rule)) {
            Map<String, RulePins> next = new TreeMap<>(rules);
            next.remove(rule);
            write(next);
        }
    }

    private void write(Map<String, RulePins> next) {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            JSON.writeValue(temp.toFile(), next);
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        rules = next;
        pinned = digests(next);
    }

    private static Set<Digest> digests(Map<String, RulePins> rules) {
        Set<Digest> all = new HashSet<>();
        rules.values().forEach(r -> r.images().forEach(i -> i.digests().forEach(d -> all.add(Digest.parse(d)))));
        return Set.copyOf(all);
    }
}
