package io.shepherd.runtime.core;

import java.util.Locale;

/** Where a job is in its life; {@link #wire()} is how the API, the database and the logs spell it. */
public enum JobStatus {
    /** Waiting to be claimed (from its {@code runAt} on). */
    PENDING,
    /** Held by a bot under a lease. */
    CLAIMED,
    COMPLETED,
    /** Out of attempts, or refused as not retryable: visible, retryable by an admin. */
    DEAD,
    CANCELLED;

    private final String wire = name().toLowerCase(Locale.ROOT);

    public String wire() {
        return wire;
    }

    /** The status spelled as on the wire; throws {@link IllegalArgumentException} for anything else. */
    public static JobStatus of(String wire) {
        for (JobStatus status : values()) {
            if (status.wire.equals(wire)) {
                return status;
            }
        }
        throw new IllegalArgumentException("no job status " + wire);
    }
}
