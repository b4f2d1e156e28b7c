package dev.wharf.proxy.upstream;

import dev.wharf.config.UpstreamCredentials;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.AuthorizationData;
import software.amazon.awssdk.services.ecr.model.GetAuthorizationTokenRequest;
import software.amazon.awssdk.services.ecr.model.GetAuthorizationTokenResponse;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * Issues the Basic login of Amazon ECR's {@code GetAuthorizationToken}: a base64 {@code AWS:password} token that
 * expires (12 hours), signed with the SDK's default credential chain (environment, system properties, web identity,
 * profile, container and instance roles), or with a role assumed through STS when {@code roleArn} is set. Each call,
 * retries included, fails after the configured timeout; failures name the SDK's error code, never a token or key.
 */
final class EcrIssuer implements RefreshingCredentials.Issuer {
    private static final String SESSION_NAME = "wharf";

    private final String upstream;
    private final UpstreamCredentials.Ecr settings;
    private final EcrClient ecr;

    EcrIssuer(String upstream, UpstreamCredentials.Ecr settings) {
        this.upstream = upstream;
        this.settings = settings;
        Region region = Region.of(settings.region());
        AwsCredentialsProvider credentials =
                DefaultCredentialsProvider.builder().build();
        if (settings.roleArn().isPresent()) {
            StsClient sts = StsClient.builder()
                    .region(region)
                    .credentialsProvider(credentials)
                    .httpClientBuilder(http(settings.timeout()))
                    .overrideConfiguration(
                            c -> c.retryStrategy(RetryMode.STANDARD).apiCallTimeout(settings.timeout()))
                    .build();
            credentials = StsAssumeRoleCredentialsProvider.builder()
                    .stsClient(sts)
                    .refreshRequest(r -> r.roleArn(settings.roleArn().get()).roleSessionName(SESSION_NAME))
                    .build();
        }
        var builder = EcrClient.builder()
                .region(region)
                .credentialsProvider(credentials)
                .httpClientBuilder(http(settings.timeout()))
                .overrideConfiguration(c -> c.retryStrategy(RetryMode.STANDARD).apiCallTimeout(settings.timeout()));
        settings.endpoint().ifPresent(builder::endpointOverride);
        this.ecr = builder.build();
    }

    private static Apache5HttpClient.Builder http(Duration timeout) {
        return Apache5HttpClient.builder()
                .maxConnections(2)
                .connectionTimeout(timeout)
                .socketTimeout(timeout);
    }

    // registryIds is deprecated (a token now serves every registry the principal may read); it is still sent when
    // registryId is configured, as the API accepts it.
    @SuppressWarnings("deprecation")
    @Override
    public RefreshingCredentials.Issued issue() {
        GetAuthorizationTokenResponse response;
        try {
            var request = GetAuthorizationTokenRequest.builder();
            settings.registryId().ifPresent(id -> request.registryIds(List.of(id)));
            response = ecr.getAuthorizationToken(request.build());
        } catch (AwsServiceException e) {
            String code =
                    e.awsErrorDetails() == null ? "" : " " + e.awsErrorDetails().errorCode();
            throw CredentialSources.failure(
                    upstream, describe() + ": GetAuthorizationToken answered " + e.statusCode() + code);
        } catch (SdkException e) {
            // Client-side failures (no credentials in the chain, timeout, refused): the SDK's messages hold no secret.
            throw CredentialSources.failure(
                    upstream, describe() + ": " + e.getClass().getSimpleName() + " " + firstLine(e.getMessage()));
        }
        if (!response.hasAuthorizationData() || response.authorizationData().isEmpty()) {
            throw CredentialSources.failure(upstream, describe() + ": GetAuthorizationToken answered no token");
        }
        return parse(response.authorizationData().get(0));
    }

    private RefreshingCredentials.Issued parse(AuthorizationData data) {
        String decoded;
        try {
            decoded = data.authorizationToken() == null
                    ? ""
                    : new String(Base64.getDecoder().decode(data.authorizationToken()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            decoded = "";
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0 || colon == decoded.length() - 1 || data.expiresAt() == null) {
            throw CredentialSources.failure(
                    upstream,
                    describe() + ": GetAuthorizationToken answered a token that is not base64 user:password"
                            + " with an expiry");
        }
        return new RefreshingCredentials.Issued(
                new Login.Basic(decoded.substring(0, colon), decoded.substring(colon + 1)), data.expiresAt());
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        String line = message.lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    @Override
    public String describe() {
        return settings.describe();
    }
}
