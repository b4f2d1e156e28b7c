package dev.wharf.proxy.upstream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/** A password or token kept in a file ({@code passwordFile}, {@code tokenFile}), read again whenever it changes. */
final class SecretFileCredentials implements CredentialSource {
    private static final int LIMIT = 64 * 1024;

    private final String upstream;
    private final String key;
    private final WatchedFile file;
    private final Function<String, Login> login;

    SecretFileCredentials(String upstream, String key, WatchedFile file, Function<String, Login> login) {
        this.upstream = upstream;
        this.key = key;
        this.file = file;
        this.login = login;
    }

    static WatchedFile watch(Path path) {
        return new WatchedFile(path, LIMIT);
    }

    @Override
    public Optional<Login> current() {
        String secret;
        try {
            secret = new String(file.read(), StandardCharsets.UTF_8).replaceAll("[\r\n]+$", "");
        } catch (IOException e) {
            throw CredentialSources.failure(upstream, describe() + " " + WatchedFile.reason(e));
        }
        if (secret.isEmpty()) {
            throw CredentialSources.failure(upstream, describe() + " is empty");
        }
        return Optional.of(login.apply(secret));
    }

    @Override
    public String describe() {
        return key + " " + file.path();
    }
}
