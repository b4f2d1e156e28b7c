package dev.wharf.proxy.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * A real CNCF distribution registry ({@code docker-registry serve}) on a free 127.0.0.1 port, with its data in a
 * temp dir. Its access log (Apache combined format, which distribution 2.8 writes to stdout) is kept in a file so
 * tests can count what reached it. {@link #close()} kills the process and deletes everything.
 */
public final class RegistryProcess implements AutoCloseable {
    private static final Duration START_DEADLINE = Duration.ofSeconds(10);
    private static final Duration SETTLE_INTERVAL = Duration.ofMillis(40);
    private static final Duration SETTLE_DEADLINE = Duration.ofSeconds(3);

    private final Path root;
    private final Path config;
    private final Path accessLog;
    private final Path errorLog;
    private final int port;
    private Optional<Credentials> credentials;
    private String tlsSection = "";
    private Process process;
    private boolean frozen;
    private int requestOffset;

    private RegistryProcess(Path root, int port, Optional<Credentials> credentials) {
        this.root = root;
        this.port = port;
        this.credentials = credentials;
        this.config = root.resolve("config.yml");
        this.accessLog = root.resolve("stdout.log");
        this.errorLog = root.resolve("stderr.log");
    }

    /** A registry anyone may pull from and push to. */
    public static RegistryProcess anonymous() {
        return launch("", Optional.empty());
    }

    /**
     * Replaces the htpasswd user's password (the old one stops working) and restarts the registry on the same port
     * with the same data, since distribution reads htpasswd at start-up.
     */
    public void changePassword(String newPassword) {
        Credentials old = credentials.orElseThrow(() -> new IllegalStateException("not a Basic-auth registry"));
        Credentials changed = new Credentials(old.user(), newPassword);
        write(root.resolve("htpasswd"), changed.user() + ":" + bcrypt(newPassword) + "\n");
        credentials = Optional.of(changed);
        restart();
    }

    /**
     * Restarts the registry serving https with {@code certificate} and {@code key} (PEM) on the same port and data;
     * with {@code clientCa}, it demands a client certificate that CA issued (mutual TLS).
     */
    public void serveTls(Path certificate, Path key, Optional<Path> clientCa) {
        tlsSection = "  tls:\n    certificate: " + quote(certificate) + "\n    key: " + quote(key) + "\n"
                + clientCa.map(ca -> "    clientcas:\n      - " + quote(ca) + "\n")
                        .orElse("");
        stop();
        write(
                config,
                readConfig().replace("  secret: wharf-lab-secret\n", "  secret: wharf-lab-secret\n" + tlsSection));
        start();
    }

    private String readConfig() {
        try {
            return Files.readString(config, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A registry behind Basic authentication with a single bcrypt htpasswd user. */
    public static RegistryProcess basic(String user, String password) {
        Credentials credentials = new Credentials(user, password);
        return launch(
                root -> {
                    Path htpasswd = root.resolve("htpasswd");
                    write(htpasswd, user + ":" + bcrypt(password) + "\n");
                    return "auth:\n  htpasswd:\n    realm: basic-realm\n    path: " + quote(htpasswd) + "\n";
                },
                Optional.of(credentials));
    }

    /** A registry that demands Bearer tokens issued by {@code tokens}, as Docker Hub, GHCR and Quay do. */
    public static RegistryProcess token(TokenServer tokens) {
        return launch(
                root -> "auth:\n  token:\n    realm: " + tokens.realm() + "\n    service: " + tokens.service()
                        + "\n    issuer: " + tokens.issuer() + "\n    rootcertbundle: " + quote(tokens.rootCertBundle())
                        + "\n",
                tokens.requiredCredentials());
    }

    /** A pull-through cache of {@code remoteUrl} (distribution's own proxy mode), the baseline to compare with. */
    public static RegistryProcess proxyOf(URI remoteUrl) {
        return launch("proxy:\n  remoteurl: " + remoteUrl + "\n", Optional.empty());
    }

    private static RegistryProcess launch(String extraConfig, Optional<Credentials> credentials) {
        return launch(root -> extraConfig, credentials);
    }

    private static RegistryProcess launch(ConfigSection section, Optional<Credentials> credentials) {
        Tools.dockerRegistry();
        Path root = TempDirs.create("wharf-registry-");
        RegistryProcess registry = new RegistryProcess(root, FreePort.find(), credentials);
        try {
            write(registry.config, registry.baseConfig() + section.render(root));
            registry.start();
            return registry;
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
    }

    private interface ConfigSection {
        String render(Path root);
    }

    private String baseConfig() {
        return "version: 0.1\n"
                + "log:\n  level: info\n  accesslog:\n    disabled: false\n"
                + "storage:\n  filesystem:\n    rootdirectory: " + quote(dataDir()) + "\n"
                + "  delete:\n    enabled: true\n"
                + "  maintenance:\n    uploadpurging:\n      enabled: false\n"
                + "http:\n  addr: 127.0.0.1:" + port + "\n  secret: wharf-lab-secret\n";
    }

    private void start() {
        try {
            process = new ProcessBuilder(Tools.dockerRegistry().toString(), "serve", config.toString())
                    .redirectInput(
                            ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(accessLog.toFile()))
                    .redirectError(ProcessBuilder.Redirect.appendTo(errorLog.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        awaitReady();
    }

    private void awaitReady() {
        if (!tlsSection.isEmpty()) {
            awaitListening();
            return;
        }
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
        HttpRequest ping = HttpRequest.newBuilder(url().resolve("/v2/"))
                .timeout(Duration.ofSeconds(2))
                .build();
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "docker-registry exited with " + process.exitValue() + " during start-up:\n" + errorOutput());
            }
            try {
                int status = client.send(ping, HttpResponse.BodyHandlers.discarding())
                        .statusCode();
                if (status == 200 || status == 401) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet: poll again until the deadline.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for docker-registry", e);
            }
            pause(Duration.ofMillis(20));
        }
        throw new IllegalStateException(
                "docker-registry did not answer GET /v2/ within " + START_DEADLINE + ":\n" + errorOutput());
    }

    /** {@code http://127.0.0.1:PORT}, or {@code https://} once {@link #serveTls} was called. */
    public URI url() {
        return URI.create((tlsSection.isEmpty() ? "http://" : "https://") + host());
    }

    /** For https: a TCP accept is enough, since a handshake would need the test's CA (and client certificate). */
    private void awaitListening() {
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "docker-registry exited with " + process.exitValue() + " during start-up:\n" + errorOutput());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                // Not listening yet: poll again until the deadline.
            }
            pause(Duration.ofMillis(20));
        }
        throw new IllegalStateException(
                "docker-registry did not listen within " + START_DEADLINE + ":\n" + errorOutput());
    }

    /** {@code 127.0.0.1:PORT}, the registry's host as image references spell it. */
    public String host() {
        return "127.0.0.1:" + port;
    }

    /** The port the registry listens on. */
    public int port() {
        return port;
    }

    /** The user a client must present (directly or to the token server), or empty when pulls are anonymous. */
    public Optional<Credentials> credentials() {
        return credentials;
    }

    /** The registry's storage root (distribution's filesystem driver layout). */
    public Path dataDir() {
        return root.resolve("data");
    }

    /** The operating-system process id of the running registry. */
    public long pid() {
        return running().pid();
    }

    /** Everything the registry wrote to stderr so far (its application log). */
    public String errorOutput() {
        try {
            return Files.exists(errorLog) ? Files.readString(errorLog, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Requests logged since the last {@link #clearRequests()}, as the access log holds them right now. */
    public List<AccessLogEntry> requests() {
        List<AccessLogEntry> all = readAccessLog();
        return List.copyOf(all.subList(Math.min(requestOffset, all.size()), all.size()));
    }

    /**
     * Like {@link #requests()}, but re-reads the log until two reads a short interval apart agree (bounded by a
     * deadline), so a request whose response has just completed is counted.
     */
    public List<AccessLogEntry> requestsSettled() {
        long deadline = System.nanoTime() + SETTLE_DEADLINE.toNanos();
        List<AccessLogEntry> previous = requests();
        while (true) {
            pause(SETTLE_INTERVAL);
            List<AccessLogEntry> current = requests();
            if (current.equals(previous) || System.nanoTime() > deadline) {
                return current;
            }
            previous = current;
        }
    }

    /** How many settled requests since the last {@link #clearRequests()} had {@code method} and a matching path. */
    public int count(String method, Predicate<String> path) {
        return (int) requestsSettled().stream()
                .filter(e -> e.method().equals(method) && path.test(e.path()))
                .count();
    }

    /** Forgets the requests logged so far: later counts start from here. */
    public void clearRequests() {
        requestOffset = requestsSettled().size() + requestOffset;
    }

    /** Suspends the registry (SIGSTOP): connections are accepted by the kernel but never answered. */
    public void freeze() {
        signal("-STOP");
        frozen = true;
    }

    /** Resumes a {@link #freeze() frozen} registry (SIGCONT). */
    public void thaw() {
        signal("-CONT");
        frozen = false;
    }

    /** Stops the registry process but keeps its data and port; {@link #restart()} brings it back. */
    public void stop() {
        if (process == null) {
            return;
        }
        if (frozen) {
            thaw();
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Starts a {@link #stop() stopped} registry again on the same port with the same data. */
    public void restart() {
        stop();
        start();
    }

    @Override
    public void close() {
        stop();
        TempDirs.delete(root);
    }

    private Process running() {
        if (process == null) {
            throw new IllegalStateException("registry is not running");
        }
        return process;
    }

    private void signal(String signal) {
        Command.run(Duration.ofSeconds(5), List.of("kill", signal, Long.toString(pid())))
                .requireSuccess();
    }

    private List<AccessLogEntry> readAccessLog() {
        if (!Files.exists(accessLog)) {
            return List.of();
        }
        String text;
        try {
            text = Files.readString(accessLog, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Only whole lines: the last one may still be being written.
        String complete = text.substring(0, text.lastIndexOf('\n') + 1);
        List<AccessLogEntry> entries = new ArrayList<>();
        complete.lines().forEach(line -> AccessLogEntry.parse(line).ifPresent(entries::add));
        return entries;
    }

    static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String bcrypt(String password) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        // Cost 5 keeps logins fast in tests; distribution accepts any cost >= 4 and the $2y$ prefix htpasswd uses.
        return OpenBSDBCrypt.generate("2y", password.toCharArray(), salt, 5);
    }

    private static String quote(Path path) {
        return "\"" + path.toAbsolutePath().toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
