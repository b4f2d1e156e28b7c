package dev.wharf.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the cloud credential sources of an upstream: {@code ecr: {region, roleArn?, registryId?, endpoint?}} and
 * {@code gcp: {keyFile?}}. A key file is checked here (a JSON object of {@code type} {@code service_account}) and read
 * again on use; no problem ever shows its content.
 */
final class CloudCredentialReader {
    private static final Set<String> ECR_KEYS = Set.of("region", "roleArn", "registryId", "endpoint");
    private static final Set<String> GCP_KEYS = Set.of("keyFile");
    private static final String ECR_EXPECTED = "a mapping with region and optional roleArn, registryId, endpoint";
    private static final String GCP_EXPECTED = "a mapping with an optional keyFile";
    private static final String REGION_EXPECTED = "an AWS region like us-east-1";
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]{1,2}");
    private static final String ARN_EXPECTED = "an IAM role ARN like arn:aws:iam::123456789012:role/name";
    private static final Pattern ROLE_ARN =
            Pattern.compile("arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}");
    private static final String REGISTRY_EXPECTED = "a 12-digit AWS account id";
    private static final Pattern REGISTRY_ID = Pattern.compile("[0-9]{12}");
    private static final String ENDPOINT_EXPECTED = HttpEndpoints.EXPECTED;
    private static final String KEY_EXPECTED = "a readable service-account JSON key file";
    private static final long KEY_FILE_LIMIT = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private CloudCredentialReader() {}

    /** The {@code ecr} mapping of upstream {@code m}; empty after reporting its problems. */
    static Optional<UpstreamCredentials> ecr(YamlMapping m) {
        Optional<YamlMapping> opened =
                YamlMapping.open(m.node("ecr").orElseThrow(), m.pathOf("ecr"), ECR_EXPECTED, m.context(), ECR_KEYS);
        if (opened.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping ecr = opened.get();
        Problems problems = m.context().problems();
        int before = problems.size();
        Optional<String> region = ecr.requiredParsed("region", REGION_EXPECTED, text -> matching(REGION, text));
        Optional<String> roleArn = ecr.parsed("roleArn", ARN_EXPECTED, text -> matching(ROLE_ARN, text));
        Optional<String> registryId = ecr.parsed("registryId", REGISTRY_EXPECTED, text -> matching(REGISTRY_ID, text));
        Optional<URI> endpoint = ecr.text("endpoint", ENDPOINT_EXPECTED).flatMap(text -> endpoint(ecr, text));
        if (problems.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new UpstreamCredentials.Ecr(
                region.orElseThrow(), roleArn, registryId, endpoint, Defaults.CLOUD_CREDENTIAL_TIMEOUT));
    }

    /** The {@code gcp} mapping of upstream {@code m}; empty after reporting its problems. */
    static Optional<UpstreamCredentials> gcp(YamlMapping m) {
        Optional<YamlMapping> opened =
                YamlMapping.open(m.node("gcp").orElseThrow(), m.pathOf("gcp"), GCP_EXPECTED, m.context(), GCP_KEYS);
        if (opened.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping gcp = opened.get();
        if (!gcp.has("keyFile")) {
            return Optional.of(new UpstreamCredentials.Gcp(Optional.empty(), Defaults.CLOUD_CREDENTIAL_TIMEOUT));
        }
        return CredentialReader.checkedFile(gcp, "keyFile", KEY_EXPECTED, KEY_FILE_LIMIT)
                .filter(file -> isServiceAccountKey(gcp, file))
                .map(file -> new UpstreamCredentials.Gcp(Optional.of(file), Defaults.CLOUD_CREDENTIAL_TIMEOUT));
    }

    private static boolean isServiceAccountKey(YamlMapping gcp, Path file) {
        String shown = Problems.quote(file.toString());
        String problem;
        try {
            JsonNode root = JSON.readTree(file.toFile());
            if (root == null || !root.isObject()) {
                problem = shown + " is not a JSON object";
            } else if (!"service_account".equals(root.path("type").asText())) {
                problem = shown + " has no \"type\": \"service_account\"";
            } else {
                return true;
            }
        } catch (IOException e) {
            // Jackson's message may quote the file's content, which holds a private key: never pass it on.
            problem = shown + " is not valid JSON";
        }
        gcp.context().problems().add(gcp.pathOf("keyFile"), problem, KEY_EXPECTED);
        return false;
    }

    private static String matching(Pattern pattern, String text) {
        if (!pattern.matcher(text).matches()) {
            throw new IllegalArgumentException("no match");
        }
        return text;
    }

    private static Optional<URI> endpoint(YamlMapping ecr, String text) {
        Optional<URI> uri = HttpEndpoints.parse(text);
        if (uri.isEmpty()) {
            // The text may carry credentials: name the key, not the value.
            ecr.context().problems().add(ecr.pathOf("endpoint"), "not a usable URL", ENDPOINT_EXPECTED);
        }
        return uri;
    }
}
