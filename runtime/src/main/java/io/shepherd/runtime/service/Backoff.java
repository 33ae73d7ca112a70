package io.shepherd.runtime.service;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter: {@code initial × multiplier^(attempt-1)}, capped at {@code max},
 * then moved up or down by up to {@code jitter} (a fraction) so retries of many jobs spread out.
 */
public record Backoff(Duration initial, double multiplier, Duration max, double jitter) {
    public Backoff {
        if (initial.isNegative() || max.compareTo(initial) < 0 || multiplier < 1 || jitter < 0 || jitter >= 1) {
            throw new IllegalArgumentException("Invalid backoff: initial " + initial + ", multiplier " + multiplier
                    + ", max " + max + ", jitter " + jitter);
        }
    }

    public static Backoff defaults() {
        return new Backoff(Duration.ofSeconds(1), 2.0, Duration.ofMinutes(5), 0.2);
    }

    /** The delay before retrying after the given (1-based) attempt failed. */
    public long delayMillis(int attempt, RandomGenerator random) {
        double base = initial.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
        double capped = Math.min(base, max.toMillis());
        double factor = jitter == 0 ? 1 : 1 + (random.nextDouble() * 2 - 1) * jitter;
        return Math.round(capped * factor);
    }
}
