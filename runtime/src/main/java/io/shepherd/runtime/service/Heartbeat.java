package io.shepherd.runtime.service;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

import io.shepherd.runtime.auth.Caller;
import io.shepherd.runtime.store.BotRow;
import io.shepherd.runtime.store.Stores;

/**
 * A bot says it is alive: its session is checked, every lease it holds is extended in one
 * statement, and it learns which of its jobs were cancelled and whether to drain.
 */
public final class Heartbeat {
    private final Stores stores;
    private final Clock clock;
    private final Settings settings;

    public Heartbeat(Stores stores, Clock clock, Settings settings) {
        this.stores = stores;
        this.clock = clock;
        this.settings = settings;
    }

    public record Answer(long leaseExpiresAt, List<String> cancel, boolean drain) {
    }

    public Answer beat(Caller caller, String botId, String session) {
        caller.requireBot(botId);
        if (session == null || session.isBlank()) {
            throw Problem.badRequest("session is required");
        }
        long now = clock.millis();
        long leaseExpiresAt = now + settings.leaseTtl().toMillis();
        return stores.database().inTransaction(tx -> {
            Optional<String> status = stores.bots().heartbeat(tx, botId, session, now);
            if (status.isEmpty()) {
                BotRow bot = stores.bots().find(tx, botId).orElseThrow(() -> Problem.notFound("No bot " + botId));
                throw Problem.conflict("Session " + session + " of bot " + bot.id()
                        + " was superseded; stop work and open a new session");
            }
            stores.jobs().extendLeases(tx, botId, session, leaseExpiresAt);
            List<String> cancelled = stores.jobs().takeCancelled(tx, botId);
            return new Answer(leaseExpiresAt, cancelled, "draining".equals(status.get()));
        });
    }
}
