package dev.wharf.proxy.lab;

import dev.wharf.config.ConfigLoader;
import dev.wharf.config.WharfConfig;
import dev.wharf.proxy.Wharf;
import dev.wharf.proxy.eviction.PinnedImages;
import dev.wharf.storage.Digest;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * A real Wharf in this JVM, listening on free loopback ports (the registry API and the admin listener) with its cache
 * in a given directory. The YAML given holds everything but {@code listen}, {@code adminListen} and {@code storage},
 * which this fixture sets.
 */
public final class RunningWharf implements AutoCloseable {
    private final Wharf wharf;
    private final int port;
    private final int adminPort;

    private RunningWharf(Wharf wharf, int port, int adminPort) {
        this.wharf = wharf;
        this.port = port;
        this.adminPort = adminPort;
    }

    /** Starts Wharf with {@code yaml} (no listen/adminListen/storage keys), caching in {@code dataDir}. */
    public static RunningWharf start(String yaml, Path dataDir) throws InterruptedException {
        return start(yaml, dataDir, Clock.systemUTC());
    }

    /** As {@link #start(String, Path)}, with a clock the test controls. */
    public static RunningWharf start(String yaml, Path dataDir, Clock clock) throws InterruptedException {
        return start(yaml, dataDir, "", clock, Map.of());
    }

    /** As {@link #start(String, Path, String)}, never evicting the images {@code pins} names. */
    public static RunningWharf start(String yaml, Path dataDir, String storageYaml, PinnedImages pins)
            throws InterruptedException {
        return start(yaml, dataDir, storageYaml, Clock.systemUTC(), Map.of(), pins);
    }

    /** As {@link #start(String, Path)}, configured with {@code env} (for {@code ${VAR}} and {@code PATH}). */
    public static RunningWharf start(String yaml, Path dataDir, Map<String, String> env) throws InterruptedException {
        return start(yaml, dataDir, "", Clock.systemUTC(), env);
    }

    /**
     * As {@link #start(String, Path)}, with more keys of the {@code storage} mapping ({@code storageYaml}, indented by
     * two spaces: an {@code s3:} mapping, say).
     */
    public static RunningWharf start(String yaml, Path dataDir, String storageYaml) throws InterruptedException {
        return start(yaml, dataDir, storageYaml, Clock.systemUTC(), Map.of());
    }

    private static RunningWharf start(
            String yaml, Path dataDir, String storageYaml, Clock clock, Map<String, String> env)
            throws InterruptedException {
        return start(yaml, dataDir, storageYaml, clock, env, PinnedImages.NONE);
    }

    private static RunningWharf start(
            String yaml, Path dataDir, String storageYaml, Clock clock, Map<String, String> env, PinnedImages pins)
            throws InterruptedException {
        int port = FreePort.find();
        int adminPort = FreePort.find();
        while (adminPort == port) {
            adminPort = FreePort.find();
        }
        String full = "listen: 127.0.0.1:" + port + "\nadminListen: 127.0.0.1:" + adminPort + "\nstorage:\n  path: "
                + dataDir + "\n" + storageYaml + yaml;
        WharfConfig config = ConfigLoader.parse(full, env, dataDir);
        return new RunningWharf(Wharf.start(config, clock, pins), port, adminPort);
    }

    /** YAML for one anonymous upstream named {@code name} at {@code registry}, also the default upstream. */
    public static String singleUpstream(String name, RegistryProcess registry) {
        return "defaultUpstream: " + name + "\nupstreams:\n  - name: " + name + "\n    url: " + registry.url() + "\n";
    }

    /** Where Wharf's file store under {@code dataDir} keeps the verified blob {@code digest} (absent until then). */
    public static Path storedBlob(Path dataDir, Digest digest) {
        return dataDir.resolve("blobs")
                .resolve(digest.algorithm())
                .resolve(digest.encoded().substring(0, 2))
                .resolve(digest.encoded());
    }

    /** {@code 127.0.0.1:PORT}, as clients write a registry host. */
    public String host() {
        return "127.0.0.1:" + port;
    }

    /** {@code http://127.0.0.1:PORT}. */
    public URI url() {
        return URI.create("http://" + host());
    }

    /** {@code 127.0.0.1:PORT} of the TLS listener ({@code tlsListen}); throws when there is none. */
    public String tlsHost() {
        return "127.0.0.1:" + wharf.tlsAddress().orElseThrow().getPort();
    }

    /** {@code https://127.0.0.1:PORT} of the TLS listener; throws when there is none. */
    public URI tlsUrl() {
        return URI.create("https://" + tlsHost());
    }

    /** The running Wharf itself. */
    public Wharf wharf() {
        return wharf;
    }

    /** {@code http://127.0.0.1:ADMINPORT}: {@code /metrics} and {@code /healthz}. */
    public URI adminUrl() {
        return URI.create("http://127.0.0.1:" + adminPort);
    }

    @Override
    public void close() {
        wharf.close();
    }
}
