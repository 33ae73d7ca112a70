package io.shepherd.runtime.store;

import io.shepherd.runtime.core.JobLog;
import io.shepherd.runtime.core.JobStatus;

/** A job its bot let go of: its new status (pending, or dead when out of attempts) and the attempt it counts. */
public record ReleasedJob(String id, String type, int attempt, JobStatus status, String correlationId) {
    public boolean dead() {
        return status == JobStatus.DEAD;
    }

    public JobLog.Job logged() {
        return new JobLog.Job(id, type, attempt, correlationId);
    }
}
