package dev.wharf.proxy.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Runs the real {@code skopeo} client against plain-http registries on 127.0.0.1, without retries. */
public final class Skopeo {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final Path binary;
    private final Duration timeout;

    /** A skopeo runner with a 60 s limit per command; fails naming the package when skopeo is absent. */
    public Skopeo() {
        this(DEFAULT_TIMEOUT);
    }

    /** A skopeo runner killing any command that exceeds {@code timeout}. */
    public Skopeo(Duration timeout) {
        this.binary = Tools.skopeo();
        this.timeout = timeout;
    }

    /** Runs {@code skopeo ARGS...}; returns exit code and output whatever happened. */
    public CommandResult run(String... args) {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(List.of(args));
        return Command.run(timeout, command);
    }

    /** {@code skopeo inspect --raw docker://REF}: the manifest bytes exactly as served; throws on failure. */
    public byte[] inspectRaw(String ref) {
        return inspectRaw(ref, Optional.empty());
    }

    /** {@link #inspectRaw(String)} presenting {@code credentials} (to the registry or its token realm). */
    public byte[] inspectRaw(String ref, Optional<Credentials> credentials) {
        List<String> args = new ArrayList<>(List.of("inspect", "--raw", "--tls-verify=false", "--retry-times", "0"));
        args.addAll(credentials.map(c -> List.of("--creds", c.colonSeparated())).orElse(List.of("--no-creds")));
        args.add(docker(ref));
        return run(args.toArray(String[]::new)).requireSuccess().stdout();
    }

    /** {@code skopeo copy docker://SRC dir:DIR} (skopeo verifies every digest); throws on failure. */
    public CommandResult copyToDir(String src, Path dir) {
        return copyToDir(src, dir, Optional.empty());
    }

    /** {@link #copyToDir(String, Path)} presenting {@code credentials}. */
    public CommandResult copyToDir(String src, Path dir, Optional<Credentials> credentials) {
        List<String> args =
                new ArrayList<>(List.of("--insecure-policy", "copy", "--src-tls-verify=false", "--retry-times", "0"));
        args.addAll(
                credentials.map(c -> List.of("--src-creds", c.colonSeparated())).orElse(List.of("--src-no-creds")));
        args.add(docker(src));
        args.add("dir:" + dir.toAbsolutePath());
        return run(args.toArray(String[]::new)).requireSuccess();
    }

    private static String docker(String ref) {
        return ref.contains("://") ? ref : "docker://" + ref;
    }
}
