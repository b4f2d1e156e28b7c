package dev.wharf.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where an upstream's credentials come from: exactly one source per upstream. {@link #describe()} names the source
 * for logs and {@code config check} and never shows a secret.
 */
public sealed interface UpstreamCredentials {
    /** No credentials: Wharf asks for anonymous tokens only. */
    UpstreamCredentials ANONYMOUS = new Anonymous();

    /** The source's name and file, never a secret: {@code passwordFile /run/secrets/pw}. */
    String describe();

    /** No credentials at all. */
    record Anonymous() implements UpstreamCredentials {
        @Override
        public String describe() {
            return "anonymous";
        }
    }

    /** {@code username} with {@code password} or {@code passwordFile}: Basic, also sent to the token realm. */
    record Basic(String username, Secret password) implements UpstreamCredentials {
        public Basic {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String describe() {
            return password instanceof Secret.InFile file ? "passwordFile " + file.path() : "password";
        }
    }

    /** {@code token} or {@code tokenFile}: a static bearer token sent as is. */
    record Bearer(Secret token) implements UpstreamCredentials {
        public Bearer {
            Objects.requireNonNull(token, "token");
        }

        @Override
        public String describe() {
            return token instanceof Secret.InFile file ? "tokenFile " + file.path() : "token";
        }
    }

    /**
     * {@code dockerConfig}: the {@code auths} entry for the upstream's host in a Docker {@code config.json} (or a
     * mounted {@code kubernetes.io/dockerconfigjson} Secret); a {@code credHelpers}/{@code credsStore} entry there
     * runs that helper as {@link Helper} would.
     */
    record DockerConfig(Path file, HelperSettings helpers) implements UpstreamCredentials {
        public DockerConfig {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(helpers, "helpers");
        }

        @Override
        public String describe() {
            return "dockerConfig " + file;
        }
    }

    /** {@code credentialHelper}: runs {@code docker-credential-NAME get}, found on {@code PATH}. */
    record Helper(String name, HelperSettings settings) implements UpstreamCredentials {
        public Helper {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(settings, "settings");
        }

        @Override
        public String describe() {
            return "credentialHelper " + name;
        }
    }

    /**
     * {@code ecr}: a Basic login from Amazon ECR's {@code GetAuthorizationToken} in {@code region}, signed with the AWS
     * SDK's default credential chain ({@code roleArn} assumed through STS first when set), for {@code registryId} (the
     * caller's account when absent), at {@code endpoint} when set (else ECR's own); a call taking longer than {@code
     * timeout} fails.
     */
    record Ecr(
            String region,
            Optional<String> roleArn,
            Optional<String> registryId,
            Optional<URI> endpoint,
            Duration timeout)
            implements UpstreamCredentials {
        public Ecr {
            Objects.requireNonNull(region, "region");
            Objects.requireNonNull(roleArn, "roleArn");
            Objects.requireNonNull(registryId, "registryId");
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(timeout, "timeout");
        }

        @Override
        public String describe() {
            return "ecr " + region + roleArn.map(arn -> " as " + arn).orElse("");
        }
    }

    /**
     * {@code gcp}: an OAuth2 access token (user {@code oauth2accesstoken}) from the service-account JSON key {@code
     * keyFile} (absolute, read again when it changes), or from the environment's Application Default Credentials when
     * absent; a token request taking longer than {@code timeout} fails.
     */
    record Gcp(Optional<Path> keyFile, Duration timeout) implements UpstreamCredentials {
        public Gcp {
            Objects.requireNonNull(keyFile, "keyFile");
            Objects.requireNonNull(timeout, "timeout");
        }

        @Override
        public String describe() {
            return keyFile.map(file -> "gcp keyFile " + file).orElse("gcp application default credentials");
        }
    }

    /**
     * How credential helpers run: the directories searched for {@code docker-credential-NAME} (the {@code PATH} Wharf
     * was configured with), how long an answer is reused ({@code ttl}) and how long a helper may take ({@code
     * timeout}) before it is killed.
     */
    record HelperSettings(List<Path> searchPath, Duration ttl, Duration timeout) {
        public HelperSettings {
            searchPath = List.copyOf(searchPath);
            Objects.requireNonNull(ttl, "ttl");
            Objects.requireNonNull(timeout, "timeout");
        }
    }
}
