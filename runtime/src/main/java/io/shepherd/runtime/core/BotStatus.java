package io.shepherd.runtime.core;

import java.util.Locale;

/** Where a bot is in its life; {@link #wire()} is how the API, the database and the logs spell it. */
public enum BotStatus {
    /** Live, with a current session. */
    IDLE,
    /** Live and holding jobs: never stored, derived from the jobs table ({@link #IDLE} with jobs). */
    BUSY,
    /** An operator asked it to take no work: it finishes or gives back what it holds, and claims nothing. */
    DRAINING,
    /** Silent for longer than {@code bots.lost-after}; a heartbeat or a new session brings it back. */
    LOST,
    /** Its latest attempts all failed: it claims nothing until it restarts or an admin resets it. */
    QUARANTINED,
    /** Deregistered: its session ended. */
    OFFLINE,
    /** An admin revoked it: its token is dead and its jobs were given back; kept for the record until pruned. */
    REVOKED;

    private final String wire = name().toLowerCase(Locale.ROOT);

    public String wire() {
        return wire;
    }

    /** The status spelled as on the wire; throws {@link IllegalArgumentException} for anything else. */
    public static BotStatus of(String wire) {
        for (BotStatus status : values()) {
            if (status.wire.equals(wire)) {
                return status;
            }
        }
        throw new IllegalArgumentException("no bot status " + wire);
    }
}
