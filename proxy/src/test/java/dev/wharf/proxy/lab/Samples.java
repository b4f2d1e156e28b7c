package dev.wharf.proxy.lab;

/** Reads samples out of a Prometheus text scrape. */
public final class Samples {
    private Samples() {}

    /** The sample of {@code series} (name and labels exactly as scraped); fails when the series is absent. */
    public static double value(String scrape, String series) {
        return scrape.lines()
                .filter(line -> line.startsWith(series + " "))
                .map(line ->
                        Double.parseDouble(line.substring(series.length() + 1).trim()))
                .findFirst()
                .orElseThrow(() -> new AssertionError(series + " not in:\n" + scrape));
    }
}
