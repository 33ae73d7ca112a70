package io.shepherd.runtime.store;

import io.shepherd.runtime.core.EventKind;
import io.shepherd.runtime.core.JobLog;

/** One transition of one job, with why it happened ({@code reason}, see {@code core.Reasons}). */
public record JobEvent(String jobId, long at, EventKind kind, String reason, String botId, int attempt) {
    /** Writes this event's log line (once its transaction committed). */
    public void log(String type, String correlationId) {
        JobLog.event(new JobLog.Job(jobId, type, attempt, correlationId), kind, reason, botId);
    }
}
