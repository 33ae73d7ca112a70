package io.shepherd.bot;

import jakarta.json.JsonValue;

/** What a running handler may ask of, or tell, the SDK. */
public interface JobContext {
    /** True once the runtime cancelled this job (the handler's thread is interrupted too). */
    boolean cancelled();

    /** The correlation id sent with this job's requests, for the handler's own log lines. */
    String correlationId();

    /** Progress to report with the next heartbeat (any JSON). */
    void progress(JsonValue progress);
}
