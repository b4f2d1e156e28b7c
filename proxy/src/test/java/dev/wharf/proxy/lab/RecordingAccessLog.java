package dev.wharf.proxy.lab;

import dev.wharf.proxy.http.AccessLog;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Keeps every access log entry for a test to take, in the order they were recorded. */
public final class RecordingAccessLog implements AccessLog {
    private final BlockingQueue<Entry> entries = new LinkedBlockingQueue<>();

    @Override
    public void record(Entry entry) {
        entries.add(entry);
    }

    /** The next {@code n} entries, waiting up to 10 s for each; fails when one does not come. */
    public List<Entry> take(int n) throws InterruptedException {
        List<Entry> taken = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Entry entry = entries.poll(10, TimeUnit.SECONDS);
            if (entry == null) {
                throw new AssertionError("expected " + n + " access log entries, got " + taken);
            }
            taken.add(entry);
        }
        return taken;
    }
}
