package dev.wharf.proxy.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Scrapes a running Wharf's {@code /metrics} on its admin listener. */
public final class Scrape {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Scrape() {}

    /** The Prometheus text of {@code wharf}'s metrics; fails unless the scrape answers 200. */
    public static String of(RunningWharf wharf) {
        try {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(wharf.adminUrl().resolve("/metrics"))
                            .timeout(Duration.ofSeconds(30))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new AssertionError("/metrics answered " + response.statusCode());
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
