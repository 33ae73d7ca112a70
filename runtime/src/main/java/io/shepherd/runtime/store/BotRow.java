package io.shepherd.runtime.store;

import java.util.List;

import io.shepherd.runtime.core.BotStatus;

/**
 * One bot. {@code jobs} is never stored: it is read from the jobs the bot holds, so it cannot
 * disagree with them. {@code labels} is a JSON object as text. {@code drain}: an operator asked
 * it to take no work, until undrained (its restarts keep the wish). {@code sessionStartedAt}: when
 * its current session began (null for a bot registered before it was recorded, or without one).
 */
public record BotRow(String id,
                     String name,
                     List<String> types,
                     String labels,
                     BotStatus status,
                     String session,
                     long lastHeartbeatAt,
                     long registeredAt,
                     boolean drain,
                     Long sessionStartedAt,
                     List<String> jobs) {

    public BotRow {
        types = List.copyOf(types);
    }

    public BotRow withJobs(List<String> held) {
        return new BotRow(id, name, types, labels, status, session, lastHeartbeatAt, registeredAt, drain, sessionStartedAt,
                held);
    }

    /** What the API shows: a live bot that holds jobs is busy. */
    public BotStatus effectiveStatus() {
        return status == BotStatus.IDLE && !jobs.isEmpty() ? BotStatus.BUSY : status;
    }
}
