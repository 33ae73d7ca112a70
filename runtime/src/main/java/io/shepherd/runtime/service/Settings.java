package io.shepherd.runtime.service;

import java.time.Duration;

/**
 * The rules' numbers, validated once when the runtime is built.
 *
 * @param leaseTtl           how long a claim lasts without a heartbeat
 * @param heartbeatInterval  how often bots are told to heartbeat
 * @param defaultMaxAttempts attempts a job gets when it does not say
 * @param backoff            delay before a failed attempt is retried
 * @param maxWait            longest long poll a claim may ask for
 */
public record Settings(Duration leaseTtl, Duration heartbeatInterval, int defaultMaxAttempts, Backoff backoff,
                       Duration maxWait) {
    public Settings {
        if (leaseTtl.isNegative() || leaseTtl.isZero()) {
            throw new IllegalArgumentException("lease.ttl must be positive, was " + leaseTtl);
        }
        if (heartbeatInterval.isNegative() || heartbeatInterval.isZero() || heartbeatInterval.compareTo(leaseTtl) >= 0) {
            throw new IllegalArgumentException("heartbeat.interval must be positive and shorter than lease.ttl ("
                    + leaseTtl + "), was " + heartbeatInterval);
        }
        if (defaultMaxAttempts < 1) {
            throw new IllegalArgumentException("jobs.max-attempts must be at least 1, was " + defaultMaxAttempts);
        }
    }

    public static Settings defaults() {
        return new Settings(Duration.ofSeconds(30), Duration.ofSeconds(5), 5, Backoff.defaults(), Duration.ofSeconds(30));
    }
}
