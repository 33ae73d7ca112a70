package io.shepherd.bot;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import io.helidon.faulttolerance.Retry;

/**
 * {@code initial × 2ⁿ}, at most {@code max}, ±20 % jitter; {@code calls} attempts in all. Used as
 * Helidon's retry policy and for the unlimited wait at start.
 */
final class ExponentialBackoff implements Retry.RetryPolicy {
    private final Duration initial;
    private final Duration max;
    private final int calls;

    ExponentialBackoff(Duration initial, Duration max, int calls) {
        this.initial = initial;
        this.max = max;
        this.calls = calls;
    }

    /** The delay before the given retry (1 for the first retry). */
    long delayMillis(int retry) {
        double base = Math.min(initial.toMillis() * Math.pow(2, Math.max(0, retry - 1)), max.toMillis());
        return Math.round(base * (0.8 + ThreadLocalRandom.current().nextDouble() * 0.4));
    }

    @Override
    public Optional<Long> nextDelayMillis(long firstCallMillis, long lastDelay, int call) {
        // call counts the calls made so far (1 after the first); the next one is retry number `call`
        return call >= calls ? Optional.empty() : Optional.of(delayMillis(call));
    }
}
