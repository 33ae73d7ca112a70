package io.shepherd.plugins.api;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The operator's settings for one job type (or the default), from the policies YAML.
 *
 * @param maxAttempts       attempts a job of this type gets when it does not say
 * @param backoff           delays between attempts
 * @param onExhausted       {@code dead} (default) or {@code retry} (keep retrying at the longest delay)
 * @param options           any other keys under the type, for plugin policies of their own
 */
public record PolicySettings(int maxAttempts, Backoff backoff, String onExhausted, Map<String, String> options) {
    public static final String DEAD = "dead";
    public static final String RETRY = "retry";

    public PolicySettings {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("max-attempts must be at least 1, was " + maxAttempts);
        }
        if (backoff == null) {
            throw new IllegalArgumentException("backoff is required");
        }
        if (!DEAD.equals(onExhausted) && !RETRY.equals(onExhausted)) {
            throw new IllegalArgumentException("on-exhausted must be dead or retry, was " + onExhausted);
        }
        options = Map.copyOf(options);
    }

    public static PolicySettings defaults() {
        return new PolicySettings(5, Backoff.defaults(), DEAD, Map.of());
    }

    public Optional<String> option(String key) {
        return Optional.ofNullable(options.get(key));
    }

    /**
     * Exponential backoff with jitter: {@code initial × multiplier^(attempt-1)}, capped at
     * {@code max}, then moved up or down by up to {@code jitter} (a fraction) so that retries of
     * many jobs spread out.
     */
    public record Backoff(Duration initial, double multiplier, Duration max, double jitter) {
        public Backoff {
            if (initial == null || max == null || initial.isNegative() || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("backoff needs 0 <= initial <= max, was initial " + initial
                        + ", max " + max);
            }
            if (!(multiplier >= 1)) {
                throw new IllegalArgumentException("backoff multiplier must be at least 1, was " + multiplier);
            }
            if (!(jitter >= 0 && jitter < 1)) {
                throw new IllegalArgumentException("backoff jitter must be in [0, 1), was " + jitter);
            }
        }

        /** 1 s × 2ⁿ, at most 5 min, ±20 %. */
        public static Backoff defaults() {
            return new Backoff(Duration.ofSeconds(1), 2.0, Duration.ofMinutes(5), 0.2);
        }

        /** The delay before retrying after the given (1-based) attempt ended. */
        public long delayMillis(int attempt, java.util.random.RandomGenerator random) {
            double base = initial.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
            double capped = Math.min(base, max.toMillis());
            double factor = jitter == 0 ? 1 : 1 + (random.nextDouble() * 2 - 1) * jitter;
            return Math.round(capped * factor);
        }

        /** The longest delay, with jitter. */
        public long maxDelayMillis(java.util.random.RandomGenerator random) {
            double factor = jitter == 0 ? 1 : 1 + (random.nextDouble() * 2 - 1) * jitter;
            return Math.round(max.toMillis() * factor);
        }
    }
}
