package dev.wharf.proxy.lab;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Every log line written in this JVM (all loggers, formatted) from {@link #start()} until {@link #close()}. */
public final class CapturedLogs implements AutoCloseable {
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    private CapturedLogs() {}

    /** Starts capturing. */
    public static CapturedLogs start() {
        CapturedLogs logs = new CapturedLogs();
        logs.appender.start();
        logs.root.addAppender(logs.appender);
        return logs;
    }

    /** The lines so far, each with its exception's messages appended. */
    public List<String> lines() {
        synchronized (appender.list) {
            return appender.list.stream().map(CapturedLogs::line).toList();
        }
    }

    private static String line(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(event.getLevel() + " " + event.getFormattedMessage());
        for (var thrown = event.getThrowableProxy(); thrown != null; thrown = thrown.getCause()) {
            line.append(" | ").append(thrown.getClassName()).append(": ").append(thrown.getMessage());
        }
        return line.toString();
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
    }
}
