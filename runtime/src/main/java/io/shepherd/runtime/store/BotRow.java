package io.shepherd.runtime.store;

import java.util.List;

/**
 * One bot. {@code jobs} is never stored: it is read from the jobs the bot holds, so it cannot
 * disagree with them.
 */
public record BotRow(String id,
                     String name,
                     String types,
                     String labels,
                     String status,
                     String session,
                     long lastHeartbeatAt,
                     long registeredAt,
                     List<String> jobs) {

    public BotRow withJobs(List<String> held) {
        return new BotRow(id, name, types, labels, status, session, lastHeartbeatAt, registeredAt, held);
    }

    /** What the API shows: a live bot that holds jobs is busy. */
    public String effectiveStatus() {
        return "idle".equals(status) && !jobs.isEmpty() ? "busy" : status;
    }
}
