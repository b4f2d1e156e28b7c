package dev.wharf.proxy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wharf health}: asks a running Wharf's admin listener whether it is up, for container health checks in images
 * without curl. Exit 0 when {@code /healthz} (or the given URL) answers 200 within the timeout, else 1 with the reason.
 */
@Command(
        name = "health",
        mixinStandardHelpOptions = true,
        description = "Check that a running Wharf answers on its admin listener (exit 0 when healthy).")
final class HealthCommand implements Callable<Integer> {
    @Option(
            names = "--url",
            paramLabel = "URL",
            defaultValue = "http://127.0.0.1:5001/healthz",
            description = "What to ask (default: ${DEFAULT-VALUE})")
    URI url;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            defaultValue = "5",
            description = "How long to wait for the answer (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        Duration timeout = Duration.ofSeconds(Math.max(1, timeoutSeconds));
        HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build();
        try {
            HttpResponse<Void> answer = http.send(
                    HttpRequest.newBuilder(url).timeout(timeout).build(), HttpResponse.BodyHandlers.discarding());
            if (answer.statusCode() == 200) {
                spec.commandLine().getOut().println(url + ": healthy");
                return 0;
            }
            spec.commandLine().getErr().println(url + ": answered " + answer.statusCode());
        } catch (IOException e) {
            spec.commandLine().getErr().println(url + ": " + e.getClass().getSimpleName());
        }
        return 1;
    }
}
