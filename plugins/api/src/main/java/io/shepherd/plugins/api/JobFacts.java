package io.shepherd.plugins.api;

/**
 * What a recovery policy knows about the job it decides for.
 *
 * @param id          the job's id
 * @param type        its type, e.g. {@code email}
 * @param queue       its queue
 * @param attempt     the attempt that just ended (1 for the first)
 * @param maxAttempts the attempts the job was given
 * @param reason      why the attempt ended: {@code lease-expired} (its bot went silent),
 *                    {@code timed-out} (it ran longer than the job's timeout) or {@code failed}
 *                    (its bot reported a retryable failure)
 */
public record JobFacts(String id, String type, String queue, int attempt, int maxAttempts, String reason) {
    public static final String LEASE_EXPIRED = "lease-expired";
    public static final String TIMED_OUT = "timed-out";
    public static final String FAILED = "failed";

    /** Whether this was the last attempt the job was given. */
    public boolean exhausted() {
        return attempt >= maxAttempts;
    }
}
