package dev.wharf.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
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
    void serveRefusesAnInvalidConfigurationBeforeBinding(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("wharf.yaml"), "defaultUpstream: nope.example\n");
        assertEquals(2, run("serve", "--config", file.toString()));
        assertTrue(err.toString().contains("defaultUpstream"), err.toString());
    }

    @Test
    void versionAndHelp() {
        assertEquals(0, run("--version"));
        assertTrue(out.toString().startsWith("wharf "), out.toString());
        assertEquals(0, run("--help"));
        assertTrue(out.toString().contains("serve"), out.toString());
    }
}
