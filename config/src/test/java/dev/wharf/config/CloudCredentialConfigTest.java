package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CloudCredentialConfigTest {
    private static final String SENTINEL = "S3NTINEL-cloud-4f2e";

    @TempDir
    Path dir;

    private WharfConfig parse(String upstreamKeys) {
        return ConfigLoader.parse(
                "defaultUpstream: registry.example\nupstreams:\n  - name: registry.example\n"
                        + "    url: https://registry.example\n" + upstreamKeys,
                Map.of("SECRET", SENTINEL),
                dir);
    }

    private List<String> problems(String upstreamKeys) {
        List<String> problems =
                assertThrows(ConfigException.class, () -> parse(upstreamKeys)).problems();
        problems.forEach(problem -> assertFalse(problem.contains("S3NTINEL"), problem));
        return problems;
    }

    private UpstreamCredentials credentials(String upstreamKeys) {
        return parse(upstreamKeys).upstreams().get(0).credentials();
    }

    @Test
    void ecrWithEveryKey() {
        UpstreamCredentials credentials = credentials("    ecr:\n      region: eu-west-1\n"
                + "      roleArn: arn:aws:iam::123456789012:role/wharf-pull\n"
                + "      registryId: \"210987654321\"\n      endpoint: http://127.0.0.1:4566\n");

        assertEquals(
                new UpstreamCredentials.Ecr(
                        "eu-west-1",
                        Optional.of("arn:aws:iam::123456789012:role/wharf-pull"),
                        Optional.of("210987654321"),
                        Optional.of(URI.create("http://127.0.0.1:4566")),
                        Defaults.CLOUD_CREDENTIAL_TIMEOUT),
                credentials);
        assertEquals("ecr eu-west-1 as arn:aws:iam::123456789012:role/wharf-pull", credentials.describe());
    }

    @Test
    void ecrWithRegionOnly() {
        assertEquals(
                new UpstreamCredentials.Ecr(
                        "us-gov-west-1",
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Defaults.CLOUD_CREDENTIAL_TIMEOUT),
                credentials("    ecr: {region: us-gov-west-1}\n"));
    }

    @Test
    void ecrProblemsNameTheirPaths() {
        assertEquals(
                List.of(
                        "upstreams[0].ecr.other: unknown key",
                        "upstreams[0].ecr.region: \"US East\" (expected: an AWS region like us-east-1)",
                        "upstreams[0].ecr.roleArn: \"arn:aws:iam::123:user/x\" (expected: an IAM role ARN like"
                                + " arn:aws:iam::123456789012:role/name)",
                        "upstreams[0].ecr.registryId: \"1234\" (expected: a 12-digit AWS account id)",
                        "upstreams[0].ecr.endpoint: not a usable URL (expected: http(s)://host[:port] without"
                                + " credentials, query or fragment)"),
                problems("    ecr:\n      region: US East\n      roleArn: arn:aws:iam::123:user/x\n"
                        + "      registryId: \"1234\"\n      endpoint: https://user:${SECRET}@ecr.example\n"
                        + "      other: 1\n"));
    }

    @Test
    void ecrNeedsARegionAndAMapping() {
        assertEquals(
                List.of("upstreams[0].ecr.region: missing (expected: an AWS region like us-east-1)"),
                problems("    ecr: {}\n"));
        assertEquals(
                List.of("upstreams[0].ecr: a scalar (expected: a mapping with region and optional roleArn, registryId,"
                        + " endpoint)"),
                problems("    ecr: us-east-1\n"));
    }

    @Test
    void oneSourceOnly() {
        assertEquals(
                List.of("upstreams[0]: token and ecr set together (expected: at most one of password, passwordFile,"
                        + " token, tokenFile, dockerConfig, credentialHelper, ecr, gcp)"),
                problems("    token: ${SECRET}\n    ecr: {region: us-east-1}\n"));
    }

    @Test
    void gcpWithoutKeyFileUsesApplicationDefaultCredentials() {
        UpstreamCredentials credentials = credentials("    gcp: {}\n");

        assertEquals(new UpstreamCredentials.Gcp(Optional.empty(), Defaults.CLOUD_CREDENTIAL_TIMEOUT), credentials);
        assertEquals("gcp application default credentials", credentials.describe());
    }

    @Test
    void gcpKeyFileIsResolvedAgainstTheBaseDir() throws IOException {
        Files.writeString(
                dir.resolve("key.json"), "{\"type\":\"service_account\",\"private_key\":\"" + SENTINEL + "\"}");

        UpstreamCredentials credentials = credentials("    gcp: {keyFile: key.json}\n");

        assertEquals(
                new UpstreamCredentials.Gcp(Optional.of(dir.resolve("key.json")), Defaults.CLOUD_CREDENTIAL_TIMEOUT),
                credentials);
        assertEquals("gcp keyFile " + dir.resolve("key.json"), credentials.describe());
    }

    @Test
    void gcpKeyFileProblemsNeverShowItsContent() throws IOException {
        Files.writeString(dir.resolve("user.json"), "{\"type\":\"authorized_user\",\"secret\":\"" + SENTINEL + "\"}");
        Files.writeString(dir.resolve("broken.json"), "{\"private_key\": \"" + SENTINEL);
        Files.writeString(dir.resolve("list.json"), "[\"" + SENTINEL + "\"]");
        String expected = " (expected: a readable service-account JSON key file)";
        String yaml = "defaultUpstream: a.example\nupstreams:\n"
                + "  - {name: a.example, url: 'https://a.example', gcp: {keyFile: missing.json}}\n"
                + "  - {name: b.example, url: 'https://b.example', gcp: {keyFile: user.json}}\n"
                + "  - {name: c.example, url: 'https://c.example', gcp: {keyFile: broken.json}}\n"
                + "  - {name: d.example, url: 'https://d.example', gcp: {keyFile: list.json}}\n"
                + "  - {name: e.example, url: 'https://e.example', gcp: {keyFile: x.json, scopes: all}}\n";

        List<String> problems = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, Map.of(), dir))
                .problems();

        assertEquals(
                List.of(
                        "upstreams[0].gcp.keyFile: \"" + dir.resolve("missing.json") + "\" does not exist" + expected,
                        "upstreams[1].gcp.keyFile: \"" + dir.resolve("user.json")
                                + "\" has no \"type\": \"service_account\"" + expected,
                        "upstreams[2].gcp.keyFile: \"" + dir.resolve("broken.json") + "\" is not valid JSON" + expected,
                        "upstreams[3].gcp.keyFile: \"" + dir.resolve("list.json") + "\" is not a JSON object"
                                + expected,
                        "upstreams[4].gcp.scopes: unknown key",
                        "upstreams[4].gcp.keyFile: \"" + dir.resolve("x.json") + "\" does not exist" + expected),
                problems);
        problems.forEach(problem -> assertFalse(problem.contains("S3NTINEL"), problem));
    }
}
