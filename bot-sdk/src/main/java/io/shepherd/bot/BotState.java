package io.shepherd.bot;

import java.util.List;
import java.util.Map;

/**
 * A snapshot of what the SDK is doing, for the bot's own health checks and logs.
 *
 * @param phase       where in its life the bot is
 * @param botId       its id (null before it registered)
 * @param session     its current session
 * @param server      the runtime URL it last talked to successfully
 * @param circuits    each runtime URL's circuit breaker: CLOSED, OPEN or HALF_OPEN
 * @param retries     calls retried so far
 * @param currentJobs ids of the jobs its handlers are working on
 */
public record BotState(Phase phase, String botId, String session, String server, Map<String, String> circuits,
                       long retries, List<String> currentJobs) {
    public enum Phase {
        /** Waiting for a runtime to be ready. */
        WAITING,
        /** Registered or resumed, claiming and working. */
        RUNNING,
        /** Shutting down, or drained by an operator: no new claims, finishing what it holds. */
        DRAINING,
        /** Drained by an operator and idle: heartbeating, holding nothing, claiming again once undrained. */
        DRAINED,
        /** Stopped after a graceful shutdown. */
        STOPPED,
        /** Stopped because another process with the same identity opened a newer session. */
        SUPERSEDED,
        /** Stopped because an admin revoked this bot: its token no longer works. */
        REVOKED
    }
}
