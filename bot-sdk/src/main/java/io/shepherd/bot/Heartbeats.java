package io.shepherd.bot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.json.JsonValue;

/**
 * The heartbeat, on a thread of its own (never starved by busy handlers). Each beat names the
 * jobs this bot works on, so the runtime extends exactly those leases: a job it believes this bot
 * holds but the bot never heard of (a claim answer lost on the way) runs out and is recovered. The
 * answer says which named jobs were cancelled (their handlers are interrupted, their outcomes
 * dropped), which the bot no longer holds (their handlers stop and report nothing), and whether
 * to drain. A bot that holds nothing while its long poll is in flight skips the beat: the runtime
 * counted the poll as one, and the poll's answer tells of a drain.
 */
final class Heartbeats implements Runnable {
    private static final System.Logger LOG = System.getLogger(Heartbeats.class.getName());

    private final BotSettings settings;
    private final RuntimeApi api;
    private final StartUp.Session session;
    private final Runner runner;
    private final BotControl bot;

    Heartbeats(BotSettings settings, RuntimeApi api, StartUp.Session session, Runner runner, BotControl bot) {
        this.settings = settings;
        this.api = api;
        this.session = session;
        this.runner = runner;
        this.bot = bot;
    }

    /** The builder's interval, or the one the runtime asked for at registration. */
    Duration interval() {
        return settings.heartbeatInterval() != null ? settings.heartbeatInterval()
                : Duration.ofMillis(session.identity().heartbeatIntervalMs());
    }

    /** Beats every interval while the bot runs or drains; returns when it stops or is interrupted. */
    @Override
    public void run() {
        while (bot.beating()) {
            try {
                settings.clock().sleep(interval().toMillis());
            } catch (InterruptedException e) {
                return;
            }
            if (!bot.beating()) {
                return;
            }
            if (runner.idleInLongPoll()) {
                continue; // the long poll is this bot's liveness
            }
            beatOnce();
        }
    }

    /** One beat now, and what follows from its answer; null when no runtime answered. */
    RuntimeApi.Beat beatOnce() {
        List<String> named = new ArrayList<>();
        Map<String, JsonValue> progress = new LinkedHashMap<>();
        for (RunningJob r : runner.jobs()) {
            named.add(r.id());
            if (r.currentProgress() != null) {
                progress.put(r.id(), r.currentProgress());
            }
        }
        RuntimeApi.Beat beat;
        try {
            beat = api.heartbeat(session.identity(), session.id(), named, progress);
            if (beat.refused() != null && beat.refused().startsWith("HTTP 413") && !progress.isEmpty()) {
                // a progress report over the runtime's limit must not cost the leases: beat again without
                LOG.log(System.Logger.Level.WARNING, "The runtime refused this beat's progress (" + beat.refused()
                        + "); beating again without it");
                beat = api.heartbeat(session.identity(), session.id(), named, Map.of());
            }
        } catch (ServerFailure e) {
            return null; // logged by the client; the next beat tries again
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Heartbeat failed: " + e);
            return null;
        }
        if (beat.revoked() != null) {
            bot.revoke(beat.revoked());
            return beat;
        }
        if (beat.superseded() != null) {
            bot.supersede(beat.superseded());
            return beat;
        }
        if (beat.refused() != null) {
            LOG.log(System.Logger.Level.WARNING, "Heartbeat refused: " + beat.refused());
            return beat;
        }
        for (String id : beat.cancel()) {
            RunningJob r = runner.get(id);
            if (r != null) {
                LOG.log(System.Logger.Level.INFO, "Job " + id + " was cancelled; interrupting its handler");
                r.cancel();
            }
        }
        for (String id : beat.lost()) {
            RunningJob r = runner.get(id);
            if (r != null && r.lose()) {
                LOG.log(System.Logger.Level.WARNING, "Job " + id + " is no longer held by this bot (the runtime "
                        + "took it back); stopping its handler without reporting");
            }
        }
        if (beat.drain() && !bot.drained()) {
            bot.drain();
        } else if (!beat.drain() && bot.drained()) {
            bot.undrain();
        }
        return beat;
    }
}
