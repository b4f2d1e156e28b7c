package dev.wharf.proxy.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a Docker credential helper, {@code docker-credential-NAME get} with the server URL on stdin, as Docker does, and
 * reuses its answer for the configured lifetime. A helper that runs past its timeout is killed (with whatever it
 * started) and the call fails. Answers are {@code {"ServerURL","Username","Secret"}}; the user name {@code <token>}
 * marks the secret as an identity token. Calls are serialized so that concurrent requests run the helper once.
 */
final class HelperCredentials implements CredentialSource {
    private static final Logger LOG = LoggerFactory.getLogger(HelperCredentials.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Helpers answer with a few hundred bytes; their pipe buffer (64 KiB) is never filled before they exit. */
    private static final int MAX_ANSWER = 64 * 1024;

    private static final int SHOWN_OUTPUT = 200;

    private final String upstream;
    private final String name;
    private final String serverUrl;
    private final List<Path> searchPath;
    private final Duration ttl;
    private final Duration timeout;
    private final Clock clock;
    private Login cached;
    private Instant expires = Instant.MIN;

    HelperCredentials(
            String upstream,
            String name,
            String serverUrl,
            List<Path> searchPath,
            Duration ttl,
            Duration timeout,
            Clock clock) {
        this.upstream = upstream;
        this.name = name;
        this.serverUrl = serverUrl;
        this.searchPath = List.copyOf(searchPath);
        this.ttl = ttl;
        this.timeout = timeout;
        this.clock = clock;
    }

    @Override
    public synchronized Optional<Login> current() {
        Instant now = clock.instant();
        if (cached != null && now.isBefore(expires)) {
            return Optional.of(cached);
        }
        Login fresh = run();
        cached = fresh;
        expires = now.plus(ttl);
        return Optional.of(fresh);
    }

    @Override
    public String describe() {
        return "credentialHelper " + name;
    }

    @Override
    public synchronized void refresh() {
        cached = null;
    }

    private Login run() {
        Path executable = searchPath.stream()
                .map(dir -> dir.resolve("docker-credential-" + name))
                .filter(file -> Files.isRegularFile(file) && Files.isExecutable(file))
                .findFirst()
                .orElseThrow(() -> CredentialSources.failure(
                        upstream, describe() + ": docker-credential-" + name + " not found on PATH"));
        Process process;
        try {
            process = new ProcessBuilder(executable.toString(), "get").start();
        } catch (IOException e) {
            throw CredentialSources.failure(upstream, describe() + " could not be started");
        }
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(serverUrl.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // The helper may exit without reading stdin; its exit status and answer tell.
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                throw CredentialSources.failure(
                        upstream, describe() + " did not answer within " + timeout.toMillis() + " ms and was killed");
            }
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            throw CredentialSources.failure(upstream, describe() + " interrupted");
        }
        byte[] stdout = readAtMost(process.getInputStream());
        String stderr = new String(readAtMost(process.getErrorStream()), StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            // Docker's helpers print their error on stdout; neither carries a secret when the helper failed.
            String said = shown(new String(stdout, StandardCharsets.UTF_8) + " " + stderr, null);
            throw CredentialSources.failure(
                    upstream, describe() + " exited with " + process.exitValue() + (said.isEmpty() ? "" : ": " + said));
        }
        Login login = parse(stdout);
        if (!stderr.isBlank()) {
            LOG.debug("upstream {}: {} said: {}", upstream, describe(), shown(stderr, login));
        }
        return login;
    }

    private Login parse(byte[] answer) {
        JsonNode json;
        try {
            json = JSON.readTree(answer);
        } catch (IOException e) {
            json = null;
        }
        String username = json == null ? null : text(json, "Username");
        String secret = json == null ? null : text(json, "Secret");
        if (username == null || secret == null || secret.isEmpty()) {
            throw CredentialSources.failure(upstream, describe() + " answered without Username and Secret in JSON");
        }
        return username.equals("<token>") ? new Login.IdentityToken(secret) : new Login.Basic(username, secret);
    }

    private static String text(JsonNode json, String field) {
        JsonNode value = json.get(field);
        return value != null && value.isTextual() ? value.textValue() : null;
    }

    /** One line of at most 200 characters, with the secret of {@code login} (if any) masked. */
    private static String shown(String output, Login login) {
        String line = output.strip().replaceAll("\\s+", " ");
        String secret = login instanceof Login.Basic basic
                ? basic.password()
                : login instanceof Login.IdentityToken token ? token.token() : null;
        if (secret != null && !secret.isEmpty()) {
            line = line.replace(secret, "***");
        }
        return line.length() > SHOWN_OUTPUT ? line.substring(0, SHOWN_OUTPUT) + "..." : line;
    }

    private static byte[] readAtMost(InputStream in) {
        try (in) {
            return in.readNBytes(MAX_ANSWER);
        } catch (IOException e) {
            return new byte[0];
        }
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
