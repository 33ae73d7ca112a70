package io.shepherd.runtime.service;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import io.shepherd.runtime.auth.Caller;
import io.shepherd.runtime.core.EventKind;
import io.shepherd.runtime.core.JobLog;
import io.shepherd.runtime.core.Problem;
import io.shepherd.runtime.core.Reasons;
import io.shepherd.runtime.metrics.RuntimeMetrics;
import io.shepherd.runtime.store.BotRow;
import io.shepherd.runtime.store.JobEvent;
import io.shepherd.runtime.store.ReleasedJob;
import io.shepherd.runtime.store.Stores;
import io.shepherd.runtime.wake.JobSignal;

/**
 * The ways a bot lets go of everything it holds at once: a restarted process opens a new
 * session (the old one is superseded), a stuck bot is reset, a leaving bot deregisters.
 */
public final class BotSessions {
    private final Stores stores;
    private final JobSignal signal;
    private final Clock clock;

    private final RuntimeMetrics metrics;
    private final OperatorActions actions;
    private final Consumer<String> revoked;

    /** {@code revoked} hears of each bot revoked here, so that its token is refused at once. */
    public BotSessions(Stores stores, JobSignal signal, Clock clock, RuntimeMetrics metrics, OperatorActions actions,
                       Consumer<String> revoked) {
        this.metrics = metrics;
        this.actions = actions;
        this.revoked = revoked;
        this.stores = stores;
        this.signal = signal;
        this.clock = clock;
    }

    public record Opened(String session, List<String> released) {
    }

    /** A (re)started bot: every job held under an earlier session goes back at once. */
    public Opened openSession(Caller caller, String botId) {
        caller.requireBot(botId);
        long now = clock.millis();
        String session = UUID.randomUUID().toString();
        List<ReleasedJob> released = stores.database().inTransaction(tx -> {
            stores.bots().findForUpdate(tx, botId).orElseThrow(() -> Problem.notFound("No bot " + botId));
            stores.bots().openSession(tx, botId, session, now);
            return releaseAll(tx, botId, 0, Reasons.BOT_RESTARTED, now);
        });
        log(released, Reasons.BOT_RESTARTED, botId);
        count(released, Reasons.BOT_RESTARTED);
        wake(released, now);
        return new Opened(session, released.stream().map(ReleasedJob::id).toList());
    }

    /**
     * Clears whatever the bot holds; the interrupted attempts count. Reset by an admin also lets a
     * quarantined bot claim again.
     */
    public List<String> reset(Caller caller, String botId) {
        caller.requireBot(botId);
        long now = clock.millis();
        List<ReleasedJob> released = stores.database().inTransaction(tx -> {
            stores.bots().findForUpdate(tx, botId).orElseThrow(() -> Problem.notFound("No bot " + botId));
            if (caller.isAdmin()) {
                stores.bots().liftQuarantine(tx, botId);
                actions.record(tx, caller, "bot.reset", botId, null);
            }
            return releaseAll(tx, botId, 0, Reasons.BOT_RESET, now);
        });
        if (caller.isAdmin()) {
            OperatorActions.log(caller, "bot.reset", botId, released.size() + " job(s) released");
        }
        log(released, Reasons.BOT_RESET, botId);
        count(released, Reasons.BOT_RESET);
        wake(released, now);
        return released.stream().map(ReleasedJob::id).toList();
    }

    /** The bot leaves: its jobs go back without counting an attempt, and it goes offline. */
    public void deregister(Caller caller, String botId) {
        caller.requireBot(botId);
        long now = clock.millis();
        List<ReleasedJob> released = stores.database().inTransaction(tx -> {
            BotRow bot = stores.bots().findForUpdate(tx, botId).orElseThrow(() -> Problem.notFound("No bot " + botId));
            stores.bots().goOffline(tx, bot.id());
            return releaseAll(tx, botId, 1, Reasons.DEREGISTERED, now);
        });
        log(released, Reasons.DEREGISTERED, botId);
        wake(released, now);
    }

    /**
     * An admin revokes the bot: its token stops working (here at once, on other replicas within a
     * second), its session ends, its jobs go back without counting an attempt, and its row stays
     * for the record until retention prunes it. The same process can only come back by enrolling
     * again, as a new bot. Answers the released jobs' ids.
     */
    public List<String> revoke(Caller caller, String botId) {
        caller.requireAdmin();
        long now = clock.millis();
        List<ReleasedJob> released = stores.database().inTransaction(tx -> {
            stores.bots().findForUpdate(tx, botId).orElseThrow(() -> Problem.notFound("No bot " + botId));
            if (!stores.bots().revoke(tx, botId, now)) {
                throw Problem.conflict("Bot " + botId + " is already revoked");
            }
            List<ReleasedJob> jobs = releaseAll(tx, botId, 1, Reasons.REVOKED, now);
            actions.record(tx, caller, "bot.revoke", botId, jobs.size() + " job(s) released");
            return jobs;
        });
        revoked.accept(botId);
        OperatorActions.log(caller, "bot.revoke", botId, released.size() + " job(s) released");
        log(released, Reasons.REVOKED, botId);
        wake(released, now);
        return released.stream().map(ReleasedJob::id).toList();
    }

    private List<ReleasedJob> releaseAll(io.helidon.dbclient.DbExecute tx, String botId, int refund, String reason,
                                         long now) {
        List<ReleasedJob> released = stores.jobs().releaseHeldBy(tx, botId, refund, now);
        List<JobEvent> events = new ArrayList<>(released.size());
        for (ReleasedJob job : released) {
            events.add(new JobEvent(job.id(), now, job.dead() ? EventKind.DEAD_LETTERED : EventKind.RELEASED, reason, botId,
                    job.attempt()));
        }
        stores.jobs().recordEvents(tx, events);
        return released;
    }

    private static void log(List<ReleasedJob> released, String reason, String botId) {
        released.forEach(job -> JobLog.event(job.logged(), job.dead() ? EventKind.DEAD_LETTERED : EventKind.RELEASED,
                reason, botId));
    }

    private void count(List<ReleasedJob> released, String reason) {
        metrics.orphaned(reason, released.size());
        metrics.dead(released.stream().filter(ReleasedJob::dead).count());
    }

    private void wake(List<ReleasedJob> released, long now) {
        Map<String, Long> due = new HashMap<>();
        released.stream().filter(j -> !j.dead()).forEach(j -> due.put(j.type(), now));
        signal.jobsAvailable(due, now);
    }
}
