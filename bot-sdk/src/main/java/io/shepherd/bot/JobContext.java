package io.shepherd.bot;

import jakarta.json.JsonValue;

/** What a running handler may ask of, or tell, the SDK. */
public interface JobContext {
    /** True once the runtime cancelled this job (the handler's thread is interrupted too). */
    boolean cancelled();

    /**
     * The job's correlation id — the one its submitter's request carried, so one id finds the
     * submission, the claim, this handler's lines and the outcome. It is in the handler thread's
     * log context (SLF4J MDC {@code correlationId}, with {@code jobId}) while the handler runs, and
     * on every request the SDK makes about the job.
     */
    String correlationId();

    /**
     * Progress to report with the next heartbeat (any JSON of up to 4 KB; latest wins): the
     * runtime keeps it on the job, where {@code GET /v1/jobs/{id}} and {@code shepherd jobs}
     * show it. Throws {@link IllegalArgumentException} for a larger value.
     */
    void progress(JsonValue progress);
}
