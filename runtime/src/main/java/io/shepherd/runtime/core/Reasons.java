package io.shepherd.runtime.core;

/**
 * Why a job event happened. Reasons are open-ended text (a refusal names the action it refused),
 * so they are words, not an enum; these are the ones the runtime writes itself.
 */
public final class Reasons {
    public static final String SUBMITTED = "submitted";
    public static final String CLAIMED = "claimed";
    public static final String COMPLETED = "completed";
    public static final String LEASE_EXPIRED = "lease-expired";
    public static final String TIMED_OUT = "timed-out";
    public static final String REVOKED = "revoked";
    public static final String BOT_RESTARTED = "bot-restarted";
    public static final String BOT_RESET = "bot-reset";
    public static final String DEREGISTERED = "deregistered";
    public static final String RELEASED = "released";
    public static final String ERROR = "error";
    public static final String NOT_RETRYABLE = "not-retryable";
    public static final String ATTEMPTS_EXHAUSTED = "attempts-exhausted";
    public static final String POLICY = "policy-decided";
    public static final String CANCELLED = "cancelled";
    public static final String ADMIN_RETRY = "admin-retry";

    private Reasons() {
    }

    /** A report refused because its lease token was stale, e.g. {@code stale-lease:complete}. */
    public static String staleLease(String action) {
        return "stale-lease:" + action;
    }
}
