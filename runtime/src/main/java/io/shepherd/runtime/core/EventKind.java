package io.shepherd.runtime.core;

/** What happened to a job, as its events record it; the reason ({@link Reasons}) says why. */
public enum EventKind {
    SUBMITTED("submitted"),
    CLAIMED("claimed"),
    COMPLETED("completed"),
    /** An attempt reported failed and handed back to be tried again. */
    FAILED("failed"),
    DEAD_LETTERED("dead-lettered"),
    RELEASED("released"),
    CANCELLED("cancelled"),
    RETRIED("retried"),
    /** An expired lease rescued by recovery and handed back to be tried again. */
    REQUEUED("requeued"),
    /** A complete, fail or release refused because its lease token was stale (the reason says which). */
    REFUSED("refused");

    private final String wire;

    EventKind(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** The kind spelled as on the wire; throws {@link IllegalArgumentException} for anything else. */
    public static EventKind of(String wire) {
        for (EventKind kind : values()) {
            if (kind.wire.equals(wire)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("no event kind " + wire);
    }
}
