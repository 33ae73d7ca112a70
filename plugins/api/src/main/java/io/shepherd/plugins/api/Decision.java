package io.shepherd.plugins.api;

/**
 * What a recovery policy decided: run the job again after {@code delayMs}, or give up on it
 * ({@code dead}: kept, visible, retryable by an admin).
 */
public record Decision(Action action, long delayMs) {
    public enum Action {
        REQUEUE,
        DEAD
    }

    public Decision {
        if (action == null) {
            throw new IllegalArgumentException("action is required");
        }
        if (delayMs < 0) {
            throw new IllegalArgumentException("delayMs must not be negative, was " + delayMs);
        }
    }

    public static Decision requeue(long delayMs) {
        return new Decision(Action.REQUEUE, delayMs);
    }

    public static Decision dead() {
        return new Decision(Action.DEAD, 0);
    }
}
