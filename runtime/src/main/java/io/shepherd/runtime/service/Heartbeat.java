package io.shepherd.runtime.service;

import java.time.Clock;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.shepherd.runtime.auth.Caller;
import io.shepherd.runtime.core.Limits;
import io.shepherd.runtime.core.Problem;
import io.shepherd.runtime.core.Settings;
import io.shepherd.runtime.store.BotRow;
import io.shepherd.runtime.store.BotStore;
import io.shepherd.runtime.store.Stores;

/**
 * A bot says it is alive: the beat (one statement, committed on its own) checks its session;
 * then the leases of the jobs it works on are extended in one statement, and it learns which of
 * its jobs were cancelled, which it no longer holds, and whether to drain. An idle bot with
 * nothing cancelled costs the beat alone.
 *
 * <p>A bot that names the jobs it works on heals phantom claims: a job the runtime believes it
 * holds but it does not know of (the claim's answer was lost, or it gave up reporting) is not
 * extended, so its lease runs out and recovery hands it on. A bot that names none (older
 * clients, {@code curl}) keeps every lease it holds.
 */
public final class Heartbeat {
    private final Stores stores;
    private final Clock clock;
    private final Settings settings;
    private final Limits limits;

    public Heartbeat(Stores stores, Clock clock, Settings settings, Limits limits) {
        this.stores = stores;
        this.clock = clock;
        this.settings = settings;
        this.limits = limits;
    }

    /** {@code lost}: jobs the bot named that it no longer holds (recovered, reset, cancelled, finished). */
    public record Answer(long leaseExpiresAt, List<String> cancel, List<String> lost, boolean drain) {
    }

    /** The most jobs one heartbeat may name: a bot runs at most 100 at once (claim max), with room to spare. */
    public static final int MAX_JOBS = 1000;

    /**
     * @param jobs     the jobs the bot works on, or null to extend every lease it holds
     * @param progress what the bot says of each job's progress (JSON text by job id): kept on
     *                 those jobs it holds under this session, latest wins; one over
     *                 {@code limits.max-progress} refuses the beat (413) before anything changes
     */
    public Answer beat(Caller caller, String botId, String session, List<String> jobs, Map<String, String> progress) {
        caller.requireBot(botId);
        if (session == null || session.isBlank()) {
            throw Problem.badRequest("session is required");
        }
        if (jobs != null && jobs.size() > MAX_JOBS) {
            throw Problem.badRequest("jobs names " + jobs.size() + " jobs; at most " + MAX_JOBS + " are allowed");
        }
        List<String> named = jobs == null ? null : List.copyOf(new LinkedHashSet<>(jobs));
        progress.forEach((id, json) -> Limits.requireFits("progress of job " + id, json, limits.progress()));
        long now = clock.millis();
        long leaseExpiresAt = now + settings.leaseTtl().toMillis();
        // the beat itself: one statement, committed on its own
        BotStore.Beat beat = stores.bots().heartbeat(stores.database().execute(), botId, session, now).orElseThrow(() -> {
            BotRow bot = stores.bots().find(stores.database().execute(), botId)
                    .orElseThrow(() -> Problem.notFound("No bot " + botId));
            return Problem.conflict("Session " + session + " of bot " + bot.id()
                    + " was superseded; stop work and open a new session");
        });
        boolean draining = beat.drain();
        if (named != null && named.isEmpty() && !beat.cancelsPending()) {
            return new Answer(leaseExpiresAt, List.of(), List.of(), draining); // an idle bot: nothing more to do
        }
        return stores.database().inTransaction(tx -> {
            List<String> cancelled = List.of();
            if (beat.cancelsPending()) {
                // clearing the flag first locks the bot's row: a cancellation that flagged it has
                // committed by then and is seen below; a later one flags it again for the next beat
                stores.bots().clearCancels(tx, botId);
                cancelled = stores.jobs().takeCancelled(tx, botId);
            }
            List<String> lost = List.of();
            if (named == null) {
                stores.jobs().extendLeases(tx, botId, session, leaseExpiresAt);
            } else if (!named.isEmpty()) {
                Set<String> held = new HashSet<>(stores.jobs().extendLeases(tx, botId, session, named, leaseExpiresAt));
                lost = named.stream().filter(id -> !held.contains(id)).toList();
            }
            stores.jobs().recordProgress(tx, botId, session, progress);
            if (!cancelled.isEmpty() && !lost.isEmpty()) {
                // a cancelled job is told as cancelled, not as lost
                Set<String> told = new HashSet<>(cancelled);
                lost = lost.stream().filter(id -> !told.contains(id)).toList();
            }
            return new Answer(leaseExpiresAt, cancelled, lost, draining);
        });
    }
}
