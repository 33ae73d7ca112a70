package io.shepherd.runtime.store;

/** One transition of one job, with why it happened. */
public record JobEvent(String jobId, long at, String kind, String reason, String botId, int attempt) {
}
