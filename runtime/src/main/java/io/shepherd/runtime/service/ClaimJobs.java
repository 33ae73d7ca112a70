package io.shepherd.runtime.service;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.helidon.dbclient.DbClientException;
import io.shepherd.runtime.auth.Caller;
import io.shepherd.runtime.core.EventKind;
import io.shepherd.runtime.core.JobLog;
import io.shepherd.runtime.core.Names;
import io.shepherd.runtime.core.Problem;
import io.shepherd.runtime.core.Reasons;
import io.shepherd.runtime.core.Settings;
import io.shepherd.runtime.metrics.RuntimeMetrics;
import io.shepherd.runtime.store.BotRow;
import io.shepherd.runtime.store.JobRow;
import io.shepherd.runtime.store.JobStore;
import io.shepherd.runtime.store.Stores;
import io.shepherd.runtime.wake.JobSignal;

/**
 * Claims jobs for a bot: one statement locks and leases up to {@code max} jobs; when none are
 * claimable the call waits (up to {@code waitMs}) for a signal that jobs of its types arrived.
 * Paused queues are left out. A limited queue is claimed from apart, after the others, under its
 * row lock and only as far as its limit leaves room, so no two claims can overrun it.
 */
public final class ClaimJobs {
    public static final int MAX_JOBS = 100;
    /** How often the replica looks for work no signal told of, for all its waiting claimers at once. */
    public static final Duration FALLBACK_LOOK = Duration.ofSeconds(5);

    private final Stores stores;
    private final JobSignal signal;
    private final Clock clock;
    private final Settings settings;

    private final RuntimeMetrics metrics;
    private final Queues queues;
    private final Map<String, List<String>> registeredTypes = new ConcurrentHashMap<>();
    /** {@link Settings#longestPoll}, worked out once rather than on every claim. */
    private final long longestPollMillis;
    private final QuietPolls quietPolls;

    public ClaimJobs(Stores stores, JobSignal signal, Clock clock, Settings settings, RuntimeMetrics metrics,
                     Queues queues) {
        this.metrics = metrics;
        this.queues = queues;
        this.stores = stores;
        this.signal = signal;
        this.clock = clock;
        this.settings = settings;
        this.longestPollMillis = settings.longestPoll().toMillis();
        this.quietPolls = new QuietPolls(stores, signal, settings.heartbeatInterval().toNanos());
    }

    /**
     * Writes the heartbeats of the polls that did not look, for all of them at once (every
     * {@link Settings#quietBeatsEvery}, on the thread of the replica's fallback look).
     */
    public void writeQuietBeats() {
        quietPolls.write();
    }

    /** {@code types} null means the types the bot registered with. */
    public record Request(String botId, String session, int max, long waitMs, List<String> types) {
    }

    /**
     * What a claim took, and whether the bot is draining — told when the claim found nothing and
     * touched the bot (then it waited no longer), or when an operator drained it while it waited.
     */
    public record Claimed(List<JobRow> jobs, boolean drain) {
        static final Claimed NOTHING = new Claimed(List.of(), false);
    }

    /** A claim as {@code /claim} makes it: a draining bot's long poll waits it out (it cannot be told). */
    public List<JobRow> claim(Caller caller, Request request) {
        return claim(caller, request, false).jobs();
    }

    /**
     * Claims for the bot, waiting up to {@code waitMs} (held to {@link Settings#longestPoll}) for
     * work. A claim that finds nothing counts as the bot's heartbeat: one statement checks its
     * session (409 when superseded), marks it seen (a lost bot is live again) and reads whether it
     * drains — so an idle bot whose long polls keep coming needs no heartbeats of its own. With
     * {@code answerDrain}, a draining bot is answered at once and told; and a poll that follows at
     * once on the same bot's poll that ran out finding nothing, with nothing signalled for its types
     * since, waits without looking — its heartbeat (and session check, and drain) written with other
     * such polls' in one statement within a second ({@link QuietPolls}): idle bots' polls cost the
     * database nothing of their own.
     */
    public Claimed claim(Caller caller, Request request, boolean answerDrain) {
        return claim(caller, request, answerDrain, null);
    }

    /**
     * {@link #claim(Caller, Request, boolean)}, sending a bot's completions ahead of its first
     * claim statement: in the same round trip and implicit transaction where the store can
     * ({@link io.shepherd.runtime.store.JobStore#completeAllThenClaimAlone}), else on their own
     * just before it. A claim refused before it reached the database leaves them unsent.
     */
    public Claimed claim(Caller caller, Request request, boolean answerDrain, CompleteJob.Batch ahead) {
        caller.requireBot(request.botId());
        validate(request);
        // A bot's types never change, so they are read once; the claim statement itself checks
        // the session, and the session is read again only when nothing was claimed, to tell a
        // superseded session (409) from an empty queue.
        List<String> registered = registeredTypes.get(request.botId());
        if (registered == null) {
            BotRow bot = stores.bots().find(stores.database().execute(), request.botId())
                    .orElseThrow(() -> noBot(request.botId()));
            requireCurrent(request.botId(), request.session(), bot.session());
            registered = bot.types();
            if (registeredTypes.size() > 10_000) {
                registeredTypes.clear();
            }
            registeredTypes.put(request.botId(), registered);
        }
        List<String> own = registered;
        if (request.types() != null && !own.containsAll(request.types())) {
            // a bot's token is no key to every payload: it claims what it said it works on
            throw Problem.forbidden("bot " + request.botId() + " registered for " + registered + "; it may not claim "
                    + request.types().stream().filter(t -> !own.contains(t)).map(Names::shown).toList());
        }
        List<String> types = request.types() != null ? request.types() : registered;

        long waitMs = Math.min(request.waitMs(), longestPollMillis);
        long deadline = System.nanoTime() + Duration.ofMillis(waitMs).toNanos();
        // an exchange's poll whose last ran out finding nothing, moments ago, with nothing signalled
        // for its types since: it waits at once, and its heartbeat is written with others'
        long mark = answerDrain && waitMs > 0 && ahead == null
                ? quietPolls.lastLook(request.botId(), request.session(), types) : -1;
        boolean look = mark < 0;
        boolean seen = false;
        while (true) {
            JobSignal.Waiter waiter = waitMs > 0 ? signal.register(types, request.botId()) : null;
            try {
                if (!look && !signal.quietSince(mark, types)) {
                    look = true; // signalled between the two checks: the waiter may have missed it
                }
                List<JobRow> claimed;
                if (look) {
                    mark = signal.mark();
                    claimed = claimOnce(request.botId(), request.session(), types, request.max(), ahead);
                    ahead = null;
                } else {
                    quietPolls.beat(request.botId(), request.session(), clock.millis());
                    seen = true;
                    look = true; // once woken, it looks
                    claimed = List.of();
                }
                if (!claimed.isEmpty()) {
                    return new Claimed(claimed, false);
                }
                if (!seen) {
                    // once a request: the claim statement itself claims nothing for a superseded
                    // session, so a session superseded while this request waits is told by the next
                    seen = true;
                    if (seen(request.botId(), request.session()) && (answerDrain || waiter == null)) {
                        return new Claimed(List.of(), true);
                    }
                }
                if (waiter == null) {
                    return Claimed.NOTHING;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return ranOut(request, types, mark, answerDrain);
                }
                // no look of its own while it waits: a signal wakes it, or the replica's fallback look
                boolean woken = waiter.await(left);
                if (waiter.drained()) {
                    return new Claimed(List.of(), true);
                }
                if (waiter.superseded()) {
                    requireCurrentSession(request.botId(), request.session());
                }
                if (!woken || Thread.currentThread().isInterrupted()) {
                    // the wait ran out with no sign of work: no last look, the bot asks again at once
                    return ranOut(request, types, mark, answerDrain);
                }
            } finally {
                if (waiter != null) {
                    waiter.close();
                }
            }
        }
    }

    /** The poll ran out finding nothing since the look at {@code mark}; remembered for an exchange's next. */
    private Claimed ranOut(Request request, List<String> types, long mark, boolean answerDrain) {
        if (answerDrain) {
            quietPolls.ranOut(request.botId(), request.session(), types, mark);
        }
        return Claimed.NOTHING;
    }

    /**
     * The bot's claim found nothing: it counts as a heartbeat of its session (409 when superseded,
     * 404 for no such bot). Answers whether the bot drains.
     */
    private boolean seen(String botId, String session) {
        return stores.bots().heartbeat(stores.database().execute(), botId, session, clock.millis())
                .orElseThrow(() -> {
                    requireCurrentSession(botId, session);
                    return noBot(botId); // gone between the two statements
                }).drain();
    }

    /**
     * Which of {@code types} have jobs a claim could take now (paused queues left out): the look
     * the replica makes every few seconds on behalf of all its waiting claimers.
     */
    public Set<String> claimableTypes(Set<String> types) {
        return stores.jobs().claimableTypes(stores.database().execute(), types, queues.rules().paused(), clock.millis());
    }

    /** 400 for a request no claim could serve (no session, max or waitMs out of range, empty types). */
    public void validate(Request request) {
        if (request.session() == null || request.session().isBlank()) {
            throw Problem.badRequest("session is required");
        }
        if (request.max() < 1 || request.max() > MAX_JOBS) {
            throw Problem.badRequest("max must be between 1 and " + MAX_JOBS + ", was " + request.max());
        }
        if (request.waitMs() < 0 || request.waitMs() > settings.maxWait().toMillis()) {
            throw Problem.badRequest("waitMs must be between 0 and " + settings.maxWait().toMillis() + ", was "
                    + request.waitMs());
        }
        if (request.types() != null && (request.types().isEmpty()
                || request.types().stream().anyMatch(t -> t == null || t.isBlank()))) {
            throw Problem.badRequest("types, when given, must be a non-empty list of job types");
        }
    }

    /**
     * 409 unless {@code session} is the bot's current session (404 for no such bot): a call that
     * claims nothing still speaks for the current session only (a superseded process reports nothing).
     */
    public void requireCurrentSession(String botId, String session) {
        requireCurrent(botId, session, stores.bots().currentSession(stores.database().execute(), botId)
                .orElseThrow(() -> noBot(botId)).session());
    }

    private static Problem noBot(String botId) {
        return Problem.notFound("No bot " + botId);
    }

    /** 409 unless {@code session} is the bot's current one. */
    private static void requireCurrent(String botId, String session, String current) {
        if (!session.equals(current)) {
            throw Problem.conflict("Session " + session + " of bot " + botId + " was superseded; open a new session");
        }
    }

    private List<JobRow> claimOnce(String botId, String session, List<String> types, int max,
                                   CompleteJob.Batch ahead) {
        Queues.Rules rules = queues.rules();
        boolean alone = rules.limitedRunning().isEmpty() && stores.jobs().claimsAlone()
                && (ahead == null || ahead.sent() || stores.jobs().completesAlone());
        if (ahead != null && !alone) {
            ahead.sendAlone();
        }
        long now = clock.millis();
        long leaseExpiresAt = now + settings.leaseTtl().toMillis();
        long started = System.nanoTime();
        List<JobRow> result = alone
                ? claimAlone(botId, session, types, rules.excluded(), max, now, leaseExpiresAt, ahead)
                : claimInTransaction(botId, session, types, max, rules, now, leaseExpiresAt);
        metrics.claimTook(Duration.ofNanos(System.nanoTime() - started));
        for (JobRow job : result) {
            metrics.jobWaited(Duration.ofMillis(now - job.runAt()));
            JobLog.event(job.logged(), EventKind.CLAIMED, Reasons.CLAIMED, botId);
        }
        return result;
    }

    /**
     * The claim in one round trip (no limited queue in force, so no queue row to lock first),
     * carrying the completions {@code ahead} when they are not sent yet (their statement's time
     * then counts in the claim's).
     */
    private List<JobRow> claimAlone(String botId, String session, List<String> types, List<String> excluded, int max,
                                    long now, long leaseExpiresAt, CompleteJob.Batch ahead) {
        boolean carry = ahead != null && !ahead.sent();
        try (Connection connection = stores.database().connection()) {
            JobStore.CompletedThenClaimed done = stores.jobs().completeAllThenClaimAlone(connection, botId,
                    carry ? ahead.fitting() : List.of(), session, types, excluded, max, now, leaseExpiresAt,
                    EventKind.CLAIMED);
            if (carry) {
                ahead.carried(done.completed());
            }
            return done.claimed();
        } catch (SQLException e) {
            throw new DbClientException("The claim failed: " + e.getMessage(), e);
        }
    }

    /** The claim in a transaction: the ordinary queues, then each limited queue under its row lock. */
    private List<JobRow> claimInTransaction(String botId, String session, List<String> types, int max,
                                            Queues.Rules rules, long now, long leaseExpiresAt) {
        return stores.database().inTransaction(tx -> {
            List<JobRow> claimed = new java.util.ArrayList<>(stores.jobs().claim(tx, botId, session, types,
                    rules.excluded(), null, max, now, leaseExpiresAt, EventKind.CLAIMED));
            for (String queue : rules.limitedRunning()) {
                if (claimed.size() >= max) {
                    break;
                }
                int room = stores.queues().lockAndRoom(tx, queue).orElse(max);
                claimed.addAll(stores.jobs().claim(tx, botId, session, types, List.of(), queue,
                        Math.min(room, max - claimed.size()), now, leaseExpiresAt, EventKind.CLAIMED));
            }
            return claimed;
        });
    }
}
