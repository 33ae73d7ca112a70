package io.shepherd.runtime.auth;

/** What a token lets its bearer do. */
public enum Role {
    /** Everything. */
    ADMIN,
    /** Submit, read and cancel jobs. */
    CLIENT,
    /** Register bots. */
    ENROLL,
    /** Act as one bot, on the jobs it holds. */
    BOT,
    /** Read everything an admin can read (the console's read-only sign-in); change nothing. */
    VIEWER
}
