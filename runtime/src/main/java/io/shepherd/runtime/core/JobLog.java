package io.shepherd.runtime.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The log line of a job's transition, one per job event, written after the change committed.
 * Every line carries the job's fields as JSON fields — {@code jobId}, {@code type},
 * {@code attempt}, {@code botId}, {@code kind}, {@code reason} — and the job's own
 * {@code correlationId} (the request that carried the change, when it is another, is
 * {@code requestId}), so one id finds a job's whole story. What an operator cares about
 * (releases, rescues, dead letters, refusals, cancellations, failures) is INFO; the routine
 * (submitted, claimed, completed) is DEBUG. The logger is {@code io.shepherd.runtime.jobs}, so its
 * level is switched on its own ({@code SHEPHERD_LOG_LEVELS=io.shepherd.runtime.jobs=DEBUG}).
 */
public final class JobLog {
    public static final String LOGGER = "io.shepherd.runtime.jobs";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);
    private static final String CORRELATION_ID = "correlationId";
    private static final String REQUEST_ID = "requestId";

    private JobLog() {
    }

    /** What a transition's line says of its job. */
    public record Job(String id, String type, int attempt, String correlationId) {
    }

    public static void event(Job job, EventKind kind, String reason, String botId) {
        Level level = routine(kind) ? Level.DEBUG : Level.INFO;
        if (!LOG.isEnabledForLevel(level)) {
            return;
        }
        String request = MDC.get(CORRELATION_ID);
        boolean own = job.correlationId() != null && !job.correlationId().equals(request);
        if (own) {
            MDC.put(CORRELATION_ID, job.correlationId());
            if (request != null) {
                MDC.put(REQUEST_ID, request);
            }
        }
        try {
            LoggingEventBuilder line = LOG.atLevel(level)
                    .addKeyValue("jobId", job.id())
                    .addKeyValue("type", job.type())
                    .addKeyValue("attempt", job.attempt())
                    .addKeyValue("kind", kind.wire())
                    .addKeyValue("reason", reason);
            if (botId != null) {
                line = line.addKeyValue("botId", botId);
            }
            line.log("Job {} {}{}{}", job.id(), kind.wire(), reason == null || reason.equals(kind.wire()) ? "" : " (" + reason + ")",
                    botId == null ? "" : " by bot " + botId);
        } finally {
            if (own) {
                if (request != null) {
                    MDC.put(CORRELATION_ID, request);
                    MDC.remove(REQUEST_ID);
                } else {
                    MDC.remove(CORRELATION_ID);
                }
            }
        }
    }

    private static boolean routine(EventKind kind) {
        return kind == EventKind.SUBMITTED || kind == EventKind.CLAIMED || kind == EventKind.COMPLETED;
    }
}
