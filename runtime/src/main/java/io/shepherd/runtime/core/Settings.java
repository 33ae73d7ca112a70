package io.shepherd.runtime.core;

import java.time.Duration;

/**
 * The rules' numbers, validated once when the runtime is built. Attempts and backoff are the
 * recovery policies' (see {@code policy.Policies}).
 *
 * @param leaseTtl          how long a claim lasts without a heartbeat
 * @param heartbeatInterval how often bots are told to heartbeat
 * @param maxWait           longest long poll a claim may ask for
 * @param lostAfter         how long a bot may stay silent (no heartbeat, no long poll) before it is lost
 */
public record Settings(Duration leaseTtl, Duration heartbeatInterval, Duration maxWait, Duration lostAfter) {
    public Settings {
        if (leaseTtl.isNegative() || leaseTtl.isZero()) {
            throw new IllegalArgumentException("lease.ttl must be positive, was " + leaseTtl);
        }
        if (heartbeatInterval.isNegative() || heartbeatInterval.isZero() || heartbeatInterval.compareTo(leaseTtl) >= 0) {
            throw new IllegalArgumentException("heartbeat.interval must be positive and shorter than lease.ttl ("
                    + leaseTtl + "), was " + heartbeatInterval);
        }
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("claim.max-wait must not be negative, was " + maxWait);
        }
        if (lostAfter.isNegative() || lostAfter.isZero()) {
            throw new IllegalArgumentException("bots.lost-after must be positive, was " + lostAfter);
        }
    }

    public static Settings defaults() {
        return new Settings(Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(30));
    }

    /**
     * How long the runtime holds one long poll. A claim that finds nothing counts as the bot's
     * heartbeat (when it starts, so a bot that died mid-poll is still lost on time), so polls must
     * end often enough for a bot that only polls to stay live: {@code lost-after} less some slack
     * for the next poll to arrive — a heartbeat interval, at least a sixth of {@code lost-after}
     * and at most half of it — and never beyond {@code max-wait}. The defaults give 25 s.
     */
    public Duration longestPoll() {
        Duration slack = max(heartbeatInterval, lostAfter.dividedBy(6));
        Duration half = lostAfter.dividedBy(2);
        Duration held = lostAfter.minus(slack.compareTo(half) < 0 ? slack : half);
        return held.compareTo(maxWait) < 0 ? held : maxWait;
    }

    /**
     * How often the heartbeats of long polls that did not look are written, all at once: within a
     * quarter of the slack a bot has between its polls ({@code lost-after} less the longest poll),
     * at most a second.
     */
    public Duration quietBeatsEvery() {
        Duration quarter = lostAfter.minus(longestPoll()).dividedBy(4);
        return quarter.compareTo(Duration.ofSeconds(1)) < 0 ? quarter : Duration.ofSeconds(1);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
