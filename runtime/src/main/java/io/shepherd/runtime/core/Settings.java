package io.shepherd.runtime.core;

import java.time.Duration;

/**
 * The rules' numbers, validated once when the runtime is built. Attempts and backoff are the
 * recovery policies' (see {@code policy.Policies}).
 *
 * @param leaseTtl          how long a claim lasts without a heartbeat
 * @param heartbeatInterval how often bots are told to heartbeat
 * @param maxWait           longest long poll a claim may ask for
 */
public record Settings(Duration leaseTtl, Duration heartbeatInterval, Duration maxWait) {
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
    }

    public static Settings defaults() {
        return new Settings(Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(30));
    }
}
