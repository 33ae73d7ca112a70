package io.shepherd.runtime.auth;

import io.shepherd.runtime.core.Problem;

/**
 * Who sent a request: a role and, for a bot token, which bot. {@code actor} names the caller in
 * the record of operator actions and in logs without giving the token away: the role and the
 * token's fingerprint ({@link Tokens#fingerprint}), e.g. {@code admin:3f2a9c0d1e4b}.
 */
public record Caller(Role role, String botId, String actor) {
    /** An admin acting from inside the runtime (the CLI on the same machine, a test). */
    public static Caller admin() {
        return new Caller(Role.ADMIN, null, "admin:local");
    }

    public static Caller of(Role role, String token) {
        return new Caller(role, null, role.name().toLowerCase(java.util.Locale.ROOT) + ":" + Tokens.fingerprint(token));
    }

    public static Caller bot(String botId) {
        return new Caller(Role.BOT, botId, "bot:" + botId);
    }

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }

    /** Admins and clients may read, submit and cancel jobs. */
    public void requireClient() {
        if (role != Role.ADMIN && role != Role.CLIENT) {
            throw Problem.forbidden("This needs a client or admin token; this token's role is " + name());
        }
    }

    /**
     * Reading jobs and their events, counts, queues and schedules: admins, clients and viewers.
     */
    public void requireClientOrViewer() {
        if (role != Role.ADMIN && role != Role.CLIENT && role != Role.VIEWER) {
            throw Problem.forbidden("This needs a client, viewer or admin token; this token's role is " + name());
        }
    }

    /** Reading what only operators see (bots, plugins, recovery, the record of actions): admins and viewers. */
    public void requireOperatorView() {
        if (role != Role.ADMIN && role != Role.VIEWER) {
            throw Problem.forbidden("This needs an admin or viewer token; this token's role is " + name());
        }
    }

    public void requireAdmin() {
        if (role != Role.ADMIN) {
            throw Problem.forbidden("This needs an admin token; this token's role is " + name());
        }
    }

    public void requireEnroll() {
        if (role != Role.ADMIN && role != Role.ENROLL) {
            throw Problem.forbidden("Registering a bot needs an enroll token; this token's role is " + name());
        }
    }

    /** The bot itself, or an admin. */
    public void requireBot(String id) {
        if (role == Role.ADMIN) {
            return;
        }
        if (role != Role.BOT) {
            throw Problem.forbidden("This needs the bot's own token; this token's role is " + name());
        }
        if (!botId.equals(id)) {
            throw Problem.forbidden("A bot token acts only on its own bot");
        }
    }

    /** Reading a bot: the bot itself, an admin, or a viewer. */
    public void requireBotOrViewer(String id) {
        if (role != Role.VIEWER) {
            requireBot(id);
        }
    }

    /** Any bot token, or an admin; which job it may touch is checked against the job's holder. */
    public void requireAnyBot() {
        if (role != Role.ADMIN && role != Role.BOT) {
            throw Problem.forbidden("This needs a bot token; this token's role is " + name());
        }
    }

    private String name() {
        return role.name().toLowerCase(java.util.Locale.ROOT);
    }
}
