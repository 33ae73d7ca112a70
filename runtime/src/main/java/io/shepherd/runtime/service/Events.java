package io.shepherd.runtime.service;

/** The words job events are written with: what happened ({@code kind}) and why ({@code reason}). */
public final class Events {
    public static final String SUBMITTED = "submitted";
    public static final String CLAIMED = "claimed";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";
    public static final String DEAD_LETTERED = "dead-lettered";
    public static final String RELEASED = "released";
    public static final String CANCELLED = "cancelled";
    public static final String RETRIED = "retried";
    public static final String REQUEUED = "requeued";
    /** A complete, fail or release refused because its lease token was stale (reason says which). */
    public static final String REFUSED = "refused";

    public static final String REASON_LEASE_EXPIRED = "lease-expired";
    public static final String REASON_BOT_RESTARTED = "bot-restarted";
    public static final String REASON_BOT_RESET = "bot-reset";
    public static final String REASON_DEREGISTERED = "deregistered";
    public static final String REASON_RELEASED = "released";
    public static final String REASON_ERROR = "error";
    public static final String REASON_NOT_RETRYABLE = "not-retryable";
    public static final String REASON_ATTEMPTS_EXHAUSTED = "attempts-exhausted";
    public static final String REASON_POLICY = "policy-decided";
    public static final String REASON_CANCELLED = "cancelled";
    public static final String REASON_ADMIN_RETRY = "admin-retry";

    private Events() {
    }
}
