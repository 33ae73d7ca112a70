package io.shepherd.runtime.store;

import io.shepherd.runtime.core.EventKind;

/** One transition of one job, with why it happened ({@code reason}, see {@code core.Reasons}). */
public record JobEvent(String jobId, long at, EventKind kind, String reason, String botId, int attempt) {
}
