package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.ConfigLoader;
import dev.wharf.config.WharfConfig;
import dev.wharf.proxy.lab.FreePort;
import dev.wharf.proxy.lab.RunningWharf;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void configCheckAcceptsAValidFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("wharf.yaml"), "listen: 127.0.0.1:5000\nmaxStale: 3d\n");
        assertEquals(0, run("config", "check", file.toString()));
        assertTrue(out.toString().contains("ok"), out.toString());
    }

    @Test
    void configCheckSaysWhereEachUpstreamsCredentialsComeFromWithoutSecrets(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(
                dir.resolve("wharf.yaml"),
                "upstreams:\n  - name: private.example\n    url: https://private.example\n    username: robot\n"
                        + "    password: s3cr3t-sentinel\n    repositoryCredentials:\n"
                        + "      - {repositories: [public/*]}\n");

        assertEquals(0, run("config", "check", file.toString()));

        String said = out.toString();
        assertTrue(
                said.contains("upstream private.example (https://private.example): credentials from password"), said);
        assertTrue(said.contains("    repositories public/* from anonymous"), said);
        assertTrue(
                said.contains("upstream docker.io (https://registry-1.docker.io): credentials from anonymous"), said);
        assertFalse(said.contains("s3cr3t-sentinel"), said);
    }

    @Test
    void healthIsZeroForARunningWharfAndOneWhenNothingAnswers(@TempDir Path dir) throws Exception {
        try (RunningWharf wharf = RunningWharf.start("", dir)) {
            assertEquals(
                    0,
                    run("health", "--url", wharf.adminUrl().resolve("/healthz").toString()));
        }
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        assertEquals(1, run("health", "--url", "http://127.0.0.1:" + closed + "/healthz", "--timeout", "2"));
        assertTrue(err.toString().contains("127.0.0.1:" + closed), err.toString());
    }

    @Test
    void configCheckListsEveryProblemWithItsPathAndFails(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(
                dir.resolve("wharf.yaml"),
                "listen: abc\nupstreams:\n  - name: x.example\n    url: ftp://x\n    password: s3cr3t-sentinel\n");
        assertEquals(1, run("config", "check", file.toString()));
        String problems = err.toString();
        assertTrue(problems.contains("listen: \"abc\""), problems);
        assertTrue(problems.contains("upstreams[0].url: \"ftp://x\" (expected: http or https URL)"), problems);
        assertFalse(problems.contains("s3cr3t-sentinel"), "a password never appears in output");
    }

    @Test
    void configCheckReadsThePrewarmRuleFilesToo(@TempDir Path dir) throws Exception {
        Path rules = Files.createDirectories(dir.resolve("prewarm.d"));
        Files.writeString(
                rules.resolve("good.yaml"), "{upstream: docker.io, repository: redis, tags: [7], once: true}\n");
        Files.writeString(
                rules.resolve("bad.yaml"), "- {upstream: docker.io, repository: x, tags: [1], cron: '0 25 * * *'}\n");
        Path file = Files.writeString(dir.resolve("wharf.yaml"), "prewarmDir: prewarm.d\n");

        assertEquals(1, run("config", "check", file.toString()));

        assertEquals(
                file + ": 1 problem(s)\n  " + rules.resolve("bad.yaml")
                        + ": [0].cron: \"0 25 * * *\" (expected: five-field cron expression like \"0 3 * * *\")\n",
                err.toString());
    }

    @Test
    void prewarmSaysWhichRuleDoesNotExist(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(
                dir.resolve("wharf.yaml"),
                "storage: {path: data}\nprewarm:\n  - {name: a, upstream: docker.io, repository: x, tags: [1], once: true}\n");
        assertEquals(1, run("prewarm", "plan", "--config", file.toString(), "--rule", "b"));
        assertEquals("wharf: no prewarm rule named b\n", err.toString());
    }

    @Test
    void serveRefusesAnInvalidConfigurationBeforeBinding(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("wharf.yaml"), "defaultUpstream: nope.example\n");
        assertEquals(1, run("serve", "--config", file.toString()), "the same exit code as config check");
        assertTrue(err.toString().contains("defaultUpstream"), err.toString());
    }

    @Test
    @Timeout(60)
    void aListenAddressInUseIsNamedInOneLine(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String where = "127.0.0.1:" + taken.getLocalPort();
            Path file = Files.writeString(
                    dir.resolve("wharf.yaml"),
                    "listen: " + where + "\nadminListen: 127.0.0.1:" + FreePort.find() + "\nstorage: {path: data}\n");

            assertEquals(1, run("serve", "--config", file.toString()));

            assertEquals(
                    "wharf: cannot listen on " + where + " (registry API): the address is in use (another Wharf, or"
                            + " another server, listens there)",
                    err.toString().strip());
        }
        // The failed start released the storage: another Wharf opens it.
        Files.writeString(
                dir.resolve("wharf.yaml"),
                "listen: 127.0.0.1:" + FreePort.find() + "\nadminListen: 127.0.0.1:" + FreePort.find()
                        + "\nstorage: {path: data}\n");
        Wharf.start(ConfigLoader.load(dir.resolve("wharf.yaml")), Clock.systemUTC())
                .close();
    }

    @Test
    @Timeout(60)
    void anAdminAddressInUseIsNamedToo(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String where = "127.0.0.1:" + taken.getLocalPort();
            Path file = Files.writeString(
                    dir.resolve("wharf.yaml"),
                    "listen: 127.0.0.1:" + FreePort.find() + "\nadminListen: " + where + "\nstorage: {path: data}\n");

            assertEquals(1, run("serve", "--config", file.toString()));

            assertTrue(
                    err.toString().startsWith("wharf: cannot listen on " + where + " (admin): the address is in use"),
                    err.toString());
        }
    }

    @Test
    @Timeout(60)
    void storageHeldByAnotherWharfIsNamedInOneLine(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        Path file = Files.writeString(
                dir.resolve("wharf.yaml"),
                "listen: 127.0.0.1:" + FreePort.find() + "\nadminListen: 127.0.0.1:" + FreePort.find()
                        + "\nstorage: {path: " + data + "}\n");
        try (Wharf first = Wharf.start(ConfigLoader.load(file), Clock.systemUTC())) {
            assertEquals(1, run("serve", "--config", file.toString()));

            assertTrue(first.address().getPort() > 0, "the first Wharf still serves");
            assertEquals(
                    "wharf: cannot open the storage at " + data + ": it is in use by another Wharf process (each"
                            + " storage path belongs to one process at a time)",
                    err.toString().strip());
        }
    }

    @Test
    void theContainerImagesConfigurationIsValidAndReachableForProbes() throws Exception {
        Path shipped = Path.of("..", "deploy", "wharf.yaml");
        assertEquals(0, run("config", "check", shipped.toString()), err.toString());
        WharfConfig config = ConfigLoader.load(shipped);
        assertEquals("0.0.0.0", config.adminListen().host(), "kubelet probes reach the admin listener");
        assertEquals(Path.of("/var/lib/wharf"), config.storage().path(), "the image's volume");
    }

    @Test
    void versionAndHelp() {
        assertEquals(0, run("--version"));
        assertTrue(out.toString().startsWith("wharf "), out.toString());
        assertEquals(0, run("--help"));
        assertTrue(out.toString().contains("serve"), out.toString());
    }
}
